"""The published case series: rows kept as printed, summary computed and matching the report."""

from __future__ import annotations

from netline.evidence import KnowledgeBase, summarise_case_series
from netline.evidence.cases import case_rows


def test_stated_figures_are_reproduced(kb: KnowledgeBase) -> None:
    summary = summarise_case_series(kb=kb)
    assert summary.consistent
    assert summary.n_cases == 10
    assert summary.excluded == (10,)
    expected = {
        "operated_cases": (9, 9),
        "objective_response": (6, 6),
        "progressive_disease": (1, 1),
        "r0_resection": (7, 7),
        "liver_metastases": (6, 6),
        "liver_resection": (4, 5),
        "r0_liver_resection": (3, 4),
        "no_liver_resection_after_cr": (1, 1),
    }
    for count_id, (low, high) in expected.items():
        count = summary.count(count_id)
        assert (count.low, count.high) == (low, high), count_id
        assert count.consistent, count_id
    assert summary.count("objective_response").denominator == 9


def test_how_the_counts_arise(kb: KnowledgeBase) -> None:
    summary = summarise_case_series(kb=kb)
    response = summary.count("objective_response")
    assert response.certain == (1, 2, 3, 4, 5, 9)  # cases 3 and 9 are PR-CR
    assert summary.count("progressive_disease").certain == (6,)
    liver = summary.count("liver_resection")
    assert liver.certain == (2, 5, 7, 9)
    assert liver.possible == (8,)
    assert liver.stated == 5  # the report's figure needs case 8 to have had a liver resection
    r0_liver = summary.count("r0_liver_resection")
    assert r0_liver.certain == (2, 7, 9)
    assert r0_liver.possible == (8,)
    assert summary.count("no_liver_resection_after_cr").certain == (3,)
    values = {v.id: v for v in summary.values}
    assert values["regrowth_after_non_r0_liver_resection"].case_numbers == (5,)
    assert values["regrowth_after_non_r0_liver_resection"].values == (57.0,)
    assert values["liver_free_after_cr"].values == (22.0,)
    assert all(v.consistent for v in summary.values)
    assert str(liver) == "4–5"


def test_descriptives(kb: KnowledgeBase) -> None:
    age, pfs = summarise_case_series(kb=kb).descriptives
    assert (age.n_known, age.n_unknown, age.median) == (6, 3, 49.0)
    assert (pfs.n_known, pfs.minimum, pfs.maximum, pfs.median) == (9, 8.2, 116.2, 18.0)


def test_unknowns_stay_unknown(kb: KnowledgeBase) -> None:
    case4 = kb.case("case04_barber2012")
    assert case4.unresectable_factors is None
    assert case4.surgery.procedures is None
    assert case4.surgery.liver_resection is None
    for number in (6, 7, 8):
        case = kb.cases_in("umino2024_table1")[number - 1]
        assert case.age_years is None
        assert case.prior_therapy_possible
    case10 = kb.case("case10_sowastaszczak2011")
    assert not case10.surgery.performed
    assert case10.margin is None
    assert case10.pfs_months is None


def test_case_rows_keep_every_column(kb: KnowledgeBase) -> None:
    rows = case_rows(kb=kb)
    assert len(rows) == 10
    assert len(rows[0]) == 12
    assert rows[3]["unresectable factors"] == "not mentioned"
    assert rows[3]["conversion surgery"] == "Not mentioned"
    assert rows[5]["age"] == "– (not given)"
    assert rows[9]["R"] == "– (not operated)"
    assert rows[4]["PFS (months)"] == "57.0"


def test_summary_follows_the_data(kb: KnowledgeBase) -> None:
    """Change a row and the computed summary changes: nothing is hard-coded."""
    import copy

    from netline.evidence import load_knowledge_base, read_knowledge_base_data

    raw = copy.deepcopy(read_knowledge_base_data())
    case8 = next(c for c in raw["cases"]["cases"] if c["case_number"] == 8)
    case8["surgery"]["procedures"] = ["partial_hepatectomy"]
    summary = summarise_case_series(kb=load_knowledge_base(raw))
    liver = summary.count("liver_resection")
    assert (liver.low, liver.high) == (5, 5)
    assert summary.count("r0_liver_resection").low == 4
