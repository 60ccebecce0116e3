"""The query API: lookups, trial and subgroup queries, search, conflicts, formatting."""

from __future__ import annotations

import importlib

import pytest

from netline.errors import UnknownKeyError
from netline.evidence import KnowledgeBase, format_quantity, load_knowledge_base, site_groups
from netline.evidence.schema import SiteGroup, Verification
from netline.records.vocabulary import Agent, AgentClass, PrimarySite


def test_public_all_is_curated() -> None:
    module = importlib.import_module("netline.evidence")
    assert module.__all__ == sorted(module.__all__)
    for name in module.__all__:
        assert getattr(module, name) is not None
    with pytest.raises(AttributeError):
        module.does_not_exist  # noqa: B018


def test_bundled_knowledge_base_is_cached(kb: KnowledgeBase) -> None:
    assert load_knowledge_base() is kb


def test_counts(kb: KnowledgeBase) -> None:
    assert len(kb.therapies) >= 25
    assert len(kb.trials) >= 17
    assert len(kb.cases) == 10
    assert kb.version == "1.0.0"


@pytest.mark.parametrize(
    "name",
    [
        "CLARINET",
        "PROMID",
        "RADIANT-3",
        "SUN-1111",
        "A6181111",
        "NETTER-1",
        "NETTER-2",
        "COMPETE",
        "SEQTOR",
        "E2211",
        "CABINET",
        "PAZONET",
        "OCLURANDOM",
        "Yordanova 2018",
        "Prasad 2020",
    ],
)
def test_named_trials_exist(kb: KnowledgeBase, name: str) -> None:
    assert kb.trial(name).name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("lanreotide", "lanreotide"),
        ("octreotide LAR", "octreotide_lar"),
        ("Afinitor", "everolimus"),
        ("Sutent", "sunitinib"),
        ("cabozantinib", "cabozantinib"),
        ("pazopanib", "pazopanib"),
        ("surufatinib", "surufatinib"),
        ("CAPTEM", "captem"),
        ("temozolomide", "temozolomide"),
        ("STZ/5-FU", "stz_5fu"),
        ("streptozocin + doxorubicin", "stz_doxorubicin"),
        ("Lutathera", "lu177_dotatate"),
        ("177Lu-DOTATOC", "lu177_edotreotide"),
        ("90Y-DOTATOC", "y90_dotatoc"),
        ("IFN-alpha", "interferon_alfa"),
        ("cisplatin_etoposide", "cisplatin_etoposide"),
        ("TACE", "tace"),
        ("SIRT", "tare_sirt"),
        ("RFA", "rfa"),
        ("MWA", "mwa"),
        ("liver_transplantation", "liver_transplantation"),
    ],
)
def test_therapy_lookup(kb: KnowledgeBase, name: str, expected: str) -> None:
    assert kb.therapy(name).id == expected


def test_therapy_by_agent_enum(kb: KnowledgeBase) -> None:
    assert kb.therapy(Agent.EVEROLIMUS).id == "everolimus"
    assert kb.therapy("captem").agent_classes == (
        AgentClass.ANTIMETABOLITE_CHEMOTHERAPY,
        AgentClass.ALKYLATING_CHEMOTHERAPY,
    )


def test_unknown_ids_suggest(kb: KnowledgeBase) -> None:
    with pytest.raises(UnknownKeyError, match="did you mean radiant3"):
        kb.trial("radiant-4")
    with pytest.raises(UnknownKeyError, match="reference"):
        kb.reference("yao2012")
    with pytest.raises(UnknownKeyError):
        kb.profile("prrt")
    with pytest.raises(UnknownKeyError):
        kb.statement("nothing")


def test_trials_for_agent_and_site(kb: KnowledgeBase) -> None:
    ids = [t.id for t in kb.trials_for("everolimus", site="pancreas")]
    assert ids == ["radiant3", "seqtor", "compete", "angelousi2017", "daskalakis2019"]
    assert [t.id for t in kb.trials_for("capecitabine")] == ["e2211", "strosberg2011"]
    assert "cabinet" in [
        t.id for t in kb.trials_for(AgentClass.TKI, site=PrimarySite.PANCREAS_TAIL)
    ]
    midgut = [t.id for t in kb.trials_for(site="jejunum_ileum")]
    assert "netter1" in midgut
    assert "radiant3" not in midgut


def test_trials_for_line(kb: KnowledgeBase) -> None:
    first_line = [t.id for t in kb.trials_for("lu177_dotatate", line=1)]
    assert "netter2" in first_line
    assert "compete" not in [t.id for t in kb.trials_for("radioligand", line=3)]


def test_subgroups_for_prior_therapy(kb: KnowledgeBase) -> None:
    ids = [s.id for s in kb.subgroups_for("radiant3", prior_classes={"ssa"})]
    assert ids == ["prior_ssa", "chemotherapy_naive"]
    ids = [
        s.id
        for s in kb.subgroups_for("radiant3", prior_classes={AgentClass.ALKYLATING_CHEMOTHERAPY})
    ]
    assert ids == ["no_prior_ssa", "prior_chemotherapy"]
    ids = [s.id for s in kb.subgroups_for("pazonet", prior_classes={"tki", "mtor_inhibitor"})]
    assert ids == ["prior_both"]
    ids = [s.id for s in kb.subgroups_for("sun1111", prior_lines=4, dimension="prior_lines")]
    assert ids == ["prior_lines_2_plus"]
    assert [s.id for s in kb.subgroups_for("cabinet", site="pancreas")] == ["pnet_cohort"]


def test_site_groups() -> None:
    assert site_groups("pancreas_head") == {SiteGroup.PANCREAS}
    assert site_groups(PrimarySite.COLON) == {SiteGroup.MIDGUT, SiteGroup.HINDGUT}
    with pytest.raises(UnknownKeyError):
        site_groups("kidney")


def test_statements_and_profiles(kb: KnowledgeBase) -> None:
    ids = {s.id for s in kb.statements_for(therapy="cabozantinib")}
    assert ids == {"cabinet_cabozantinib"}  # trial evidence, not ENETS/ESMO/NCCN 2.2021
    assert {s.id for s in kb.statements_for(guideline="nanets_snmmi2020")} == {
        "nanets_prrt_after_ssa"
    }
    assert kb.default_profile("prrt_eligibility").id == "prrt_netter1"
    assert next(p.id for p in kb.profiles_of("prrt_eligibility")) == "prrt_netter1"
    for guideline in ("enets2023_nf_pnet", "esmo2020", "nccn", "nanets_snmmi2020"):
        assert kb.statements_for(guideline=guideline)


def test_every_number_is_sourced(kb: KnowledgeBase) -> None:
    keys = {r.key for r in kb.references}
    count = 0
    for _, _, _, quantity in kb.quantities():
        count += 1
        assert quantity.ref in keys
        assert quantity.status in Verification
    assert count > 300


def test_conflicts_are_recorded(kb: KnowledgeBase) -> None:
    conflicts = {(c.item_id, c.path) for c in kb.conflicts()}
    assert ("pazonet", "prognostic_factors[concomitant_ssa].levels[0].value") in conflicts
    assert ("netter1", "safety[completed_four_cycles].values[lu177_dotatate].value") in conflicts
    pazonet = kb.trial("pazonet").prognostic_factors[0].levels[0].value
    text = format_quantity(pazonet)
    assert "11.9 mo" in text
    assert "11.7 mo (95 % CI 9.7–13.7)" in text
    assert "conflict" in text
    completed = kb.trial("netter1").safety
    four = next(s for s in completed if s.id == "completed_four_cycles").values[0].value
    assert four.status is Verification.UNCERTAIN
    assert four.reported_in == "umino2024"
    assert not four.verified


def test_formatting_shows_tags(kb: KnowledgeBase) -> None:
    e2211 = kb.trial("e2211").endpoint("pfs")
    assert e2211 is not None
    assert e2211.hazard_ratio is not None
    assert e2211.hazard_ratio.estimate is not None
    assert (
        format_quantity(e2211.hazard_ratio.estimate)
        == "0.58 (95 % CI 0.36–0.93) [verified; CI recalled]"
    )
    clarinet = kb.trial("clarinet").endpoint("pfs")
    assert clarinet is not None
    lanreotide = clarinet.value_for("lanreotide")
    assert lanreotide is not None
    assert format_quantity(lanreotide) == "not reached [verified]"
    radiant = kb.trial("radiant3").endpoint("pfs")
    assert radiant is not None
    everolimus = radiant.value_for("everolimus")
    assert everolimus is not None
    assert format_quantity(everolimus) == "11.0 mo [verified]"


def test_search(kb: KnowledgeBase) -> None:
    ids = [h.id for h in kb.search("cabozantinib")]
    assert ids[:2] == ["cabozantinib", "cabinet"]
    assert [h.id for h in kb.search("pazopanib ssa")] == ["pazonet"]
    assert kb.search("   ") == ()
    assert any(h.kind == "reference" for h in kb.search("Umino"))


def test_citing(kb: KnowledgeBase) -> None:
    paths = kb.citing("pavel2011_asco")
    assert any("subgroups[prior_ssa]" in p for p in paths)
    for reference in kb.references:
        assert kb.citing(reference.key), reference.key
