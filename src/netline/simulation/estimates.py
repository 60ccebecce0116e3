r"""The simulator's derived estimates: history effects, pooled medians, the frailty variance.

Inputs, sources and verification tags are in ``data/estimates.yaml``; the derivations are here,
once. A model file uses an estimate by name (``hr: {estimate: line_effect}``). Methods:

``median_ratio``
    A hazard ratio from two medians under a Weibull shape :math:`k`,
    :math:`HR = (m_{without} / m_{with})^k`, with log-SE :math:`k\sqrt{s_1^2 + s_2^2}`.
``hr_ratio``
    A per-line hazard ratio from two subgroup HRs ``lines_apart`` lines apart,
    :math:`\exp((\ln HR_{upper} - \ln HR_{lower}) / \Delta)`.
``pool``
    DerSimonian-Laird random-effects pool of figures or other estimates on the log scale
    (:mod:`netline.simulation.synthesis`); the PSA distribution is the predictive one.
``pool_proportion``
    The same on the logit scale for proportions (events / n); delta-method SE.
``value``
    A stated value with its interval (an assumption or a single figure).

A figure's log-scale SE comes from its 95 % CI, or, where none is published, from its number
of events as :math:`1/\sqrt{d}` (the SE of a log median under an exponential model).

References
----------
.. [1] Collett D. Modelling Survival Data in Medical Research, 3rd ed. CRC Press, 2015,
   section 2.4 (variance of the estimated median).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from netline.errors import InvalidInputError, Problem
from netline.simulation.parameters import EvidenceRef, ParamSpec, Source
from netline.simulation.synthesis import random_effects

if TYPE_CHECKING:
    from netline.evidence import KnowledgeBase

__all__ = [
    "Estimate",
    "estimate",
    "estimate_references",
    "load_estimates",
    "resolve_estimates",
]

_Z95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """A derived estimate on the log scale (logit scale for proportions).

    Attributes
    ----------
    name, label : str
    method : str
    mu : float
        Point estimate on the log (or logit) scale.
    se : float
        Standard error used for PSA (predictive where pooled).
    tau2 : float
        Between-study variance (pooled estimates; 0 otherwise).
    refs : tuple of str
        Reference keys of the inputs.
    status : str
        ``derived`` or the status of a stated value.
    inputs : list of str
        The inputs in words, with their status.
    note : str
    """

    name: str
    label: str
    method: str
    mu: float
    se: float
    tau2: float
    refs: tuple[str, ...]
    status: str
    inputs: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def value(self) -> float:
        """Point value on the natural scale."""
        if self.method == "pool_proportion":
            return 1.0 / (1.0 + math.exp(-self.mu))
        return math.exp(self.mu)

    @property
    def interval(self) -> tuple[float, float]:
        """95 % interval of the PSA distribution on the natural scale."""
        lo, hi = self.mu - _Z95 * self.se, self.mu + _Z95 * self.se
        if self.method == "pool_proportion":
            return 1.0 / (1.0 + math.exp(-lo)), 1.0 / (1.0 + math.exp(-hi))
        return math.exp(lo), math.exp(hi)

    def param(self) -> ParamSpec:
        """Return the estimate as a model parameter (log-normal PSA; beta for a proportion)."""
        status = "assumption" if self.status == "assumption" else "derived"
        note = f"{self.label}; {self.method}: " + "; ".join(self.inputs)
        source = Source(ref="+".join(self.refs) or "assumption", status=status, note=note)
        if self.method == "pool_proportion":
            p = self.value
            return ParamSpec(value=p, psa="beta", se=p * (1 - p) * self.se, source=source)
        if self.se <= 0:
            return ParamSpec(value=self.value, source=source)
        return ParamSpec(value=self.value, psa="lognormal", se=self.se, source=source)


class _Deriver:
    def __init__(self, raw: dict[str, Any], kb: KnowledgeBase | None) -> None:
        self.raw = raw
        self._kb = kb
        self.done: dict[str, Estimate] = {}

    @property
    def kb(self) -> KnowledgeBase:
        if self._kb is None:
            from netline.evidence import load_knowledge_base

            self._kb = load_knowledge_base()
        return self._kb

    def figure(self, where: str, item: dict[str, Any]) -> tuple[float, float, str, str]:
        """Log value, log SE, reference key and a description of one input figure."""
        if "estimate" in item:
            est = self.get(item["estimate"])
            return est.mu, est.se, "+".join(est.refs), f"{est.label} ({est.value:.3g})"
        if "shape" in item:
            return self.trial_shape(where, str(item["shape"]["trial"]))
        if "evidence" in item:
            from netline.simulation.evidence import figure

            fig = figure(self.kb, EvidenceRef(**item["evidence"]))
            if fig.value is None:
                raise InvalidInputError.single(where, item["evidence"], "a reached value")
            value, ci, ref, status = fig.value, fig.ci, fig.ref, fig.status
            text = fig.label
        else:
            value, ci = float(item["value"]), item.get("ci")
            ref, status = str(item["ref"]), str(item["status"])
            text = item.get("note", "")
        if "events" in item:
            se = 1.0 / math.sqrt(float(item["events"]))
            how = f"SE from {item['events']} events [{item.get('events_status', 'assumption')}]"
        elif ci is not None and ci[0] > 0:
            se = (math.log(ci[1]) - math.log(ci[0])) / (2 * _Z95)
            how = f"95 % CI {ci[0]:g}-{ci[1]:g} [{item.get('ci_status', status)}]"
        else:
            raise InvalidInputError.single(
                where, value, "a 95 % CI with a positive lower bound, or a number of events"
            )
        return math.log(value), se, ref, f"{value:g} [{status}, {ref}; {how}] {text}".strip()

    def trial_shape(self, where: str, trial: str) -> tuple[float, float, str, str]:
        r"""Return the log Weibull shape a two-arm trial implies (medians and HR), with its SE.

        :math:`k = \ln HR / \ln(m_c / m_e)`; by the delta method (medians taken as exact)
        :math:`SE(\ln k) = SE(\ln HR) / |\ln HR|`, SE from the HR's 95 % CI.
        """
        from netline.simulation.evidence import figure, hazard_ratio_arms
        from netline.simulation.parameters import weibull_shape_from_arms

        arm_e, arm_c, endpoint = hazard_ratio_arms(self.kb, trial)
        hr = figure(self.kb, EvidenceRef(trial=trial, endpoint=endpoint, measure="hr"))
        m_e = figure(self.kb, EvidenceRef(trial=trial, endpoint=endpoint, arm=arm_e))
        m_c = figure(self.kb, EvidenceRef(trial=trial, endpoint=endpoint, arm=arm_c))
        if hr.value is None or hr.ci is None or m_e.value is None or m_c.value is None:
            raise InvalidInputError.single(
                where, trial, "a trial with both medians reached and an HR with a 95 % CI"
            )
        k = weibull_shape_from_arms(m_e.value, m_c.value, hr.value)
        se = (math.log(hr.ci[1]) - math.log(hr.ci[0])) / (2 * _Z95) / abs(math.log(hr.value))
        text = (
            f"{hr.label}: shape {k:.3f} from medians {m_e.value:g}/{m_c.value:g} and HR "
            f"{hr.value:g} ({hr.ci[0]:g}-{hr.ci[1]:g}) [{hr.status}, {hr.ref}]"
        )
        return math.log(k), se, hr.ref, text

    def shape_value(self, name: str, shape: dict[str, Any]) -> float:
        """Return a fixed Weibull shape: a trial's implied shape, or a stated assumption."""
        if "trial" in shape:
            return math.exp(self.trial_shape(f"{name}.shape", str(shape["trial"]))[0])
        return float(shape["value"])

    def count(self, ref: dict[str, Any]) -> tuple[float, float, str, str]:
        """Return events, patients, reference and description of a knowledge-base count."""
        from netline.simulation.evidence import safety_count

        events, n = safety_count(self.kb, str(ref["trial"]), str(ref["safety"]), str(ref["arm"]))
        assert events.value is not None
        assert n.value is not None
        text = (
            f"{events.value:g}/{n.value:g} [{events.status}/{n.status}, {events.ref}] "
            f"{events.label}"
        )
        return events.value, n.value, events.ref, text

    def get(self, name: str) -> Estimate:
        if name in self.done:
            return self.done[name]
        spec = self.raw.get(name)
        if spec is None:
            raise InvalidInputError.single(
                "estimate", name, f"a named estimate: {', '.join(sorted(self.raw))}"
            )
        est = self._derive(name, spec)
        self.done[name] = est
        return est

    def _derive(self, name: str, s: dict[str, Any]) -> Estimate:
        method = s["method"]
        common = {"name": name, "label": s["label"], "method": method, "note": s.get("note", "")}
        if method == "median_ratio":
            y0, s0, r0, t0 = self.figure(f"{name}.without", s["without"])
            y1, s1, r1, t1 = self.figure(f"{name}.with", s["with"])
            k = self.shape_value(name, s["shape"])
            return Estimate(
                **common,
                mu=k * (y0 - y1),
                se=k * math.hypot(s0, s1),
                tau2=0.0,
                refs=tuple(dict.fromkeys((r0, r1))),
                status="derived",
                inputs=[f"without: {t0}", f"with: {t1}", f"shape {k:g} ({s['shape']['note']})"],
            )
        if method == "hr_ratio":
            y0, s0, r0, t0 = self.figure(f"{name}.lower", s["lower"])
            y1, s1, r1, t1 = self.figure(f"{name}.upper", s["upper"])
            d = float(s["lines_apart"]["value"])
            return Estimate(
                **common,
                mu=(y1 - y0) / d,
                se=math.hypot(s0, s1) / d,
                tau2=0.0,
                refs=tuple(dict.fromkeys((r0, r1))),
                status="derived",
                inputs=[f"fewer lines: {t0}", f"more lines: {t1}", f"{d:g} lines apart"],
            )
        if method == "pool":
            parts = [self.figure(f"{name}.inputs[{i}]", x) for i, x in enumerate(s["inputs"])]
            pooled = random_effects([p[0] for p in parts], [p[1] for p in parts])
            return Estimate(
                **common,
                mu=pooled.mu,
                se=pooled.predictive_se,
                tau2=pooled.tau2,
                refs=tuple(dict.fromkeys(r for p in parts for r in p[2].split("+"))),
                status="derived",
                inputs=[p[3] for p in parts]
                + [f"DerSimonian-Laird tau2 {pooled.tau2:.3f}, I2 {pooled.i2:.0%}"],
            )
        if method == "pool_proportion":
            ys, ses, refs, texts = [], [], [], []
            for x in s["inputs"]:
                e, n, ref, text = self.count(x["evidence_count"])
                ys.append(math.log(e / (n - e)))
                ses.append(math.sqrt(1 / e + 1 / (n - e)))
                refs.append(ref)
                texts.append(text)
            pooled = random_effects(ys, ses)
            return Estimate(
                **common,
                mu=pooled.mu,
                se=pooled.predictive_se,
                tau2=pooled.tau2,
                refs=tuple(dict.fromkeys(refs)),
                status="derived",
                inputs=texts,
            )
        if method == "value":
            value = float(s["value"])
            if "ci" in s:
                lo, hi = s["ci"]
                se = (math.log(hi) - math.log(lo)) / (2 * _Z95)
            elif "events" in s:
                se = 1.0 / math.sqrt(float(s["events"]))
            else:
                se = 0.0
            return Estimate(
                **common,
                mu=math.log(value),
                se=se,
                tau2=0.0,
                refs=(str(s["ref"]),),
                status=str(s["status"]),
                inputs=[f"{value:g} [{s['status']}, {s['ref']}]"],
            )
        raise InvalidInputError.single(f"{name}.method", method, "a known method")


@cache
def _file() -> dict[str, Any]:
    text = resources.files("netline.simulation").joinpath("data/estimates.yaml").read_text("utf-8")
    return dict(yaml.safe_load(text))


def _raw() -> dict[str, Any]:
    return dict(_file()["estimates"])


def estimate_references() -> dict[str, str]:
    """Return the references the estimates file cites that the knowledge base lacks (key: text)."""
    return dict(_file().get("references", {}))


def load_estimates(kb: KnowledgeBase | None = None) -> dict[str, Estimate]:
    """Derive every estimate of ``data/estimates.yaml``.

    Raises
    ------
    InvalidInputError
        If an input cannot be resolved (every problem listed).
    """
    deriver = _Deriver(_raw(), kb)
    problems: list[Problem] = []
    for name in _raw():
        try:
            deriver.get(name)
        except InvalidInputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidInputError(problems, source="estimates.yaml")
    return dict(deriver.done)


@cache
def _default_estimates() -> dict[str, Estimate]:
    return load_estimates()


def estimate(name: str) -> Estimate:
    """One named estimate, derived from the bundled file and knowledge base.

    Raises
    ------
    InvalidInputError
        For an unknown name.
    """
    found = _default_estimates().get(name)
    if found is None:
        known = ", ".join(sorted(_raw()))
        raise InvalidInputError.single("estimate", name, f"a named estimate: {known}")
    return found


def resolve_estimates(specs: dict[str, ParamSpec]) -> dict[str, ParamSpec]:
    """Replace every parameter given as ``estimate: name`` by the estimate.

    Raises
    ------
    InvalidInputError
        Listing every unknown name.
    """
    problems: list[Problem] = []
    out = dict(specs)
    for name, spec in specs.items():
        if spec.estimate is None:
            continue
        try:
            out[name] = estimate(spec.estimate).param()
        except InvalidInputError as exc:
            problems.extend(Problem(f"{name}.estimate", p.value, p.expected) for p in exc.problems)
    if problems:
        raise InvalidInputError(problems, source="model")
    return out
