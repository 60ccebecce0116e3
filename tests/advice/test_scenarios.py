"""The scenario table: one row per rule, each asserting which options appear, in what order
and with which flags. Records are built with ``make_case`` (tests/advice/cases.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from netline.advice import Advice, advise, render_html

from .cases import AT, NORMAL_LABS, SSA_PROGRESSED, make_case
from .scenario_checks import (
    _assert_attr,
    _assert_clearance,
    _assert_continuing,
    _assert_criterion,
    _assert_entry,
    _assert_entry_failed,
    _assert_fact,
    _assert_later,
    _assert_makuuchi,
    _assert_monitoring,
    _assert_never_first_surgery,
    _assert_not_cross,
    _assert_note,
    _assert_possible,
    _assert_statement,
    _assert_support,
    _texts,
)


@dataclass(frozen=True)
class Scenario:
    name: str
    case: dict[str, Any]
    first: str | None = None
    top: tuple[str, ...] = ()
    top_n: int = 3
    before: tuple[tuple[str, str], ...] = ()
    excluded: dict[str, str] = field(default_factory=dict)
    not_excluded: tuple[str, ...] = ()
    status: dict[str, str] = field(default_factory=dict)
    caution: dict[str, str] = field(default_factory=dict)
    no_caution: dict[str, str] = field(default_factory=dict)
    to_check: dict[str, str] = field(default_factory=dict)
    toxicity: dict[str, str] = field(default_factory=dict)
    sequencing: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    surgery: str | None = None
    surgery_text: str | None = None
    unknown: tuple[str, ...] = ()
    confidence: str | None = None
    accompanying: str | None = None
    extra: Callable[[Advice], None] | None = None


def _labs(**changes: float) -> dict[str, float]:
    return {**NORMAL_LABS, **changes}


PROGRESSED = {"lines": SSA_PROGRESSED, "response": "PD"}
NETTER2_LIKE = {
    "ki67": 12,
    "response": "PD",
    "organs": ("bone",),
    "band": None,
    "primary_resected": False,
}
BONE = {"organs": ("liver", "bone")}

SCENARIOS = [
    Scenario(
        "low-burden stable treatment-naive, no liver: surveillance and SSA lead",
        {"organs": ("bone",), "band": None, "symptomatic": False},
        top=("surveillance", "lanreotide"),
        before=(("lanreotide", "everolimus"), ("surveillance", "captem")),
        surgery="not_applicable",
        excluded={"surgery": "No liver metastases", "liver_directed": "No liver metastases"},
    ),
    Scenario(
        "low-burden liver-only upfront: surgery flagged first, then SSA/surveillance",
        {"band": "<10%"},
        first="surgery",
        top=("lanreotide", "surveillance"),
        top_n=4,
        surgery="discuss",
    ),
    Scenario(
        "SSA first for SSTR-positive Ki-67 < 10 %: lanreotide preferred over octreotide",
        {"organs": ("bone",), "band": None},
        before=(("lanreotide", "octreotide_lar"),),
        extra=lambda a: _assert_support(a, "lanreotide", "preferred"),
    ),
    Scenario(
        "SSTR-negative: PRRT and SSA excluded; targeted therapy offered",
        {**PROGRESSED, "krenning": 1},
        excluded={
            "lu177_dotatate": "SSTR uptake",
            "lanreotide": "Not recommended",
            "octreotide_lar": "Not recommended",
        },
        top=("everolimus", "sunitinib", "captem"),
        top_n=4,
    ),
    Scenario(
        "no SSTR imaging: PRRT kept as unclear, SSTR status unknown lowers confidence",
        {**PROGRESSED, "krenning": None},
        not_excluded=("lu177_dotatate", "lanreotide"),
        status={"lu177_dotatate": "unclear"},
        caution={"lu177_dotatate": "Would not be recommended if SSTR-negative"},
        unknown=("SSTR imaging",),
        confidence="low",
    ),
    Scenario(
        "FDG-positive/SSTR-negative lesion: PRRT excluded",
        {**PROGRESSED, "sstr_lesions": {"L1": 3, "L2": 1}, "fdg_avid": ("L2",)},
        excluded={"lu177_dotatate": "FDG-positive, SSTR-negative"},
    ),
    Scenario(
        "FDG-PET concordant: no FDG caveat on PRRT",
        {**PROGRESSED, "sstr_lesions": {"L1": 3, "L2": 4}, "fdg_avid": ("L2",)},
        not_excluded=("lu177_dotatate",),
        no_caution={"lu177_dotatate": "FDG"},
        extra=lambda a: _assert_fact(a, "fdg_sstr_discordant", False),
    ),
    Scenario(
        "all lesions take up tracer: NETTER-1 uptake criteria met",
        {**PROGRESSED, "sstr_lesions": {"L1": 3, "L2": 2}},
        status={"lu177_dotatate": "eligible"},
        extra=lambda a: _assert_criterion(a, "sstr_all_lesions", "met"),
    ),
    Scenario(
        "malignant insulinoma: everolimus first, SSA reserved, glucose control",
        {**PROGRESSED, "functioning": "insulinoma"},
        before=(("everolimus", "sunitinib"), ("everolimus", "lanreotide")),
        caution={"lanreotide": "Reserved use", "lu177_dotatate": "Functioning tumour"},
        accompanying="glucose control",
        extra=lambda a: _assert_support(a, "everolimus", "preferred"),
    ),
    Scenario(
        "insulinoma, SSTR-negative: SSA excluded, everolimus preferred",
        {**PROGRESSED, "functioning": "insulinoma", "krenning": 0},
        excluded={"lanreotide": "Not recommended", "lu177_dotatate": "SSTR uptake"},
        first="syndrome_control",
        top=("everolimus",),
    ),
    Scenario(
        "gastrinoma: acid suppression accompanies",
        {"functioning": "gastrinoma", "organs": ("bone",), "band": None},
        accompanying="acid suppression",
    ),
    Scenario(
        "glucagonoma: SSA preferred for the syndrome, periprocedural cover",
        {"functioning": "glucagonoma", "organs": ("bone",), "band": None, "ki67": 12},
        accompanying="ssa periprocedural cover",
        extra=lambda a: _assert_support(a, "lanreotide", "preferred"),
    ),
    Scenario(
        "Ki-67 15 % with > 50 % hepatic burden after SSA: cytoreduction first, surgery not",
        {**PROGRESSED, "ki67": 15, "band": ">50%"},
        top=("captem", "stz_5fu"),
        top_n=2,
        caution={"lu177_dotatate": "High tumour burden"},
        surgery="not_suggested",
        surgery_text="Extensive hepatic involvement",
        excluded={"surgery": "Extensive"},
    ),
    Scenario(
        "high hepatic burden statement applies to liver-directed therapy",
        {**PROGRESSED, "ki67": 15, "band": ">50%"},
        before=(("liver_directed", "pazopanib"),),
        extra=lambda a: _assert_statement(a, "liver_directed", "high_hepatic_burden"),
    ),
    Scenario(
        "25-50 % hepatic burden: high burden only possible (band edge)",
        {**PROGRESSED, "band": "25-50%"},
        extra=lambda a: _assert_possible(a, "captem", "nccn_symptomatic_bulky"),
    ),
    Scenario(
        "symptomatic from bulk, Ki-67 5 %: cytoreductive chemotherapy first",
        {**PROGRESSED, "symptomatic": True},
        first="captem",
    ),
    Scenario(
        "low platelets: PRRT excluded (NETTER-1), relative under EANM; chemo toxicity flagged",
        {**PROGRESSED, "labs": {**_labs(platelets=60)}},
        excluded={"lu177_dotatate": "platelets"},
        caution={"lu177_dotatate": "IAEA/EANM/SNMMI"},
        toxicity={"captem": "CTCAE grade ≥ 2 now: platelets grade 2"},
        extra=lambda a: _assert_monitoring(a, "lu177_dotatate", "already meet"),
    ),
    Scenario(
        "renal impairment (measured CrCl 40): PRRT excluded, streptozocin nephrotoxicity",
        {**PROGRESSED, "labs": _labs(creatinine_clearance=40), "comorbidities": ("renal",)},
        excluded={"lu177_dotatate": "creatinine clearance"},
        toxicity={"stz_5fu": "nephrotoxicity"},
    ),
    Scenario(
        "renal impairment by Cockcroft-Gault from creatinine",
        {
            **PROGRESSED,
            "labs": {
                **{k: v for k, v in NORMAL_LABS.items() if k != "creatinine_clearance"},
                "creatinine": 2.0,
            },
            "birth": "1950-06-01",
            "weight": 60.0,
        },
        excluded={"lu177_dotatate": "creatinine clearance"},
        extra=lambda a: _assert_clearance(a, "Cockcroft-Gault"),
    ),
    Scenario(
        "prior everolimus progressed: everolimus cross-resistant, CABINET not yet known",
        {
            "lines": [
                *SSA_PROGRESSED[:0],
                ("lanreotide", "2019-02-01", "2019-10-01", "progression"),
                ("everolimus", "2019-11-01", "2020-12-31", "progression"),
            ],
            "response": "PD",
        },
        before=(("sunitinib", "everolimus"), ("lu177_dotatate", "everolimus")),
        sequencing={"everolimus": "cross-resistance is likely"},
        # CABINET (Chan et al., N Engl J Med 2025) came after this 2021 decision: its
        # trial-based statement is shown marked and is not support (issue #12, time-aware).
        extra=lambda a: _assert_later(a, "cabozantinib", "cabinet_cabozantinib"),
    ),
    Scenario(
        "prior TKI and mTOR inhibitor: PAZONET 'both' subgroup shown for pazopanib",
        {
            "lines": [
                ("lanreotide", "2019-01-15", "2019-06-01", "progression"),
                ("everolimus", "2019-07-01", "2020-01-01", "progression"),
                ("sunitinib", "2020-02-01", "2020-12-31", "progression"),
            ],
            "response": "PD",
        },
        evidence={"pazopanib": "Prior mTOR inhibitor and TKI"},
        sequencing={"sunitinib": "cross-resistance", "everolimus": "cross-resistance"},
        before=(("lu177_dotatate", "sunitinib"), ("captem", "everolimus")),
    ),
    Scenario(
        "prior TKI only: PAZONET after one multikinase inhibitor",
        {
            "lines": [
                ("lanreotide", "2019-01-15", "2019-06-01", "progression"),
                ("sunitinib", "2019-07-01", "2020-12-31", "progression"),
            ],
            "response": "PD",
        },
        evidence={"pazopanib": "One prior multikinase inhibitor"},
    ),
    Scenario(
        "prior mTOR inhibitor only: PAZONET after mTOR inhibitor",
        {
            "lines": [
                ("lanreotide", "2019-01-15", "2019-06-01", "progression"),
                ("everolimus", "2019-07-01", "2020-12-31", "progression"),
            ],
            "response": "PD",
        },
        evidence={"pazopanib": "Prior mTOR inhibitor (no TKI)"},
    ),
    Scenario(
        "RADIANT-3 by prior chemotherapy: prior-chemo subgroup for everolimus",
        {
            "lines": [
                ("lanreotide", "2019-01-15", "2019-06-01", "progression"),
                (("capecitabine", "temozolomide"), "2019-07-01", "2020-12-31", "progression"),
            ],
            "response": "PD",
        },
        evidence={"everolimus": "Prior chemotherapy"},
        sequencing={"captem": "cross-resistance"},
    ),
    Scenario(
        "SUN-1111 by prior lines: 0-1 prior lines subgroup",
        PROGRESSED,
        evidence={"sunitinib": "0-1 prior systemic lines"},
    ),
    Scenario(
        "SUN-1111 by prior lines: two or more prior lines",
        {
            "lines": [
                ("lanreotide", "2019-01-15", "2019-04-01", "progression"),
                ("everolimus", "2019-05-01", "2019-10-01", "progression"),
                (("capecitabine", "temozolomide"), "2019-11-01", "2020-12-31", "progression"),
            ],
            "response": "PD",
        },
        evidence={"sunitinib": "Two or more prior systemic lines"},
    ),
    Scenario(
        "G3 NET: chemotherapy first, PRRT kept with a visible conflict, no surgery",
        {**PROGRESSED, "ki67": 30},
        top=("captem", "stz_5fu"),
        top_n=2,
        not_excluded=("lu177_dotatate",),
        caution={"lu177_dotatate": "the sources conflict"},
        surgery="not_suggested",
        surgery_text="G1 or G2",
    ),
    Scenario(
        "G3 NET with Ki-67 above 55 %: PRRT excluded",
        {**PROGRESSED, "ki67": 60},
        excluded={"lu177_dotatate": "Ki-67 at most 20"},
    ),
    # ENETS 2023 NEC guidance (Sorbye 2023, abstract read): carboplatin with etoposide is
    # recommended first line for metastatic disease; cisplatin follows (ESMO 2020, recalled).
    Scenario(
        "NEC: platinum-etoposide first, PRRT excluded, no surgery",
        {"differentiation": "poorly", "ki67": 70, "response": "PD"},
        first="carboplatin_etoposide",
        before=(
            ("carboplatin_etoposide", "cisplatin_etoposide"),
            ("cisplatin_etoposide", "everolimus"),
        ),
        excluded={"lu177_dotatate": "G1 or G2", "surgery": "not suggested"},
        caution={"everolimus": "NEC"},
    ),
    Scenario(
        "liver-only resectable with normal liver tests: resection discussed, Makuuchi shown",
        {"labs": {**_labs(), "icg_r15": 5.0}, "band": "<10%"},
        first="surgery",
        surgery="discuss",
        extra=lambda a: _assert_makuuchi(a, "hepatectomy"),
    ),
    Scenario(
        "extensive bilobar disease: surgery not suggested",
        {"band": ">50%"},
        surgery="not_suggested",
        excluded={"surgery": "Extensive hepatic involvement"},
    ),
    Scenario(
        "bilirubin 2.5 mg/dL: Makuuchi allows no hepatectomy",
        {"labs": {**_labs(bilirubin=2.5)}},
        surgery="not_suggested",
        surgery_text="no hepatectomy",
    ),
    Scenario(
        "conversion after response with a stable bone metastasis: discuss with caveats",
        {
            "lines": [("lu177_dotatate", "2019-06-01", "2019-12-01", "completed")],
            "response": "PR",
            **BONE,
            "metastases_found": "2019-01-01",
        },
        # SSA maintenance first (NETTER-1); the surgery is for MDT discussion only (ENETS-LM:
        # extra-abdominal metastasis fails the curative criteria). It used to reach the top
        # three on the liver-transplant statement, which is for liver-only disease (Milan-NET)
        # and no longer applies with a bone metastasis; it stays before liver-directed therapy.
        top=("lanreotide",),
        before=(("surgery", "liver_directed"),),
        surgery="discuss_with_caveats",
        surgery_text="Extra-abdominal metastasis",
        extra=lambda a: _assert_never_first_surgery(a),
    ),
    Scenario(
        "liver and bone, progressing after SSA: no surgery",
        {**PROGRESSED, **BONE},
        surgery="not_suggested",
        caution={"lu177_dotatate": "bone metastases"},
    ),
    Scenario(
        "missing data: no Ki-67, labs, PS, SSTR imaging or band",
        {
            "ki67": None,
            "labs": {},
            "ecog": None,
            "karnofsky": None,
            "krenning": None,
            "band": None,
            "response": None,
            "symptomatic": None,
        },
        unknown=("grade", "Ki-67", "labs", "performance status", "SSTR imaging", "response"),
        confidence="low",
        not_excluded=("lu177_dotatate", "everolimus", "captem"),
        surgery="insufficient_data",
    ),
    Scenario(
        "grade from the mitotic count when Ki-67 is missing",
        {"ki67": None, "mitoses": 3.0},
        unknown=("Ki-67",),
        extra=lambda a: _assert_attr(a, "grade", "G2"),
    ),
    Scenario(
        "Karnofsky 50: PRRT excluded by NETTER-1",
        {**PROGRESSED, "karnofsky": 50, "ecog": 2},
        excluded={"lu177_dotatate": "Karnofsky"},
    ),
    Scenario(
        "ECOG only: Karnofsky unknown, listed to check for PRRT",
        {**PROGRESSED, "karnofsky": None, "ecog": 1},
        unknown=("Karnofsky",),
        to_check={"lu177_dotatate": "Karnofsky"},
    ),
    Scenario(
        "diabetes: everolimus hyperglycaemia flagged",
        {**PROGRESSED, "comorbidities": ("diabetes",)},
        toxicity={"everolimus": "hyperglycaemia (13 %) [recalled] — matters for this patient"},
    ),
    Scenario(
        "hypertension: sunitinib and cabozantinib hypertension flagged",
        {**PROGRESSED, "comorbidities": ("hypertension",)},
        toxicity={"sunitinib": "hypertension (26 %)", "cabozantinib": "hypertension"},
    ),
    Scenario(
        "cardiac comorbidity: doxorubicin cardiotoxicity and cabozantinib VTE flagged",
        {**PROGRESSED, "comorbidities": ("cardiac",)},
        toxicity={
            "stz_doxorubicin": "cardiotoxicity",
            "cabozantinib": "venous thromboembolism [verified] — matters",
        },
    ),
    Scenario(
        "carcinoid heart disease: no liver surgery until addressed",
        {"comorbidities": ("carcinoid_heart_disease",)},
        surgery="not_suggested",
        surgery_text="right-heart",
    ),
    Scenario(
        "woman: pregnancy and breastfeeding unknown",
        {**PROGRESSED, "sex": "female"},
        unknown=("pregnancy",),
    ),
    # NETTER-2 (Singh S et al., Lancet 2024; singh2024) enrolled newly diagnosed patients: a
    # diagnosis within 6 months of entry is an inclusion criterion.
    Scenario(
        "newly diagnosed (3 months) treatment-naive Ki-67 12 %: PRRT first-line from NETTER-2",
        {**NETTER2_LIKE, "diagnosed": "2020-10-01", "metastases_found": "2020-10-01"},
        evidence={"lu177_dotatate": "NETTER-2"},
        extra=lambda a: _assert_entry(a, "lu177_dotatate", "netter2", "met"),
    ),
    Scenario(
        "diagnosed 7 years earlier, treatment-naive Ki-67 12 %: NETTER-2 entry not met",
        {**NETTER2_LIKE, "diagnosed": "2014-01-01", "metastases_found": "2014-01-01"},
        extra=lambda a: _assert_entry_failed(
            a, "lu177_dotatate", "netter2", "diagnosed within 6 months"
        ),
    ),
    Scenario(
        "stable on SSA: continuing ranks above new lines, which are held for progression",
        {
            "lines": [("lanreotide", "2019-02-01", None, "ongoing")],
            "response": "SD",
            "organs": ("bone",),
            "band": None,
        },
        first="lanreotide",
        extra=lambda a: _assert_continuing(a),
    ),
    Scenario(
        "progressing on ongoing SSA: continuing it is cross-resistant",
        {
            "lines": [("lanreotide", "2019-02-01", None, "ongoing")],
            "response": "PD",
        },
        caution={"lanreotide": "progressed on this therapy"},
        sequencing={"lanreotide": "cross-resistance"},
        before=(("lu177_dotatate", "lanreotide"),),
    ),
    Scenario(
        "progression after PRRT with response: PRRT is a re-treatment, not cross-resistant",
        {
            "lines": [
                ("lanreotide", "2019-02-01", "2019-05-01", "progression"),
                ("lu177_dotatate", "2019-06-01", "2019-12-01", "completed"),
            ],
            "response": "PD",
            "later_events": [
                {
                    "id": "ct-pr",
                    "type": "imaging",
                    "date": "2020-03-01",
                    "modality": "ct",
                    "recorded_response": "PR",
                }
            ],
        },
        sequencing={"lu177_dotatate": "re-treatment"},
        extra=lambda a: _assert_not_cross(a, "lu177_dotatate"),
    ),
    Scenario(
        "bilirubin without an upper limit: bilirubin × ULN unknown",
        {**PROGRESSED, "lab_limits": {"bilirubin": (None, None)}},
        unknown=("bilirubin upper limit",),
        to_check={"lu177_dotatate": "bilirubin at most 3 x ULN"},
    ),
    Scenario(
        "non-pancreatic primary: noted, NETTER-1 population (midgut) met",
        {**PROGRESSED, "site": "jejunum_ileum"},
        no_caution={"lu177_dotatate": "Outside the population studied"},
        extra=lambda a: _assert_note(a, "written for pancreatic NET"),
    ),
]


@pytest.fixture(scope="module")
def results() -> dict[str, Advice]:
    return {s.name: advise(make_case(**s.case), AT) for s in SCENARIOS}


def test_the_table_covers_at_least_40_situations() -> None:
    assert len(SCENARIOS) >= 40
    assert len({s.name for s in SCENARIOS}) == len(SCENARIOS)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(scenario: Scenario, results: dict[str, Advice]) -> None:
    advice = results[scenario.name]
    ranked = [o.key for o in advice.ranked]
    if scenario.first is not None:
        assert ranked[0] == scenario.first, ranked[:5]
    for key in scenario.top:
        assert key in ranked[: scenario.top_n], (key, ranked[: scenario.top_n])
    for a, b in scenario.before:
        assert a in ranked, (a, "excluded")
        assert b not in ranked or ranked.index(a) < ranked.index(b), (a, b, ranked)
    for key, reason in scenario.excluded.items():
        option = advice.option(key)
        assert option.excluded, (key, option.status)
        assert option.rank is None
        assert reason.lower() in _texts(option.exclusions).lower(), _texts(option.exclusions)
    for key in scenario.not_excluded:
        assert not advice.option(key).excluded, _texts(advice.option(key).exclusions)
    for key, status in scenario.status.items():
        assert advice.option(key).status == status, (key, advice.option(key).status)
    for key, text in scenario.caution.items():
        assert text.lower() in _texts(advice.option(key).cautions).lower(), _texts(
            advice.option(key).cautions
        )
    for key, text in scenario.no_caution.items():
        assert text not in _texts(advice.option(key).cautions)
    for key, text in scenario.to_check.items():
        assert text in _texts(advice.option(key).to_check), _texts(advice.option(key).to_check)
    for key, text in scenario.toxicity.items():
        assert text in _texts(advice.option(key).toxicities), _texts(advice.option(key).toxicities)
    for key, text in scenario.sequencing.items():
        assert text in _texts(advice.option(key).sequencing), _texts(advice.option(key).sequencing)
    for key, text in scenario.evidence.items():
        shown = " | ".join(
            f"{e.name} " + _texts((*e.subgroups, *e.results)) for e in advice.option(key).evidence
        )
        assert text in shown, shown[:2000]
    if scenario.surgery is not None:
        assert advice.surgery.status == scenario.surgery, advice.surgery.summary
    if scenario.surgery_text is not None:
        shown = (
            advice.surgery.summary
            + " "
            + _texts((*advice.surgery.blockers, *advice.surgery.caveats))
        )
        assert scenario.surgery_text in shown, shown
    items = " | ".join(u.item for u in advice.state.unknowns)
    for text in scenario.unknown:
        assert text in items, items
    if scenario.confidence is not None:
        assert advice.confidence == scenario.confidence, advice.confidence_reason
    if scenario.accompanying is not None:
        assert scenario.accompanying in _texts(advice.accompanying), _texts(advice.accompanying)
    if scenario.extra is not None:
        scenario.extra(advice)
    # invariants of every scenario
    assert [o.rank for o in advice.ranked] == list(range(1, len(advice.ranked) + 1))
    assert all(o.order_reason for o in advice.options)
    assert all(o.exclusions for o in advice.excluded)
    fragment = render_html(advice)
    links = set(re.findall(r'href="#netline-ref-([^"]+)"', fragment))
    anchors = set(re.findall(r'id="netline-ref-([^"]+)"', fragment))
    assert links <= anchors, links - anchors
