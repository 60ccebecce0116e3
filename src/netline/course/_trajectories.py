"""Per-line trajectories of synthetic courses: regimens and the arrays that drive a course.

Split from :mod:`netline.course.synthetic` (which re-exports everything here). The
distributions of :func:`draw_trajectories` are round illustrative numbers, **not** calibrated
to trials.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]

from netline.course.tables import CourseTables
from netline.errors import InvalidInputError
from netline.records.vocabulary import agent_info

__all__ = ["REGIMENS", "LineTrajectories", "Regimen", "SyntheticCohort", "draw_trajectories"]


@dataclass(frozen=True)
class Regimen:
    """A regimen the generator can give: agents, second-agent offset, PRRT cycles."""

    name: str
    agents: tuple[str, ...]
    second_offset_days: int = 0
    prrt_cycles: int = 0
    median_ttp_days: float = 365.0
    depth_range: tuple[float, float] = (-0.3, 0.05)

    @property
    def classes(self) -> frozenset[str]:
        """The agent classes of the regimen."""
        return frozenset(agent_info(a).agent_class.value for a in self.agents)

    @property
    def is_ssa(self) -> bool:
        """Whether the regimen is a somatostatin analogue alone."""
        return self.classes == {"ssa"}


#: The regimens of the generator, indexed by the codes used in :class:`LineTrajectories`.
REGIMENS: tuple[Regimen, ...] = (
    Regimen("lanreotide", ("lanreotide",), median_ttp_days=540, depth_range=(-0.15, 0.1)),
    Regimen("octreotide LAR", ("octreotide_lar",), median_ttp_days=480, depth_range=(-0.15, 0.1)),
    Regimen("everolimus", ("everolimus",), median_ttp_days=330, depth_range=(-0.3, 0.05)),
    Regimen("sunitinib", ("sunitinib",), median_ttp_days=340, depth_range=(-0.35, 0.05)),
    Regimen(
        "CAPTEM",
        ("capecitabine", "temozolomide"),
        second_offset_days=10,
        median_ttp_days=600,
        depth_range=(-0.6, -0.1),
    ),
    Regimen(
        "PRRT",
        ("lu177_dotatate",),
        prrt_cycles=4,
        median_ttp_days=750,
        depth_range=(-0.7, -0.15),
    ),
    Regimen(
        "STZ/5-FU",
        ("streptozocin", "fluorouracil"),
        median_ttp_days=500,
        depth_range=(-0.5, 0.0),
    ),
    Regimen("cabozantinib", ("cabozantinib",), median_ttp_days=400, depth_range=(-0.4, 0.0)),
)
_AGENT_NAMES = sorted({agent for regimen in REGIMENS for agent in regimen.agents})
_AGENT_CODE = {name: i for i, name in enumerate(_AGENT_NAMES)}
_AGENT_CLASSES = [agent_info(name).agent_class.value for name in _AGENT_NAMES]
_REASONS = ["", "progression", "toxicity", "completed", "ongoing", "death"]
_RESPONSES = ["PD", "SD", "PR", "CR", "progressing", "stable", "responding", "NED"]
_SSA_CODES = np.array([r.is_ssa for r in REGIMENS])
_PRRT_CODES = np.array([r.prrt_cycles > 0 for r in REGIMENS])
#: Days from a line's start to the start of its last agent (e.g. temozolomide in CAPTEM).
_LAST_AGENT_OFFSET = np.array(
    [r.second_offset_days if len(r.agents) > 1 else 0 for r in REGIMENS], dtype=np.int64
)
_FIRST_LINE_P = np.array([0.55, 0.15, 0.07, 0.06, 0.1, 0.07, 0.0, 0.0])
_LATER_LINE_P = np.array([0.02, 0.01, 0.25, 0.2, 0.2, 0.2, 0.07, 0.05])
_SHARES_CLASS = np.array([[bool(a.classes & b.classes) for b in REGIMENS] for a in REGIMENS])


@dataclass(frozen=True)
class LineTrajectories:
    """Per-patient, per-line arrays that drive the generator (``n`` patients, ``L`` lines).

    Parameters
    ----------
    regimen : ndarray of int, shape (n, L)
        Index into :data:`REGIMENS`; ``-1`` ends the patient's lines.
    time_to_progression : ndarray of float, shape (n, L)
        Days from the line start to progression (``inf``: none while on this line).
    time_on_treatment : ndarray of float, shape (n, L)
        Days from the start to a stop without progression (toxicity), ``inf`` to treat until
        progression. PRRT stops after its cycles regardless.
    depth : ndarray of float, shape (n, L)
        Relative change of the tumour size at the nadir (e.g. ``-0.4``).
    gap : ndarray of float, shape (n, L)
        Days from progression (or the stop) to the start of the next line (at least 15).
    backbone : ndarray of bool, shape (n, L)
        For an SSA line: the SSA runs on as the backbone of the next line.
    death : ndarray of float, shape (n,)
        Days from the first line start to death (``inf``: alive).
    follow_up : ndarray of float, shape (n,)
        Days from the first line start to the end of follow-up (censoring).
    """

    regimen: np.ndarray
    time_to_progression: np.ndarray
    time_on_treatment: np.ndarray
    depth: np.ndarray
    gap: np.ndarray
    backbone: np.ndarray
    death: np.ndarray
    follow_up: np.ndarray

    def __post_init__(self) -> None:
        shape = self.regimen.shape
        problems = []
        for name in ("time_to_progression", "time_on_treatment", "depth", "gap", "backbone"):
            if getattr(self, name).shape != shape:
                problems.append(name)
        for name in ("death", "follow_up"):
            if getattr(self, name).shape != shape[:1]:
                problems.append(name)
        if problems or len(shape) != 2:
            raise InvalidInputError.single(
                "trajectories", ", ".join(problems) or str(shape), f"arrays of shape {shape}"
            )

    @property
    def n(self) -> int:
        """Number of patients."""
        return int(self.regimen.shape[0])

    def rows(self, start: int, stop: int) -> LineTrajectories:
        """Return the trajectories of patients ``start`` to ``stop - 1`` (0-based)."""
        return LineTrajectories(*(getattr(self, f.name)[start:stop] for f in fields(self)))


def draw_trajectories(n: int, rng: np.random.Generator, max_lines: int = 5) -> LineTrajectories:
    """Draw illustrative line trajectories for ``n`` patients.

    Distributions are round illustrative numbers (not calibrated): 1-5 lines, SSA first in most
    patients, later lines among everolimus, sunitinib, CAPTEM, PRRT, STZ/5-FU, cabozantinib;
    log-normal times to progression around each regimen's median; 15 % of lines stopped for
    toxicity; about half of the patients die during follow-up.
    """
    n_lines = rng.choice(np.arange(1, 6), size=n, p=np.array([0.3, 0.3, 0.2, 0.12, 0.08])).clip(
        max=max_lines
    )
    shape = (n, max_lines)
    regimen = np.empty(shape, dtype=np.int8)
    regimen[:, 0] = rng.choice(len(REGIMENS), size=n, p=_FIRST_LINE_P)
    for k in range(1, max_lines):
        draw = rng.choice(len(REGIMENS), size=n, p=_LATER_LINE_P)
        same = draw == regimen[:, k - 1]
        draw[same] = (draw[same] + 2) % len(REGIMENS)
        regimen[:, k] = draw
    regimen[np.arange(max_lines)[None, :] >= n_lines[:, None]] = -1
    medians = np.array([r.median_ttp_days for r in REGIMENS])
    ttp = np.maximum(medians[regimen.clip(0)] * rng.lognormal(0.0, 0.6, size=shape), 60.0)
    toxicity = rng.random(shape) < 0.15
    on_treatment = np.where(toxicity, rng.uniform(30.0, 300.0, size=shape), np.inf)
    # a toxicity stop must leave room before progression, and the next line must switch class
    # (the classes of the two lines before count too: an SSA backbone runs on into the next)
    none = np.full((n, 1), -1, np.int8)
    later = np.concatenate([regimen[:, 1:], none], axis=1)
    same_class = (later >= 0) & _SHARES_CLASS[regimen.clip(0), later.clip(0)]
    for back in (1, 2):
        earlier = np.concatenate([np.full((n, back), -1, np.int8), regimen[:, :-back]], axis=1)
        same_class |= (later >= 0) & (earlier >= 0) & _SHARES_CLASS[earlier.clip(0), later.clip(0)]
    toxicity &= ~same_class & ~_PRRT_CODES[regimen.clip(0)]
    on_treatment = np.where(toxicity, np.minimum(on_treatment, ttp - 30.0), np.inf)
    ttp = np.where(toxicity, np.inf, ttp)
    low = np.array([r.depth_range[0] for r in REGIMENS])
    high = np.array([r.depth_range[1] for r in REGIMENS])
    depth = low[regimen.clip(0)] + (high - low)[regimen.clip(0)] * rng.random(shape)
    gap = rng.uniform(15.0, 60.0, size=shape)
    backbone = _SSA_CODES[regimen.clip(0)] & (later >= 0) & ~_SSA_CODES[later.clip(0)]
    backbone &= (rng.random(shape) < 0.5) & ~toxicity
    course = np.where(regimen >= 0, np.minimum(ttp, on_treatment) + gap, 0.0).sum(axis=1)
    death = rng.uniform(0.6, 1.3, size=n) * course + rng.exponential(600.0, size=n)
    alive = rng.random(n) < 0.45
    follow_up = np.where(alive, death * rng.uniform(0.4, 1.0, size=n), death)
    death = np.where(alive, np.inf, death)
    return LineTrajectories(regimen, ttp, on_treatment, depth, gap, backbone, death, follow_up)


@dataclass(frozen=True)
class SyntheticCohort:
    """A generated cohort.

    Attributes
    ----------
    tables : CourseTables
        Episodes, assessments, follow-up and procedures, as a registry import would give.
    lesions : pyarrow.Table or None
        Lesion measurements per scan (``patient_id``, ``date``, ``lesion_id``, ``organ``,
        ``diameter_mm``, ``new_lesions``), when requested.
    labs : pyarrow.Table
        Chromogranin A (``patient_id``, ``date``, ``analyte``, ``value``, ``unit``).
    truth : pyarrow.Table
        The lines as generated (``patient_id``, ``line``, ``regimen``, ``agents``,
        ``backbone``, ``start``, ``progression``).
    patients : pyarrow.Table
        Demographics used for records (``patient_id``, ``sex``, ``birth_date``, ``site``).
    counts : dict of str to int
        Events generated by kind (``episodes``, ``scans``, ``clinician_status``, ``labs``,
        ``procedures``, ``deaths``).
    """

    tables: CourseTables
    lesions: pa.Table | None
    labs: pa.Table
    truth: pa.Table
    patients: pa.Table
    counts: dict[str, int]

    @property
    def n_events(self) -> int:
        """All clinical events generated (the sum of :attr:`counts`)."""
        return sum(self.counts.values())

    def records(self, patient_ids: Any = None) -> list[Any]:
        """Build :class:`~netline.records.CaseRecord` objects (small cohorts; needs lesions).

        Parameters
        ----------
        patient_ids : iterable of int, optional
            Which patients (default: all).

        Raises
        ------
        InvalidInputError
            When the cohort was generated without lesion measurements.
        """
        from netline.course._synthetic_records import cohort_records

        if self.lesions is None:
            raise InvalidInputError.single(
                "lesions", None, "a cohort generated with with_lesions=True"
            )
        return cohort_records(self, patient_ids)
