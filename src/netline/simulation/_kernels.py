"""Per-chunk state and kernels of the engine: parameters, variates, sampling, summaries.

Engine internals; see :mod:`netline.simulation.engine` for the design.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from netline.simulation.distributions import LogNormal, PiecewiseExponential
from netline.simulation.frailty import frailty_log_terms
from netline.simulation.plan import ModelPlan, ModifierPlan, Population, SurvivalPlan

__all__ = ["Accumulator", "Chunk", "discount_rate", "segment"]

F32 = np.float32
Arr = NDArray[np.float32]
_LN2 = math.log(2.0)


class Chunk:
    """Per-chunk state shared by the nodes: parameters, variates, covariates."""

    def __init__(
        self,
        plan: ModelPlan,
        params: dict[str, NDArray[np.float64]],
        uniforms: Arr,
        layout: dict[tuple[str, int, str], int],
        population: Population,
    ) -> None:
        self.plan = plan
        self.p = {k: v.astype(F32)[:, None] for k, v in params.items()}
        self.p64 = {k: v[:, None] for k, v in params.items()}
        self.u = uniforms
        self.layout = layout
        self.cov = {k: v.astype(F32)[None, :] for k, v in population.covariates.items()}
        self._exp: dict[int, Arr] = {}
        self._logexp: dict[int, Arr] = {}
        self._loghr: dict[str, Arr] = {}
        self._logexp_frail: dict[int, Arr] = {}
        self._patient_terms: dict[tuple[str, float], Arr] = {}
        self.frailty: Arr | None = None
        if plan.frailty_variance is not None:
            from scipy.special import ndtri

            normal = ndtri(self.uniform("", 0, "frailty")).astype(F32)
            self.frailty = frailty_log_terms(params[plan.frailty_variance], normal)

    def uniform(self, therapy: str, occ: int, kind: str) -> Arr:
        """Return the uniforms of one stream."""
        return np.asarray(self.u[self.layout[(therapy, occ, kind)]], dtype=F32)

    def exp(self, therapy: str, occ: int, kind: str) -> Arr:
        """Return the standard exponentials of one stream (cached)."""
        i = self.layout[(therapy, occ, kind)]
        e = self._exp.get(i)
        if e is None:
            e = np.log(self.u[i])
            np.negative(e, out=e)
            self._exp[i] = e
        return e

    def logexp(self, therapy: str, occ: int, kind: str) -> Arr:
        """Return the logs of the standard exponentials of one stream (cached)."""
        i = self.layout[(therapy, occ, kind)]
        le = self._logexp.get(i)
        if le is None:
            le = np.log(self.exp(therapy, occ, kind))
            self._logexp[i] = le
        return le

    def logexp_frail(self, therapy: str, occ: int, kind: str) -> Arr:
        """Return log E minus the patient's log frailty (cached per stream).

        For a Weibull line, ``exp((log E - log Z - log HR) / k)`` needs the frailty once per
        stream instead of once per line of every sequence.
        """
        assert self.frailty is not None
        i = self.layout[(therapy, occ, kind)]
        le = self._logexp_frail.get(i)
        if le is None:
            le = self.logexp(therapy, occ, kind) - self.frailty
            self._logexp_frail[i] = le
        return le

    def loghr(self, name: str) -> Arr:
        """Return the log of a hazard-ratio parameter, per draw (cached)."""
        v = self._loghr.get(name)
        if v is None:
            v = np.log(self.p[name])
            self._loghr[name] = v
        return v

    def struct_loghr(self, terms: list[tuple[str, float]]) -> Arr | None:
        """Sum the log hazard ratios that hold for a whole line, each to its power."""
        if not terms:
            return None
        total: Arr | None = None
        for name, power in terms:
            term = self.loghr(name) if power == 1 else self.loghr(name) * F32(power)
            total = term.copy() if total is None else total + term
        return total

    def patient_loghr(self, mods: list[tuple[ModifierPlan, float]], t: Arr) -> Arr | None:
        """Sum the log hazard ratios that depend on the patient (covariates, time)."""
        total: Arr | None = None
        for mod, power in mods:
            timed = mod.when.time_min is not None or mod.when.time_max is not None
            if timed:
                term = self._patient_term(mod, power, t)
            else:  # covariates only: the same for every line, computed once per chunk
                key = (mod.name, power)
                cached = self._patient_terms.get(key)
                if cached is None:
                    cached = self._patient_term(mod, power, t)
                    self._patient_terms[key] = cached
                term = cached
            total = term.copy() if total is None else total + term
        return total

    def _patient_term(self, mod: ModifierPlan, power: float, t: Arr) -> Arr:
        cond = mod.when
        base = self.loghr(mod.hr) if power == 1 else self.loghr(mod.hr) * F32(power)
        if mod.per_unit is not None:
            term = base * (self.cov[mod.per_unit] - F32(mod.reference))
        else:
            term = np.broadcast_to(base, t.shape)
        mask: NDArray[np.bool_] | None = None
        if cond.covariate is not None:
            mask = self.cov[cond.covariate] != 0
        if cond.covariate_absent is not None:
            m = self.cov[cond.covariate_absent] == 0
            mask = m if mask is None else mask & m
        if cond.time_min is not None:
            m = t >= F32(cond.time_min)
            mask = m if mask is None else mask & m
        if cond.time_max is not None:
            m = t < F32(cond.time_max)
            mask = m if mask is None else mask & m
        if mask is not None:
            term = term * mask  # log HRs are finite: the same as np.where(mask, term, 0), faster
        return np.asarray(np.broadcast_to(term, t.shape), dtype=F32)

    def sample(
        self, surv: SurvivalPlan, e: Arr, loghr: Arr | None, log_e: Callable[[], Arr] | None
    ) -> Arr:
        """Draw times from ``surv`` with hazard ratio ``exp(loghr)`` (relative times)."""
        p = self.p
        if surv.hr is not None:
            extra = self.loghr(surv.hr)
            loghr = extra if loghr is None else loghr + extra
        kind = surv.kind
        if kind == "exponential":
            if "rate" in surv.params:
                inv_rate = F32(1) / p[surv.params["rate"]]
            else:
                inv_rate = p[surv.params["median"]] * F32(1 / _LN2)
            if loghr is not None:
                inv_rate = inv_rate * np.exp(-loghr)
            return np.asarray(e * inv_rate, dtype=F32)
        if kind == "weibull":
            shape = p[surv.params["shape"]]
            if "scale" in surv.params:
                scale = p[surv.params["scale"]]
            else:
                scale = p[surv.params["median"]] * np.exp(F32(-math.log(_LN2)) / shape)
            invk = F32(1) / shape
            le = log_e() if log_e is not None else np.log(e)
            out = np.exp(le * invk) if loghr is None else np.exp((le - loghr) * invk)
            out *= scale
            return np.asarray(out, dtype=F32)
        e64 = e.astype(np.float64)
        if loghr is not None:
            e64 = e64 * np.exp(-loghr.astype(np.float64))
        if kind == "lognormal":
            p64 = self.p64
            dist = LogNormal.from_median(p64[surv.params["median"]], p64[surv.params["sdlog"]])
            return np.asarray(dist.inverse_cumhaz(e64), dtype=F32)
        rates = np.stack(
            [self.p64[surv.params[f"rate{j}"]] for j in range(len(surv.starts))], axis=-1
        )
        pw = PiecewiseExponential(np.asarray(surv.starts), rates)
        with np.errstate(divide="ignore"):
            return np.asarray(pw.inverse_cumhaz(e64), dtype=F32)


class Accumulator:
    """Histograms behind medians and survival curves (bins of ``width`` months)."""

    def __init__(self, width: float, nbins: int, step_bins: int) -> None:
        self.width = F32(width)
        self.inv_width = F32(1.0 / width)
        self.nbins = nbins
        self.step_bins = step_bins
        self._offset_cache: dict[int, NDArray[np.intp]] = {}
        self._curve_at = np.arange(0, nbins + 1, step_bins)

    def histogram(self, values: Arr, include: NDArray[np.bool_] | None) -> NDArray[np.int64]:
        """Count per draw and bin (last two bins: beyond the grid, excluded)."""
        c = values.shape[0]
        stride = self.nbins + 2
        # Float arithmetic instead of np.where/np.putmask on the indices (both cost several
        # element-wise passes); fmin sends NaN to the beyond-the-grid bin. intp indices: any
        # other integer type makes np.bincount cast first.
        scaled = np.multiply(values, self.inv_width)
        np.fmin(scaled, F32(self.nbins), out=scaled)
        if include is not None:
            scaled += ~include * F32(self.nbins + 1)
            np.minimum(scaled, F32(self.nbins + 1), out=scaled)
        idx = scaled.astype(np.intp)
        idx += self._offsets(c)
        counts = np.bincount(idx.ravel(), minlength=c * stride)
        return counts.reshape(c, stride)

    def _offsets(self, c: int) -> NDArray[np.intp]:
        """Row offsets of a chunk of ``c`` draws into the flat histogram (cached)."""
        off = self._offset_cache.get(c)
        if off is None:
            off = (np.arange(c, dtype=np.intp) * (self.nbins + 2))[:, None]
            self._offset_cache[c] = off
        return off

    def median_and_curve(
        self, counts: NDArray[np.int64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float32]]:
        """Return the median (interpolated; NaN if not reached) and the curve per draw."""
        nb = self.nbins
        c = counts.shape[0]
        cum_all = np.cumsum(counts[:, : nb + 1], axis=1)
        n_int = cum_all[:, nb]
        n = n_int.astype(np.float64)
        cum = cum_all[:, :nb]
        # The first bin where 2·cum >= n, for every draw at once: each row's 2·cum is made
        # globally increasing by a row offset larger than any count, and searched in one call.
        rows = np.arange(c)
        big = 2 * int(n_int.max(initial=0)) + 1
        keyed = cum * 2
        keyed += (rows * big)[:, None]
        first = np.searchsorted(keyed.ravel(), n_int + rows * big, side="left") - rows * nb
        ok = (first < nb) & (n_int > 0)
        first = np.minimum(first, nb - 1)
        before = np.where(first > 0, cum[rows, first - 1], 0)
        inside = counts[rows, first]
        half = n / 2.0
        frac = np.where(inside > 0, (half - before) / np.maximum(inside, 1), 0.0)
        median = np.where(ok, (first + frac) * float(self.width), np.nan)
        at = self._curve_at
        below = np.empty((cum.shape[0], at.size), dtype=np.float64)
        below[:, 0] = 0.0
        below[:, 1:] = cum[:, at[1:] - 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            below /= n[:, None]
            np.subtract(1.0, below, out=below)
        return median, below.astype(F32)


def discount_rate(rate: float) -> float:
    """Return the monthly continuous rate equivalent to an annual discount rate."""
    return math.log1p(rate) / 12.0


def segment(a: Arr, b: Arr, da: Arr | None, db: Arr | None, rate: float) -> Arr:
    """Discounted time from ``a`` to ``b`` (months): ∫ exp(-r t) dt, or ``b - a`` if r = 0."""
    if rate > 0:
        assert da is not None
        assert db is not None
        return np.asarray((da - db) * F32(1.0 / rate), dtype=F32)
    return np.asarray(b - a, dtype=F32)
