"""Bundled datasets: the synthetic demo registry and the published case series.

``load_demo_registry`` builds synthetic patients with the course engine's generator and adds
synthetic tumour facts (Ki-67, differentiation, functioning status) drawn from a seeded
generator, so that every example runs the same way on every machine. No patient data.
``load_case_series`` returns the published conversion-surgery cases of the knowledge base.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from netline.records.model import CaseRecord
from netline.registry import _course
from netline.registry.analytics.cohort import CohortSource

__all__ = ["demo_records", "load_case_series", "load_demo_registry"]

_SYNDROMES = ("none", "insulinoma", "gastrinoma", "vipoma", "glucagonoma")
_SYNDROME_WEIGHTS = (0.85, 0.05, 0.04, 0.03, 0.03)


def demo_records(n: int = 200, seed: int = 2024) -> list[CaseRecord]:
    """Return ``n`` synthetic records: the course generator's, with synthetic tumour facts.

    Ki-67 (%) is drawn log-normally (median about 5 %, capped at 60 %), 20 % of patients
    have none recorded (to show missing values), and 15 % have a functioning syndrome. These
    are illustrative draws, not estimates from any population. A generated patient whose
    record fails validation is left out, so fewer than ``n`` records may be returned.
    """
    cohort = _course.synthetic_cohort(n, seed=seed)
    generated = _generated_records(cohort, n)
    rng = np.random.default_rng(seed)
    ki67 = np.minimum(np.round(np.exp(rng.normal(np.log(5.0), 0.9, n)), 1), 60.0)
    recorded = rng.random(n) >= 0.2
    syndrome = rng.choice(len(_SYNDROMES), size=n, p=_SYNDROME_WEIGHTS)
    out = []
    for i, record in enumerate(generated):
        if record is None:
            continue
        data = record.model_dump(mode="json")
        data["primary"]["functioning_syndrome"] = _SYNDROMES[int(syndrome[i])]
        if recorded[i]:
            data["primary"]["histology"] = {
                "specimen": "primary",
                "differentiation": "well",
                "ki67_percent": float(ki67[i]),
            }
        out.append(CaseRecord.model_validate(data))
    return out


def _generated_records(cohort: Any, n: int) -> list[CaseRecord | None]:
    """Build the generator's records; one that fails validation is left out (``None``).

    The course generator can draw a last follow-up a few days before a therapy start (a
    known issue of ``netline.course``); such a patient is dropped rather than repaired.
    """
    from pydantic import ValidationError

    def build(ids: list[int]) -> list[CaseRecord | None]:
        try:
            return list(cohort.records(ids))
        except ValidationError:
            if len(ids) == 1:
                return [None]
            half = len(ids) // 2
            return build(ids[:half]) + build(ids[half:])

    return build(list(range(1, n + 1)))


def load_demo_registry(n: int = 200, seed: int = 2024) -> CohortSource:
    """Load the synthetic demo registry (patient facts and course tables).

    Parameters
    ----------
    n : int
        Number of patients.
    seed : int
        Seed: the same seed gives the same registry.

    Returns
    -------
    CohortSource
        Pass it to :func:`netline.registry.select_cohort`.

    Examples
    --------
    >>> from netline.registry import load_demo_registry, select_cohort, table1
    >>> cohort = select_cohort(load_demo_registry(60))  # doctest: +SKIP
    >>> print(table1(cohort).render("text"))  # doctest: +SKIP
    """
    from netline.registry._facts import facts_table

    records = demo_records(n, seed)
    facts = facts_table(records)
    return CohortSource(facts, _course.tables_from_records(records))


def load_case_series(series: str = "umino2024_table1") -> Any:
    """Load a published case series of the knowledge base as a pandas DataFrame.

    One row per case: ``case``, ``year``, ``age_years``, ``sex``, ``liver_metastasis``,
    ``response``, ``operated``, ``margin``, ``pfs_months``; unknown values are missing,
    never guessed. The source and verification status of each row are in the knowledge base
    (``netline evidence cases``).
    """
    import pandas as pd  # type: ignore[import-untyped]

    from netline.evidence.loader import load_knowledge_base

    kb = load_knowledge_base()
    rows = [
        {
            "case": case.case_number,
            "year": case.year,
            "age_years": case.age_years,
            "sex": case.sex,
            "liver_metastasis": case.liver_metastasis,
            "response": None if case.response is None else case.response.value,
            "operated": case.surgery.performed,
            "margin": None if case.margin is None else case.margin.value,
            "pfs_months": case.pfs_months,
        }
        for case in kb.cases_in(series)
    ]
    return pd.DataFrame(rows)
