"""An independent per-patient event loop, used only to check the vectorised engine.

It reads the same compiled plan and parameters but shares no sampling code with the engine:
times come from :mod:`math` and :class:`statistics.NormalDist`, one patient and one event at a
time, with NumPy's scalar generator. Slow on purpose: clarity over speed.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from netline.simulation.parameters import Parameters
from netline.simulation.plan import ModelPlan, ModifierPlan, Population, SurvivalPlan

_N01 = NormalDist()


@dataclass
class PatientPath:
    pfs: list[float]
    progressed: list[bool]
    time_on_treatment: float
    os: float
    qaly: float
    cost: float


def _inverse(surv: SurvivalPlan, p: dict[str, float], e: float) -> float:
    if surv.hr is not None:
        e = e / p[surv.hr]
    if surv.kind == "exponential":
        rate = (
            p[surv.params["rate"]]
            if "rate" in surv.params
            else math.log(2) / p[surv.params["median"]]
        )
        return e / rate
    if surv.kind == "weibull":
        k = p[surv.params["shape"]]
        if "scale" in surv.params:
            scale = p[surv.params["scale"]]
        else:
            scale = p[surv.params["median"]] / math.log(2) ** (1 / k)
        return float(scale * e ** (1 / k))
    if surv.kind == "lognormal":
        mu = math.log(p[surv.params["median"]])
        sd = p[surv.params["sdlog"]]
        prob = -math.expm1(-e)
        if prob <= 0.0:
            return 0.0
        if prob >= 1.0:
            return math.inf
        return math.exp(mu + sd * _N01.inv_cdf(prob))
    cum = 0.0
    starts = [*list(surv.starts), math.inf]
    for j in range(len(surv.starts)):
        rate = p[surv.params[f"rate{j}"]]
        width = starts[j + 1] - starts[j]
        if rate > 0 and cum + rate * width >= e:
            return starts[j] + (e - cum) / rate
        cum += rate * width
    return math.inf


def _holds(
    mod: ModifierPlan,
    line: int,
    groups: frozenset[str],
    prior: set[str],
    t: float,
    cov: dict[str, float],
) -> bool:
    w = mod.when
    if w.line_min is not None and line < w.line_min:
        return False
    if w.line_max is not None and line > w.line_max:
        return False
    if w.prior_same_group is not None and bool(groups & prior) != w.prior_same_group:
        return False
    if w.prior_group is not None and w.prior_group not in prior:
        return False
    if w.prior_group_absent is not None and w.prior_group_absent in prior:
        return False
    if w.time_min is not None and t < w.time_min:
        return False
    if w.time_max is not None and t >= w.time_max:
        return False
    if w.covariate is not None and cov[w.covariate] == 0:
        return False
    return not (w.covariate_absent is not None and cov[w.covariate_absent] != 0)


def _hr(
    plan: ModelPlan,
    target: str,
    therapy: str | None,
    prior_lines: list[frozenset[str]],
    groups: frozenset[str],
    t: float,
    cov: dict[str, float],
    p: dict[str, float],
) -> float:
    line = len(prior_lines) + 1
    prior: set[str] = set().union(*prior_lines)
    hr = 1.0
    for mod in plan.modifiers:
        if mod.target != target or not mod.applies_to(therapy):
            continue
        if not _holds(mod, line, groups, prior, t, cov):
            continue
        power = 1.0
        if mod.per_prior_line_beyond is not None:
            excluded = mod.per_prior_line_excluding
            counted = [g for g in prior_lines if excluded is None or excluded not in g]
            power = max(0, len(counted) - mod.per_prior_line_beyond)
        if mod.per_unit is not None:
            hr *= p[mod.hr] ** ((cov[mod.per_unit] - mod.reference) * power)
        else:
            hr *= p[mod.hr] ** power
    return hr


@functools.lru_cache(maxsize=4096)
def frailty_factor(variance: float) -> float:
    """Median-preserving factor c for a log-normal frailty, by quadrature and bisection."""
    if variance <= 0:
        return 1.0
    from scipy import integrate

    sigma = math.sqrt(math.log1p(variance))

    def marginal(c: float) -> float:
        def f(x: float) -> float:
            z = math.exp(sigma * x - sigma**2 / 2)
            return math.exp(-c * z * math.log(2)) * math.exp(-x * x / 2) / math.sqrt(2 * math.pi)

        return float(integrate.quad(f, -12, 12)[0])

    lo, hi = 1e-6, 1e6
    for _ in range(60):
        mid = math.sqrt(lo * hi)
        if marginal(mid) > 0.5:
            lo = mid
        else:
            hi = mid
    return math.sqrt(lo * hi)


def _background_months(plan: ModelPlan, age: float, female: bool, e: float) -> float:
    table = plan.life_table
    if table is None:
        return math.inf
    qx = table.qx_female if female else table.qx_male
    e = e / plan.background_multiplier
    a = age
    while True:
        x = min(int(a), len(qx) - 1)
        mu = -math.log1p(-float(qx[x]))
        end = x + 1.0 if x < len(qx) - 1 else math.inf
        step = mu * (end - a)
        if step >= e:
            return (a + e / mu - age) * 12.0
        e -= step
        a = end


def _disc(a: float, b: float, r: float) -> float:
    if r == 0:
        return b - a
    return (math.exp(-r * a) - math.exp(-r * b)) / r


def simulate_patient(
    plan: ModelPlan,
    seq: tuple[str, ...],
    p: dict[str, float],
    age: float,
    female: bool,
    cov: dict[str, float],
    rng: np.random.Generator,
) -> PatientPath:
    rq = math.log1p(plan.discount_qalys) / 12
    rc = math.log1p(plan.discount_costs) / 12
    horizon = plan.horizon_months if plan.horizon_months is not None else math.inf
    death = min(_background_months(plan, age, female, rng.exponential()), horizon)
    t = 0.0
    prior_lines: list[frozenset[str]] = list(plan.history)
    frailty = 1.0
    if plan.frailty_variance is not None and p[plan.frailty_variance] > 0:
        v = p[plan.frailty_variance]
        sigma = math.sqrt(math.log1p(v))
        frailty = p["__frailty_c"] * math.exp(sigma * rng.standard_normal() - sigma**2 / 2)
    pfs: list[float] = []
    progressed: list[bool] = []
    tot = qaly = cost = 0.0
    for key in seq:
        if t >= death:
            break
        th = plan.therapies[key]
        hr = _hr(plan, "pfs", key, prior_lines, th.groups, t, cov, p) * frailty
        prog = t + _inverse(th.pfs, p, rng.exponential() / hr)
        dend = death
        if th.death_rate is not None and p[th.death_rate] > 0:
            hd = _hr(plan, "death", key, prior_lines, th.groups, t, cov, p)
            dend = min(dend, t + rng.exponential() / (p[th.death_rate] * hd))
        surgery = False
        ts = t + (th.conversion.at if th.conversion else 0.0)
        if th.conversion is not None:
            cv = th.conversion
            surgery = rng.random() < p[cv.probability] and ts < prog and ts < dend
            if surgery:
                if cv.mortality is not None and rng.random() < p[cv.mortality]:
                    dend = ts
                else:
                    prog = ts + _inverse(cv.after, p, rng.exponential())
        end = min(prog, dend)
        stop = end
        if th.max_duration is not None:
            stop = min(stop, t + th.max_duration)
        if surgery:
            stop = min(stop, ts)
        toxed = False
        tt = math.inf
        if th.toxicity is not None:
            tox = th.toxicity
            if tox.timing[0] == "uniform":
                low, high = float(tox.timing[1]), float(tox.timing[2])  # type: ignore[arg-type]
                tt = t + rng.uniform(low, high)
            else:
                weights = tox.timing[2]
                assert isinstance(weights, tuple)
                cycles = int(rng.choice(len(weights), p=np.asarray(weights))) + 1
                tt = t + cycles * float(tox.timing[1])
            toxed = rng.random() < p[tox.probability] and tt < stop
            if toxed:
                stop = tt
                if tox.switch:
                    end = tt
        died = dend <= end
        pfs.append(end - t)
        progressed.append(not died)
        tot += stop - t
        if th.utility_on is not None and th.utility_off is not None:
            qaly += p[th.utility_on] * _disc(t, stop, rq) + p[th.utility_off] * _disc(stop, end, rq)
        if th.cost_month is not None:
            cost += p[th.cost_month] * _disc(t, stop, rc)
        if th.cost_off_month is not None:
            cost += p[th.cost_off_month] * _disc(stop, end, rc)
        if th.cost_start is not None:
            cost += p[th.cost_start] * math.exp(-rc * t)
        if th.cost_toxicity is not None and toxed:
            cost += p[th.cost_toxicity] * math.exp(-rc * tt)
        if surgery and th.conversion is not None and th.conversion.cost is not None:
            cost += p[th.conversion.cost] * math.exp(-rc * ts)
        if plan.progression_cost is not None and not died:
            cost += p[plan.progression_cost] * math.exp(-rc * end)
        if died:
            death = dend
        prior_lines.append(th.groups)
        t = end
    os_ = death
    if t < death:
        hb = _hr(plan, "bsc", None, prior_lines, frozenset(), t, cov, p)
        os_ = min(death, t + _inverse(plan.bsc, p, rng.exponential() / hb))
        if plan.bsc_utility is not None:
            qaly += p[plan.bsc_utility] * _disc(t, os_, rq)
        if plan.bsc_cost_month is not None:
            cost += p[plan.bsc_cost_month] * _disc(t, os_, rc)
    if plan.death_cost is not None and os_ < horizon:
        cost += p[plan.death_cost] * math.exp(-rc * os_)
    return PatientPath(pfs, progressed, tot, os_, qaly / 12.0, cost)


def simulate_reference(
    plan: ModelPlan,
    params: Parameters,
    population: Population,
    seq: tuple[str, ...],
    draw: int,
    seed: int,
) -> list[PatientPath]:
    """All patients of one sequence for one PSA draw."""
    rng = np.random.default_rng([seed, draw, 99])
    p = {name: float(values[draw]) for name, values in params.items()}
    if plan.frailty_variance is not None:
        p["__frailty_c"] = frailty_factor(p[plan.frailty_variance])
    out = []
    for i in range(population.size):
        cov = {name: float(v[i]) for name, v in population.covariates.items()}
        out.append(
            simulate_patient(
                plan, seq, p, float(population.age[i]), bool(population.female[i]), cov, rng
            )
        )
    return out
