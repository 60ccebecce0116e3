"""Trial-based statements are time-aware like their trials (issue #12, item 6).

COMPETE (Walter et al., Lancet 2026; 177Lu-edotreotide vs everolimus) was published years after
the seed case's 2018 decision to start an SSA. Its trial-based statement must not count as
support then: a 2018 tumour board could not have known it, and counting it put 177Lu-edotreotide
third in first line, ahead of every option the guidelines of the time named.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from netline.advice import Advice, advise
from netline.records import load_case

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed-case.yaml"


@pytest.fixture(scope="module")
def before_compete() -> Advice:
    return advise(load_case(SEED), dt.date(2018, 7, 15))


def test_later_trial_statement_is_not_support(before_compete: Advice) -> None:
    option = before_compete.option("lu177_edotreotide")
    assert "compete_prrt_vs_everolimus" not in [m.statement_id for m in option.guideline]
    assert any(
        "compete_prrt_vs_everolimus" in point.text and "after the decision date" in point.text
        for point in option.cautions
    )


def test_later_trial_statement_does_not_rank_prrt_first_line(before_compete: Advice) -> None:
    top = [option.key for option in before_compete.ranked[:3]]
    assert "lu177_edotreotide" not in top
    assert top[0] == "lanreotide"


def test_the_statement_counts_once_published() -> None:
    advice = advise(load_case(SEED), dt.date(2026, 12, 1))
    option = advice.option("lu177_edotreotide")
    assert not any("compete_prrt_vs_everolimus" in point.text for point in option.cautions)
