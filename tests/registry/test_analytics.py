"""Cohort selection, Table 1, pathways, Kaplan-Meier and Cox on the demo registry."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netline.errors import InsufficientDataError, InvalidInputError
from netline.registry import (
    Cohort,
    cox,
    kaplan_meier,
    load_case_series,
    pathways,
    select_cohort,
    table1,
)
from netline.registry.analytics.cohort import ARROW, CohortSource
from netline.registry.analytics.colours import AGENT_COLOURS, colour_of


def test_selection_by_tumour_facts(demo_source: CohortSource, demo_cohort: Cohort) -> None:
    facts = demo_cohort.facts
    g2 = select_cohort(demo_source, grade="NET G2")
    assert g2.n == int((facts["grade"] == "NET G2").sum()) > 0
    assert set(g2.facts["grade"]) == {"NET G2"}
    low = select_cohort(demo_source, ki67=(None, 3.0))
    assert low.n > 0
    assert (low.facts["ki67_percent"] <= 3.0).all()
    functioning = select_cohort(demo_source, functioning=True)
    assert not functioning.facts["functioning_syndrome"].isin({"none", "unknown"}).any()
    site = select_cohort(demo_source, site=["pancreas_head"], stage="IV")
    assert set(site.facts["site"]) == {"pancreas_head"}
    assert set(site.facts["stage"]) == {"IV"}
    cutoff = dt.date(2014, 1, 1)
    early = select_cohort(demo_source, diagnosed_to=cutoff)
    assert all(d <= cutoff for d in early.facts["diagnosis"])
    assert "grade=NET G2" in g2.describe()


def test_selection_by_treatment(demo_source: CohortSource, demo_cohort: Cohort) -> None:
    second_prrt = select_cohort(demo_source, line=2, agent_class="radioligand")
    assert second_prrt.n > 0
    second = second_prrt.lines[second_prrt.lines["line"] == 2]
    assert all("radioligand" in c for c in second["classes"])
    evero = select_cohort(demo_source, agent="everolimus")
    assert all("everolimus" in s for s in evero.facts["sequence_regimen"])
    seq = select_cohort(demo_source, sequence=["ssa", "radioligand"])
    assert seq.n > 0
    assert all(s.startswith(f"ssa{ARROW}radioligand") for s in seq.facts["sequence_class"])
    three = select_cohort(demo_source, line=3)
    assert (three.facts["n_lines"] >= 3).all()
    assert set(three.lines["patient_id"]) == set(three.facts["patient_id"])
    with pytest.raises(InvalidInputError, match="line number of 1 or more"):
        select_cohort(demo_source, line=0)


def test_table1_counts_missing_values(demo_cohort: Cohort) -> None:
    result = table1(demo_cohort, by="grade")
    rows = {(var, level): cells for var, level, cells in result.rows}
    missing_grade = int(demo_cohort.facts["grade"].isna().sum())
    assert missing_grade > 0  # the demo registry leaves some Ki-67 unrecorded
    assert rows[("WHO grade", "missing")][0].startswith(f"{missing_grade} (")
    assert rows[("Ki-67 index, %", "missing")][0] == str(missing_grade)
    assert result.columns[0] == "All"
    assert "missing" in result.columns
    assert sum(result.n[1:]) == result.n[0] == demo_cohort.n
    for fmt in ("text", "markdown", "html"):
        assert "WHO grade" in result.render(fmt)
    assert json.loads(result.render("json"))["schema_version"] == "1"
    assert list(result.to_frame().columns[:2]) == ["variable", "level"]
    with pytest.raises(InvalidInputError, match="one of sex"):
        table1(demo_cohort, by="ki67_percent")
    with pytest.raises(ValueError, match="format"):
        result.render("pdf")


def test_pathways_show_numerator_and_denominator_and_suppress(demo_cohort: Cohort) -> None:
    result = pathways(demo_cohort, by="class", depth=2)
    text = result.render("text")
    assert f"/{result.denominator} (" in text
    assert "<5" in text
    data = result.to_dict()
    for row in data["sequences"]:
        assert row["suppressed"] == (row["n"] is None)
        assert row["n"] is None or row["n"] >= 5
    for link in data["transitions"]:
        assert link["n"] is None or link["n"] >= 5
    shown = pathways(demo_cohort, by="regimen", depth=2, suppress_below=0)
    assert not any(row["suppressed"] for row in shown.to_dict()["sequences"])


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    depth=st.integers(1, 4), threshold=st.integers(0, 12), by=st.sampled_from(["class", "regimen"])
)
def test_pathway_counts_add_up(demo_cohort: Cohort, depth: int, threshold: int, by: str) -> None:
    result = pathways(demo_cohort, by=by, depth=depth, suppress_below=threshold)  # type: ignore[arg-type]
    assert sum(n for _, n in result.sequences) == result.denominator
    first = [s for s in result.steps if s["step"] == 1]
    if depth > 1:
        assert sum(s["n"] for s in first) == result.denominator
    for step in range(2, depth):
        into = sum(
            s["n"]
            for s in result.steps
            if s["step"] == step - 1 and s["target"] != "no further line"
        )
        out = sum(s["n"] for s in result.steps if s["step"] == step)
        assert into == out
    for row in result.to_dict()["sequences"]:
        assert row["n"] is None or row["n"] >= threshold


def test_pathway_figures_use_one_colour_per_agent(demo_cohort: Cohort, tmp_path: Path) -> None:
    result = pathways(demo_cohort, by="regimen", depth=3, suppress_below=3)
    sankey = result.sankey()
    node = sankey.data[0].node
    for label, colour in zip(node.label, node.color, strict=True):
        name = label.split(": ", 1)[-1]
        if name != "no further line":
            assert colour == AGENT_COLOURS.get(name.split(" + ")[0], colour)
    sunburst = result.sunburst()
    colours = dict(zip(sunburst.data[0].labels, sunburst.data[0].marker.colors, strict=True))
    for label, colour in colours.items():
        assert colour == colour_of(label, "regimen")
    path = result.save(tmp_path / "pathways.html")
    assert "<html>" in path.read_text()[:100]
    with pytest.raises(InvalidInputError, match=r"\.html"):
        result.save(tmp_path / "pathways.png")


def test_kaplan_meier_by_first_line_class(demo_cohort: Cohort, tmp_path: Path) -> None:
    result = kaplan_meier(demo_cohort, "pfs", 1, by="class")
    assert result.logrank is not None
    assert 0 <= result.logrank["p"] <= 1
    assert sum(g.n for g in result.groups) == int((demo_cohort.lines["line"] == 1).sum())
    for group in result.groups:
        assert group.at_risk[0] == group.n
        assert list(group.at_risk) == sorted(group.at_risk, reverse=True)
        assert all(
            lo <= s <= hi
            for lo, s, hi in zip(group.lower, group.survival, group.upper, strict=True)
        )
    assert "Log-rank" in result.render("text")
    result.plot(tmp_path / "km.png")
    assert (tmp_path / "km.png").stat().st_size > 10_000
    overall = kaplan_meier(demo_cohort, "os", None)
    assert overall.logrank is None
    assert overall.groups[0].n == demo_cohort.n
    pfs2 = kaplan_meier(demo_cohort, "pfs2_ema", None, by="grade")
    assert pfs2.groups


def test_survival_inputs_are_checked(demo_cohort: Cohort) -> None:
    with pytest.raises(InvalidInputError, match="one of os, pfs"):
        kaplan_meier(demo_cohort, "dfs")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="regimen, class, sequence"):
        kaplan_meier(demo_cohort, "os", 1, by="colour")
    with pytest.raises(InvalidInputError, match="columns among"):
        cox(demo_cohort, ["shoe_size"])
    with pytest.raises(InsufficientDataError):
        kaplan_meier(demo_cohort, "pfs", 40)


def test_cox_with_prior_therapy_and_line(demo_cohort: Cohort) -> None:
    result = cox(demo_cohort, ["line", "prior_ssa", "prior_radioligand"], "pfs", (2, None))
    assert result.robust  # patients contribute several lines
    assert set(result.coefficients) == {"line", "prior_ssa", "prior_radioligand"}
    assert set(result.ph_test) == set(result.coefficients)
    assert result.n + result.dropped > 0
    assert "PH test p" in result.render("text")
    assert json.loads(result.render("json"))["robust"] is True


def test_case_series_is_the_knowledge_base_table() -> None:
    frame = load_case_series()
    assert len(frame) >= 9
    assert {"age_years", "response", "margin", "pfs_months"} <= set(frame.columns)
    assert frame["pfs_months"].isna().any()  # unknowns stay unknown


def test_demo_registry_keeps_every_generated_record() -> None:
    # the course generator no longer draws a follow-up before a therapy start (issue 9)
    from netline.registry.datasets import demo_records

    records = demo_records(1000, seed=2024)
    assert len(records) == 1000
    assert len({r.patient.id for r in records}) == len(records)
