"""The knowledge-base corrections of issue 11, each pinned to its source and tag.

Every test here fails on the knowledge base before the corrections: it asserts the figure,
the reference it cites and the verification it earns.
"""

from __future__ import annotations

from netline.evidence import KnowledgeBase, Verification
from netline.evidence.schema import Endpoint, Quantity, Subgroup, Trial


def _subgroup(trial: Trial, subgroup_id: str) -> Subgroup:
    return next(s for s in trial.subgroups if s.id == subgroup_id)


def _hr(endpoint: Endpoint) -> Quantity:
    comparison = endpoint.hazard_ratio
    assert comparison is not None
    assert comparison.estimate is not None
    return comparison.estimate


def _endpoint(trial: Trial, endpoint_id: str) -> Endpoint:
    endpoint = trial.endpoint(endpoint_id)
    assert endpoint is not None
    return endpoint


def test_pazonet_headline_is_the_review_and_asco_2013_the_alternative(kb: KnowledgeBase) -> None:
    # Grande 2016 (seed document 003): 11.7 (9.7-13.7) vs 4.2 (3.3-5.1) months, P = 0.043.
    factor = kb.trial("pazonet").prognostic_factors[0]
    with_ssa, alone = (level.value for level in factor.levels)
    assert (with_ssa.value, with_ssa.ci) == (11.7, (9.7, 13.7))
    assert (alone.value, alone.ci) == (4.2, (3.3, 5.1))
    for level in (with_ssa, alone):
        assert level.status is Verification.VERIFIED
        assert level.reported_in == "grande2016"
        (earlier,) = level.alternatives
        assert earlier.ref == "grande2013_asco"
        assert earlier.status is Verification.RECALLED
    assert [a.value for a in (*with_ssa.alternatives, *alone.alternatives)] == [11.9, 4.8]
    assert factor.p_value is not None
    assert factor.p_value.value == 0.043


def test_radiant3_prior_ssa_hrs_come_from_the_review(kb: KnowledgeBase) -> None:
    trial = kb.trial("radiant3")
    prior = _hr(_subgroup(trial, "prior_ssa").endpoints[0])
    naive = _hr(_subgroup(trial, "no_prior_ssa").endpoints[0])
    assert (prior.value, prior.ci) == (0.40, (0.28, 0.57))
    assert (naive.value, naive.ci) == (0.36, (0.25, 0.51))
    for hr in (prior, naive):
        assert (hr.ref, hr.reported_in, hr.status) == (
            "yao2011",
            "grande2016",
            Verification.VERIFIED,
        )
        # the ASCO 2011 report's identity is uncertain, so its figures cannot be verified
        assert all(a.status is not Verification.VERIFIED for a in hr.alternatives)
    assert kb.reference("pavel2011_asco").status is Verification.UNCERTAIN


def test_radiant3_chemotherapy_naive_hr_has_no_spurious_conflict(kb: KnowledgeBase) -> None:
    # The review and Lombard-Bohas 2015 both give 0.42; the "≈ 0.34" conflict was spurious.
    hr = _hr(_subgroup(kb.trial("radiant3"), "chemotherapy_naive").endpoints[0])
    assert (hr.value, hr.ci) == (0.42, (0.29, 0.60))
    assert not hr.in_conflict
    assert hr.verified


def test_radiant3_pneumonitis_is_marked_unchecked(kb: KnowledgeBase) -> None:
    item = next(s for s in kb.trial("radiant3").safety if s.id == "pneumonitis")
    value = item.values[0].value
    assert value.value == 12
    assert value.status is Verification.UNCERTAIN
    assert value.conflict is not None
    assert "17 %" in value.conflict


def test_sun1111_two_prior_lines_fall_into_a_subgroup(kb: KnowledgeBase) -> None:
    # "0 or 1" and "more than two" left exactly two prior lines in no subgroup.
    for lines, expected in (
        (0, "prior_lines_0_1"),
        (1, "prior_lines_0_1"),
        (2, "prior_lines_2_plus"),
    ):
        found = kb.subgroups_for("sun1111", prior_lines=lines, dimension="prior_lines")
        assert [s.id for s in found] == [expected]
    notes = " ".join(_subgroup(kb.trial("sun1111"), "prior_lines_2_plus").notes)
    assert "uncertain" in notes.lower()


def test_compete_pancreatic_subgroup_and_citation(kb: KnowledgeBase) -> None:
    trial = kb.trial("COMPETE")
    hr = _hr(_subgroup(trial, "pnet").endpoints[0])
    assert (hr.value, hr.ci) == (0.70, (0.45, 1.09))
    assert hr.ci is not None
    assert hr.ci[0] < 1 < hr.ci[1]
    assert hr.status is Verification.RECALLED
    reference = kb.reference("walter2026")
    assert reference.source == "Lancet"
    assert reference.year == 2026
    assert reference.title is not None
    assert "COMPETE" in reference.title
    assert reference.status is not Verification.UNCERTAIN


def test_seqtor_intervals_birc_p_values_and_pfs1_rates(kb: KnowledgeBase) -> None:
    trial = kb.trial("SEQTOR")
    rate = _endpoint(trial, "pfs1_rate_12m")
    assert rate.primary
    assert rate.value_for("everolimus_first") is not None
    everolimus = rate.value_for("everolimus_first")
    stz = rate.value_for("stz_first")
    assert everolimus is not None
    assert stz is not None
    assert (everolimus.value, everolimus.ci) == (71.4, (59.4, 81.6))
    assert (stz.value, stz.ci) == (61.8, (49.2, 73.3))
    birc = _endpoint(trial, "pfs1_rate_12m_birc")
    assert [v.value.value for v in birc.values] == [69.5, 63.6]
    assert birc.comparisons[0].p_value is not None
    assert birc.comparisons[0].p_value.value == 0.677
    pfs1 = _endpoint(trial, "pfs1")
    assert _hr(pfs1).ci == (0.77, 1.75)
    assert pfs1.hazard_ratio is not None
    assert pfs1.hazard_ratio.p_value is not None
    assert pfs1.hazard_ratio.p_value.value == 0.474
    orr_birc = _endpoint(trial, "orr_first_treatment_birc")
    assert orr_birc.comparisons[0].p_value is not None
    assert orr_birc.comparisons[0].p_value.value == 0.004
    for quantity in (everolimus, stz, _hr(pfs1)):
        assert quantity.reported_in == "cancernetwork2026_seqtor"


def test_seqtor_pfs2_is_named_as_the_pfs_of_the_second_treatment(kb: KnowledgeBase) -> None:
    trial = kb.trial("SEQTOR")
    assert trial.endpoint("pfs2") is None
    second = _endpoint(trial, "pfs_second_treatment")
    assert second.label is not None
    assert "second treatment" in second.label
    assert second.kind.value == "pfs"  # not netline's PFS2 (first-line start to 2nd progression)
    assert _hr(second).ci == (0.94, 2.73)
    assert _endpoint(trial, "pfs_second_treatment_birc").values[1].value.value == 10.7


def test_streptozocin_and_captem_series_are_present(kb: KnowledgeBase) -> None:
    moertel = kb.trial("Moertel 1992")
    assert {a.therapies[0] for a in moertel.arms} == {"stz_doxorubicin", "stz_5fu"}
    assert moertel.response_criteria is not None
    assert "non-RECIST" in moertel.response_criteria.name
    assert "historical" in moertel.population.description
    for name in ("Dilz 2015", "Clewemar Antonodimitrakis 2016", "Strosberg 2011"):
        trial = kb.trial(name)
        assert trial.design.value == "retrospective"
        assert trial.design_rank == 2
    stz_trials = {t.id for t in kb.trials_for("streptozocin")}
    assert {"moertel1992", "dilz2015", "clewemar2016", "seqtor"} <= stz_trials


def test_prrt_ki67_caveat_is_the_case_reports_statement(kb: KnowledgeBase) -> None:
    fact = next(f for f in kb.therapy("lu177_dotatate").facts if f.id == "less_effective_ki67")
    value = fact.value
    assert value.ref == "umino2024"
    assert value.reported_in is None
    assert "case report" in fact.label
    assert {"singh2024", "baudin2022", "walter2026"} <= set(value.see_also)
    assert value.note is not None
    assert "10-55 %" in value.note


def test_guideline_statements_cite_no_later_trial(kb: KnowledgeBase) -> None:
    later = {"netter2", "cabinet", "compete"}
    for statement in kb.statements:
        if not statement.from_guideline:
            continue
        assert not later & set(statement.evidence_trials), statement.id
        assert "cabozantinib" not in {o.target for o in statement.options}, statement.id
    basis = {t for s in kb.statements for t in s.basis_trials}
    assert later <= basis
