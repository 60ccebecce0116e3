"""Figures verified against source text in the second round of issue 11.

Each test fails on the knowledge base before the change: it pins the figure, the reference it
cites and the tag it earned, and says in a comment where the text was read.
"""

from __future__ import annotations

from netline.evidence import KnowledgeBase, Verification
from netline.evidence.schema import Endpoint, Quantity, Trial


def _values(trial: Trial, endpoint_id: str) -> dict[str, Quantity]:
    endpoint: Endpoint | None = trial.endpoint(endpoint_id)
    assert endpoint is not None, endpoint_id
    return {value.arm: value.value for value in endpoint.values}


def test_moertel_1992_figures_are_the_abstracts(kb: KnowledgeBase) -> None:
    # Moertel 1992 abstract (PubMed 1310159): 105 patients; regression 69 % vs 45 %, P = 0.05;
    # time to progression 20 vs 6.9 months, P = 0.001; survival 2.2 vs 1.4 years, P = 0.004.
    trial = kb.trial("moertel1992")
    assert trial.n is not None
    assert (trial.n.value, trial.n.status) == (105, Verification.VERIFIED)
    response = _values(trial, "response")
    assert (response["stz_doxorubicin"].value, response["stz_5fu"].value) == (69, 45)
    ttp = _values(trial, "ttp")
    assert (ttp["stz_doxorubicin"].value, ttp["stz_5fu"].value) == (20, 6.9)
    os_ = _values(trial, "os")
    assert (os_["stz_doxorubicin"].value, os_["stz_5fu"].value) == (26.4, 16.8)
    for quantity in (*response.values(), *ttp.values(), *os_.values()):
        assert (quantity.ref, quantity.status) == ("moertel1992", Verification.VERIFIED)
    reference = kb.reference("moertel1992")
    assert (reference.pmid, reference.doi) == ("1310159", "10.1056/NEJM199202203260804")


def test_dilz_2015_reports_time_to_progression_with_its_interval(kb: KnowledgeBase) -> None:
    # Dilz 2015 abstract: 96 patients; ORR 42.7 %, SD 40.6 %, PD 16.7 %; median TTP 19.4
    # (13.6-25.2) months, OS 54.8 (34.7-74.9) months. TTP, not PFS.
    trial = kb.trial("dilz2015")
    assert trial.endpoint("pfs") is None
    ttp = _values(trial, "ttp")["stz_5fu"]
    assert (ttp.value, ttp.ci, ttp.status) == (19.4, (13.6, 25.2), Verification.VERIFIED)
    assert _values(trial, "os")["stz_5fu"].ci == (34.7, 74.9)
    rates = [_values(trial, e)["stz_5fu"].value for e in ("orr", "sd_rate", "pd_rate")]
    assert rates == [42.7, 40.6, 16.7]
    assert kb.reference("dilz2015").pmid == "25935542"


def test_clewemar_2016_figures_are_the_abstracts(kb: KnowledgeBase) -> None:
    # Clewemar Antonodimitrakis 2016 abstract (doi 10.1159/000439086): 133 patients, 100
    # evaluable; CR 3 % + PR 25 %, SD 64 %, PD 8 %; PFS 23 months; survival 51.9 months.
    trial = kb.trial("clewemar2016")
    orr = _values(trial, "orr")["stz_5fu"]
    assert (orr.value, orr.status) == (28, Verification.VERIFIED)
    assert _values(trial, "pfs")["stz_5fu"].value == 23
    assert _values(trial, "os")["stz_5fu"].value == 51.9
    assert kb.reference("clewemar2016").doi == "10.1159/000439086"


def test_sun1111_second_prior_line_subgroup_is_two_or_more(kb: KnowledgeBase) -> None:
    # A reproduced SUTENT product information (identity uncertain) counts previously treated
    # patients as "1 prior systemic therapy" or "2 or more": 29 sunitinib + 36 placebo.
    subgroup = next(s for s in kb.trial("sun1111").subgroups if s.id == "prior_lines_2_plus")
    lines = subgroup.criteria.prior_lines
    assert lines is not None
    assert (lines.min, lines.max) == (2, None)
    assert subgroup.n is not None
    assert (subgroup.n.value, subgroup.n.ref) == (65, "sutent_pi_reproduced")
    assert subgroup.n.status is Verification.UNCERTAIN
    assert kb.reference("sutent_pi_reproduced").status is Verification.UNCERTAIN


def test_radiant3_pneumonitis_stays_unconfirmed_everywhere(kb: KnowledgeBase) -> None:
    # Neither the NEJM text nor a label table could be read: 12 % is uncertain in the trial
    # and in the therapy's toxicity list alike.
    toxicity = next(t for t in kb.therapy("everolimus").toxicities if t.term == "pneumonitis")
    assert (toxicity.incidence_percent, toxicity.status) == (12, Verification.UNCERTAIN)
    safety = next(s for s in kb.trial("radiant3").safety if s.id == "pneumonitis")
    value = safety.values[0].value
    assert value.status is Verification.UNCERTAIN
    assert value.conflict is not None
    assert "21306238" in value.conflict


def test_every_guideline_statement_says_per_guideline_what_was_searched(kb: KnowledgeBase) -> None:
    # Guideline full texts could not be read (searched 2026-12-02): a statement is verified
    # only where a source entry names the section whose text was read (the ENETS 2023 NEC
    # abstract); the others stay recalled. Each guideline has a source entry saying what was
    # searched.
    guideline_statements = [s for s in kb.statements if s.from_guideline]
    assert len(guideline_statements) == 24
    verified = {s.id for s in guideline_statements if s.status is Verification.VERIFIED}
    assert verified == {"nec_carboplatin_etoposide_metastatic"}
    for statement in guideline_statements:
        by_guideline = {source.guideline: source for source in statement.sources}
        assert set(by_guideline) == set(statement.guidelines), statement.id
        for source in by_guideline.values():
            assert source.status is statement.status, statement.id
            assert source.note is not None
            assert "2026-12-02" in source.note, statement.id
            if source.status is Verification.VERIFIED:
                assert source.section, statement.id


def test_trial_evidence_after_the_guidelines_is_never_a_guidelines_word(kb: KnowledgeBase) -> None:
    # NETTER-2, CABINET and COMPETE are cited as trials: no guideline statement cites them.
    later = {"netter2", "cabinet", "compete"}
    for statement in kb.statements:
        if statement.from_guideline:
            assert later.isdisjoint(statement.evidence_trials), statement.id
            assert later.isdisjoint(statement.basis_trials), statement.id
