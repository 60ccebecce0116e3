"""Guideline conditions, eligibility criteria, dose rules and decision rules evaluate as data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netline.evidence import KnowledgeBase
from netline.evidence.schema import (
    Burden,
    Criterion,
    CriterionKind,
    DiseaseCourse,
    Grade,
    Profile,
    Range,
    SiteGroup,
)
from netline.records.vocabulary import AgentClass, Differentiation, FunctioningSyndrome


def _evaluate(profile: Profile, facts: dict[str, object]) -> dict[str, bool | None]:
    """Criterion id -> holds (True), fails (False), unknown (None); 'unless' waives."""
    results: dict[str, bool | None] = {}
    for criterion in profile.criteria:
        result = criterion.evaluate(facts.get(criterion.field))
        if (
            result is False
            and criterion.unless
            and all(t.evaluate(facts.get(t.field)) is True for t in criterion.unless)
        ):
            result = True
        results[criterion.id] = result
    return results


PNET_AFTER_SSA = {
    "site": SiteGroup.PANCREAS,
    "differentiation": Differentiation.WELL,
    "grade": Grade.G2,
    "ki67_percent": 8.0,
    "sstr_positive": True,
    "disease_course": DiseaseCourse.PROGRESSIVE,
    "prior_classes": {AgentClass.SSA},
    "prior_non_ssa_lines": 0,
    "advanced": True,
    "progression_on_ssa": True,
}


def test_progressive_after_ssa_statement(kb: KnowledgeBase) -> None:
    statement = kb.statement("progressive_after_ssa")
    assert statement.condition.evaluate(PNET_AFTER_SSA) is True
    options = {o.target: o for o in statement.options}
    assert "cabozantinib" not in options  # CABINET (2025) postdates ENETS 2023 and ESMO 2020
    cabinet = kb.statement("cabinet_cabozantinib").condition
    assert cabinet.evaluate(PNET_AFTER_SSA) is False
    assert cabinet.evaluate({**PNET_AFTER_SSA, "prior_non_ssa_lines": 1}) is True
    naive = {**PNET_AFTER_SSA, "prior_classes": set()}
    assert statement.condition.evaluate(naive) is False


def test_condition_unknown_facts_give_none(kb: KnowledgeBase) -> None:
    condition = kb.statement("nfpnet_ssa_ki67_below_10").condition
    partial = {"site": SiteGroup.PANCREAS, "ki67_percent": 5.0}
    assert condition.evaluate(partial) is None
    assert condition.evaluate({**partial, "ki67_percent": 10.0}) is False


def test_condition_any_of(kb: KnowledgeBase) -> None:
    condition = kb.statement("nfpnet_cytoreduction").condition
    base = {
        "site": SiteGroup.PANCREAS,
        "differentiation": Differentiation.WELL,
        "grade": Grade.G2,
        "advanced": True,
    }
    assert condition.evaluate({**base, "ki67_percent": 15.0}) is True
    low = {
        **base,
        "ki67_percent": 5.0,
        "tumour_burden": Burden.LOW,
        "disease_course": DiseaseCourse.STABLE,
        "symptomatic": False,
    }
    assert condition.evaluate(low) is False
    assert condition.evaluate({**low, "tumour_burden": Burden.HIGH}) is True


def test_systemic_statements_are_for_advanced_disease(kb: KnowledgeBase) -> None:
    """ENETS 2023 (Kos-Kudła 2023) and NCCN discuss systemic therapy for advanced disease
    (locoregional unresectable or metastatic): a resectable localised tumour or no evidence of
    disease after resection is outside their population, and an open setting only possibly in.
    """
    statement = kb.statement("progressive_after_ssa")
    assert statement.condition.evaluate({**PNET_AFTER_SSA, "advanced": False}) is False
    assert statement.condition.evaluate({**PNET_AFTER_SSA, "advanced": None}) is None
    for key in (
        "nccn_symptomatic_bulky",
        "nfpnet_cytoreduction",
        "netter2_first_line_prrt",
        "g3_net",
        "insulinoma_malignant",
    ):
        assert kb.statement(key).condition.advanced is True, key


def test_insulinoma_statement(kb: KnowledgeBase) -> None:
    """Malignant insulinoma: the statement is for metastatic disease (ENETS 2023 functioning,
    Hofland 2023); a localised insulinoma is cured by resection, not by everolimus or PRRT."""
    statement = kb.statement("insulinoma_malignant")
    insulinoma = {"functioning": FunctioningSyndrome.INSULINOMA}
    assert statement.condition.evaluate({**insulinoma, "advanced": True}) is True
    assert statement.condition.evaluate({**insulinoma, "advanced": False}) is False
    ssa = next(o for o in statement.options if o.agent_class is AgentClass.SSA)
    assert ssa.preference.value == "reserved"


def test_netter1_profile(kb: KnowledgeBase) -> None:
    profile = kb.default_profile("prrt_eligibility")
    patient = {
        "krenning_score": 3,
        "sstr_uptake_all_lesions": True,
        "grade": "G2",
        "ki67_percent": 12,
        "karnofsky": 80,
        "creatinine_clearance_ml_min": 45,
        "haemoglobin_g_dl": 11.2,
        "wbc_10e9_l": 4.1,
        "platelets_10e9_l": 160,
        "bilirubin_x_uln": 0.8,
        "albumin_g_dl": 2.8,
        "prothrombin_time_normal": True,
        "site": "pancreas",
        "progression_on_ssa": True,
    }
    results = _evaluate(profile, patient)
    failed = {c.id: c.kind for c in profile.criteria if results[c.id] is False}
    assert failed == {"renal": CriterionKind.HARD, "site": CriterionKind.POPULATION}
    assert results["albumin"] is True  # waived: prothrombin time normal
    renal = next(c for c in profile.criteria if c.id == "renal")
    assert renal.status.value == "recalled"


def test_erasmus_renal_alternative(kb: KnowledgeBase) -> None:
    profile = kb.profile("prrt_erasmus")
    results = _evaluate(
        profile, {"serum_creatinine_umol_l": 170, "creatinine_clearance_ml_min": 48}
    )
    assert results["renal"] is True
    results = _evaluate(
        profile, {"serum_creatinine_umol_l": 170, "creatinine_clearance_ml_min": 35}
    )
    assert results["renal"] is False


def test_dose_modification_rules(kb: KnowledgeBase) -> None:
    profile = kb.profile("lu177_dotatate_label")
    rules = {r.id: r for r in profile.rules}
    platelets = rules["thrombocytopenia"]
    assert platelets.applies(2)
    assert not platelets.applies(1)
    assert platelets.resume_activity_gbq == 3.7
    assert platelets.rechallenge_activity_gbq == 7.4
    assert platelets.discontinue_if_delay_weeks_at_least == 16
    assert not rules["anaemia_or_neutropenia"].applies(2)
    assert rules["renal"].applies(facts={"creatinine_clearance_ml_min": 35})
    assert rules["renal"].applies(facts={"creatinine_rise_percent": 45})
    assert not rules["renal"].applies(facts={"creatinine_clearance_ml_min": 55})
    hepatic = rules["hepatic"]
    assert not hepatic.applies(facts={"albumin_g_l": 28})  # needs the prothrombin ratio too
    assert hepatic.applies(facts={"albumin_g_l": 28, "prothrombin_ratio_percent": 60})
    assert rules["lymphopenia"].action.value == "no_modification"
    assert profile.standard_dose[0].amount == 7.4


@pytest.mark.parametrize(
    ("facts", "outcome"),
    [
        ({"ascites_uncontrolled": True, "bilirubin_mg_dl": 0.8}, "no_hepatectomy"),
        ({"ascites_uncontrolled": False, "bilirubin_mg_dl": 2.0}, "no_hepatectomy"),
        ({"ascites_uncontrolled": False, "bilirubin_mg_dl": 1.7}, "enucleation_only"),
        ({"ascites_uncontrolled": False, "bilirubin_mg_dl": 1.2}, "limited_resection"),
        (
            {"ascites_uncontrolled": False, "bilirubin_mg_dl": 0.7, "icg_r15_percent": 3.3},
            "up_to_hemihepatectomy_or_trisectionectomy",
        ),
        (
            {"ascites_uncontrolled": False, "bilirubin_mg_dl": 0.7, "icg_r15_percent": 15},
            "left_hepatectomy_or_right_sectionectomy",
        ),
        (
            {"ascites_uncontrolled": False, "bilirubin_mg_dl": 0.7, "icg_r15_percent": 25},
            "segmentectomy",
        ),
        (
            {"ascites_uncontrolled": False, "bilirubin_mg_dl": 0.7, "icg_r15_percent": 35},
            "limited_resection",
        ),
        (
            {"ascites_uncontrolled": False, "bilirubin_mg_dl": 0.7, "icg_r15_percent": 45},
            "enucleation_only",
        ),
    ],
)
def test_makuuchi_first_rule_that_holds(
    kb: KnowledgeBase, facts: dict[str, object], outcome: str
) -> None:
    rules = kb.profile("makuuchi_1993").decision_rules
    fired = next(rule for rule in rules if rule.evaluate(facts) is True)
    assert fired.outcome == outcome


def test_liver_profiles(kb: KnowledgeBase) -> None:
    seventy = kb.profile("liver_debulking_70")
    ninety = kb.profile("liver_debulking_90")
    facts = {
        "differentiation": "well",
        "expected_debulking_percent": 80,
        "extra_abdominal_metastases": False,
    }
    assert all(_evaluate(seventy, facts).values())
    assert _evaluate(ninety, facts)["debulking"] is False
    milan = _evaluate(kb.profile("milan_net"), {"liver_involvement_percent": 60, "age_years": 52})
    assert milan["liver_involvement"] is False
    assert milan["age"] is True


def test_criterion_describe() -> None:
    criterion = Criterion(
        id="x",
        label="x",
        field="platelets_10e9_l",
        operator="ge",
        threshold=75,
        unit="10^9/L",
        kind="hard",
        ref="r",
        status="verified",
    )
    assert criterion.describe() == "platelets_10e9_l ≥ 75 10^9/L"


@given(
    st.floats(-1000, 1000, allow_nan=False),
    st.floats(-1000, 1000, allow_nan=False),
    st.floats(-2000, 2000, allow_nan=False),
)
def test_range_contains_matches_bounds(a: float, b: float, x: float) -> None:
    low, high = min(a, b), max(a, b)
    interval = Range(min=low, max=high, max_inclusive=False)
    assert interval.contains(x) == (low <= x < high)


def test_liver_transplant_statement_is_for_liver_only_disease(kb: KnowledgeBase) -> None:
    """Liver transplantation for selected liver-only disease (ENETS 2016 liver metastases,
    Pavel 2016; Milan-NET, Mazzaferro 2007): a bone metastasis puts a patient outside it."""
    condition = kb.statement("liver_transplant_selected").condition
    g2 = {"differentiation": "well", "grade": "G2"}
    assert condition.evaluate({**g2, "extra_abdominal_metastases": True}) is False
    assert condition.evaluate({**g2, "extra_abdominal_metastases": False}) is True
    assert condition.evaluate(g2) is None


def test_after_ssa_statements_need_progression_on_the_ssa(kb: KnowledgeBase) -> None:
    """ "Progressing after an SSA" (ENETS 2023 NF-pNET, NCCN, NANETS/SNMMI on NETTER-1, which
    enrolled patients progressing on octreotide LAR) is SSA failure: an SSA stopped for surgery
    followed by a recurrence off therapy is outside it."""
    for key in ("progressive_after_ssa", "nccn_progression_options", "nanets_prrt_after_ssa"):
        condition = kb.statement(key).condition
        assert condition.evaluate({**PNET_AFTER_SSA, "progression_on_ssa": False}) is False, key
        assert condition.evaluate({**PNET_AFTER_SSA, "progression_on_ssa": True}) is True, key
