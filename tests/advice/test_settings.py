"""Scenario tests by disease setting (issue 12 item 10).

One row per distinct decision situation. Each says which options must rank in the top three,
which must not, and cites the guideline text or trial behind the expectation. Records are
synthetic (``make_case``) or the published seed case (Umino 2024, CC BY 4.0).

Sources cited (short keys):
  ENETS-NF   Kos-Kudła B et al. ENETS 2023 guidance for NF-pNET. J Neuroendocrinol 2023;35:e13343.
  ENETS-F    Hofland J et al. ENETS 2023 guidance for functioning pNET syndromes.
             J Neuroendocrinol 2023;35:e13318.
  ENETS-LM   Pavel M et al. ENETS liver and distant metastases. Neuroendocrinology 2016;103:172.
  ESMO       Pavel M et al. ESMO Clinical Practice Guidelines. Ann Oncol 2020;31:844-860.
  NETTER-1   Strosberg J et al. N Engl J Med 2017;376:125-135 (octreotide LAR 30 mg continued
             with and after 177Lu-DOTATATE; entry: Karnofsky >= 60, adequate renal and marrow
             function).
  RADIANT-3  Yao JC et al. N Engl J Med 2011;364:514-523 (ECOG <= 2).
  ASPEN      Partelli S et al. (ENETS-supported cohort; ENETS recommends a watchful strategy for
             asymptomatic NF-pNET <= 2 cm; read: PMC7785972 abstract).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from netline.advice import Advice, advise
from netline.records import CaseRecord, load_case

from .cases import AT, NORMAL_LABS, SSA_PROGRESSED, make_case
from .setting_checks import (
    _all_later_than,
    _continuation_not_retreatment,
    _local_recurrence_named,
    _localised_nec,
    _name_has,
    _no_antitumour_for_benign_insulinoma,
    _no_naive_figure,
    _no_refractory_options_when_localised,
    _no_statement_applies,
    _no_statement_ids_in_words,
    _no_transplant_with_bone,
    _not_curative,
    _not_low_burden,
    _plain_syndrome_name,
    _plain_unknowns,
    _singular_counts,
    _ssa_never_failed,
    _statement_verified,
    _surgery_not_curative,
    _surgery_not_excluded,
    _two_specimens,
)


@dataclass(frozen=True)
class Situation:
    name: str
    build: Callable[[], CaseRecord]
    at: dt.date = AT
    top: tuple[str, ...] = ()
    any_top: tuple[str, ...] = ()
    not_top: tuple[str, ...] = ()
    not_first: tuple[str, ...] = ()
    first: str | None = None
    excluded: tuple[str, ...] = ()
    extent: str | None = None
    source: str = ""
    extra: Callable[[Advice], None] | None = field(default=None)


_SEED: list[CaseRecord] = []


def seed() -> CaseRecord:
    if not _SEED:
        _SEED.append(load_case("examples/seed-case.yaml"))
    return _SEED[0]


def case(**kwargs: Any) -> Callable[[], CaseRecord]:
    return lambda: make_case(**kwargs)


def with_primary(record: CaseRecord, **update: Any) -> CaseRecord:
    return record.model_copy(update={"primary": record.primary.model_copy(update=update)})


def localised(
    size: float, invasion: tuple[str, ...] = (), **kwargs: Any
) -> Callable[[], CaseRecord]:
    kwargs.setdefault("primary_resected", False)

    def build() -> CaseRecord:
        record = make_case(organs=("pancreas",), band=None, krenning=3, **kwargs)
        return with_primary(record, size_mm=size, invasion=list(invasion))

    return build


def functioning(
    syndrome: str, controlled: bool | None = None, **kwargs: Any
) -> Callable[[], CaseRecord]:
    extra: list[dict[str, Any]] = []
    if controlled is not None:
        extra.append(
            {
                "id": "hormones",
                "type": "disease_status",
                "date": "2020-12-20",
                "status": "stable",
                "hormonal_syndrome_controlled": controlled,
            }
        )
    return case(functioning=syndrome, extra_events=extra, **kwargs)


def ned_case() -> CaseRecord:
    return make_case(
        organs=("pancreas",),
        band=None,
        response=None,
        status="no_evidence_of_disease",
        metastases_found="2018-01-01",
        extra_events=[],
    ).model_copy(update={"metastases": []})


def recurrence_after_r0() -> CaseRecord:
    """Liver metastases on an SSA, R0 hepatectomy, then a late liver-only recurrence."""
    return make_case(
        organs=("liver",),
        band="<10%",
        response="PD",
        metastases_found="2018-06-01",
        lines=[("lanreotide", "2018-07-01", "2019-06-01", "surgery")],
        extra_events=[
            {
                "id": "hepatectomy",
                "type": "surgery",
                "date": "2019-07-01",
                "procedure": "partial_hepatectomy",
                "organs": ["liver"],
                "intent": "curative",
                "margin": "R0",
            },
        ],
    )


SAFE_LABS = dict(NORMAL_LABS)
PD = {"lines": SSA_PROGRESSED, "response": "PD"}
CHEMO = ("captem", "stz_5fu", "cisplatin_etoposide", "carboplatin_etoposide", "stz_doxorubicin")
SSA = ("lanreotide", "octreotide_lar")


def counted(
    liver: int,
    bone: int | None = None,
    resected_after_count: bool = False,
) -> Callable[[], CaseRecord]:
    """Liver metastases with a recorded count and no hepatic band; ``bone``: a new bone site."""

    def build() -> CaseRecord:
        organs = ("liver", "bone") if bone is not None else ("liver",)
        extra: list[dict[str, Any]] = [
            {
                "id": "ct-before",
                "type": "imaging",
                "date": "2020-06-01",
                "modality": "ct",
                "organs_involved": ["liver"],
            }
        ]
        if resected_after_count:
            extra.append(
                {
                    "id": "hepatectomy",
                    "type": "surgery",
                    "date": "2019-07-01",
                    "procedure": "partial_hepatectomy",
                    "organs": ["liver"],
                    "intent": "debulking",
                    "margin": "R2",
                }
            )
        record = make_case(
            organs=organs, band=None, krenning=None, response=None, extra_events=extra
        )
        counts = {"liver": liver, "bone": bone}
        metastases = [
            m.model_copy(update={"lesion_count": counts[m.organ.value]}) for m in record.metastases
        ]
        return record.model_copy(update={"metastases": metastases})

    return build


def _burden(
    advice: Advice,
    burden: str | None,
    course: str | None = None,
    alternative: tuple[str, ...] | None = None,
) -> None:
    assert advice.state.tumour_burden == burden, advice.state.notes
    if alternative is not None:
        shown = tuple(str(v) for v in advice.state.alternatives["tumour_burden"])
        assert shown == alternative
    if course is not None:
        assert advice.state.disease_course == course
    if burden is not None:
        assert any("lievens2020" in note for note in advice.state.notes), advice.state.notes


def _put_later(advice: Advice, key: str, words: str) -> None:
    option = advice.option(key)
    assert option.setting_tier == 2, (option.setting_tier, option.setting_note)
    assert words in (option.setting_note or "")


SITUATIONS = [
    # ------------------------------------------------------------------ the seed case
    Situation(
        "seed at diagnosis: localised, resection of the primary first",
        seed,
        dt.date(2011, 3, 1),
        first="primary_resection",
        # the grade is not yet known: statements on systemic therapy for advanced disease
        # (NCCN: "locoregional unresectable or metastatic") must not put CAPTEM second
        not_top=(*CHEMO, "lu177_dotatate", "everolimus", "sunitinib"),
        extent="localised",
        extra=lambda a: _all_later_than(a, "primary_resection"),
        source=(
            "ENETS-NF: surgery is the curative treatment of localised NF-pNET > 2 cm, no "
            "neoadjuvant standard; systemic-therapy statements are for advanced disease"
        ),
    ),
    Situation(
        "seed after the pancreatoduodenectomy: no evidence of disease, follow-up only",
        seed,
        dt.date(2011, 4, 1),
        first="surveillance",
        excluded=("lanreotide", "captem", "lu177_dotatate", "everolimus"),
        extent="ned",
        source="ENETS-NF: no adjuvant therapy after R0 resection of NF-pNET outside trials",
    ),
    Situation(
        "seed 2015: liver-only recurrence after R0, resection considered first",
        seed,
        dt.date(2015, 1, 1),
        first="surgery",
        not_top=("cisplatin_etoposide",),
        extent="liver_only",
        source="ENETS-LM: resection of resectable liver metastases of G1/G2 NET",
    ),
    Situation(
        "seed 2018: bone and 16 liver metastases, first line: SSA in the top three, no surgery",
        seed,
        dt.date(2018, 7, 1),
        any_top=SSA,
        not_top=("surgery", "cisplatin_etoposide", "carboplatin_etoposide"),
        extent="extrahepatic",
        source="ENETS-NF and ESMO: SSA first line for SSTR-positive G1/G2 with Ki-67 near 10 %",
    ),
    Situation(
        "seed 2019: progression on lanreotide, PRRT in the top three, no SSA switch",
        seed,
        dt.date(2019, 2, 1),
        top=("lu177_dotatate",),
        not_top=("lanreotide", "octreotide_lar", "surgery"),
        source="NETTER-1 / ENETS-NF: PRRT after progression on an SSA in SSTR-positive disease",
    ),
    Situation(
        "seed 2019: PR after PRRT, SSA maintenance, no new line",
        seed,
        dt.date(2019, 12, 16),
        any_top=SSA,
        not_top=("captem", "stz_5fu", "everolimus", "sunitinib", "lu177_dotatate"),
        source="NETTER-1: octreotide LAR continued after 177Lu-DOTATATE",
    ),
    Situation(
        "seed 2022 before the conversion surgery: continue lanreotide; surgery never first",
        seed,
        dt.date(2022, 6, 1),
        first="lanreotide",
        not_first=("surgery",),
        not_top=("cisplatin_etoposide", "captem"),
        extra=lambda a: _surgery_not_curative(a),
        source="ENETS-LM: extra-abdominal metastasis fails curative-resection criteria",
    ),
    # ------------------------------------------------------------------ no evidence of disease
    Situation(
        "no evidence of disease after R0 distal pancreatectomy",
        ned_case,
        first="surveillance",
        excluded=("lanreotide", "octreotide_lar", "captem", "lu177_dotatate", "liver_directed"),
        extent="ned",
        source="ENETS-NF: follow-up after R0 resection; adjuvant therapy not recommended",
    ),
    # ------------------------------------------------------------------ localised
    Situation(
        "locally advanced M0: 13-cm primary with portal-vein involvement",
        localised(130, ("portal_vein",)),
        top=("primary_resection",),
        not_top=("surveillance",),
        excluded=("surgery", "liver_directed"),
        extent="localised",
        source="ENETS-NF: resection incl. venous reconstruction for locally advanced NF-pNET",
    ),
    Situation(
        "locally advanced M0 with arterial involvement: not curative, no surveillance",
        localised(60, ("superior_mesenteric_artery",)),
        top=("primary_resection",),
        not_top=("surveillance",),
        extra=lambda a: _not_curative(a, "primary_resection"),
        source="ENETS-NF: arterial encasement; cytoreductive systemic therapy may come first",
    ),
    # The low-burden statements (ENETS-NF, ESMO: "asymptomatic, low-burden, stable" disease;
    # NCCN: low burden) read the burden of metastatic disease; a 6-cm primary encasing the SMA
    # is bulky locally advanced disease, not "low burden" (issue 12: a 13-cm primary read as
    # low burden was offered surveillance).
    Situation(
        "locally advanced 6-cm primary on the SMA: not read as low burden",
        localised(60, ("superior_mesenteric_artery",)),
        top=("primary_resection",),
        not_top=("surveillance",),
        extra=_not_low_burden,
        source="ENETS-NF / NCCN: low-burden statements are for low-volume metastatic disease",
    ),
    Situation(
        "localised 1.5-cm NF G1: surveillance is an option",
        localised(15, ki67=1.0),
        top=("surveillance",),
        not_top=CHEMO,
        source="ENETS-NF / ASPEN: watchful strategy for asymptomatic NF-pNET <= 2 cm",
    ),
    Situation(
        "localised resectable 4 cm: no systemic therapy before resection",
        localised(40),
        first="primary_resection",
        not_top=(*CHEMO, "lu177_dotatate", "everolimus", "sunitinib"),
        source="ENETS-NF: surgery for localised NF-pNET > 2 cm; no neoadjuvant standard",
    ),
    # After a distal pancreatectomy, disease in the pancreas alone is a local recurrence: the
    # surgical option is a re-resection whose feasibility the pancreatic surgeons judge, and
    # the vessel and size findings of the record belong to the resected primary (review of
    # issue 12: it was offered as "Resection of the primary" with the primary "in place").
    Situation(
        "local recurrence in the pancreas after distal pancreatectomy: re-resection named so",
        localised(40, primary_resected=True),
        top=("primary_resection",),
        not_top=CHEMO,
        extent="localised",
        extra=_local_recurrence_named,
        source="ENETS-NF: surgery with curative intent for localised NF-pNET, re-resection of a "
        "local recurrence where feasible",
    ),
    Situation(
        "MEN1 with a 1.5-cm NF pNET: surveillance in the top three",
        lambda: with_primary(localised(15, ki67=2.0)(), hereditary_syndrome="men1"),
        top=("surveillance",),
        not_top=CHEMO,
        source="ENETS-NF: MEN1-associated NF-pNET <= 2 cm are usually observed",
    ),
    # ------------------------------------------------------------------ metastatic
    Situation(
        "liver-only resectable G1 upfront: surgery first",
        case(ki67=2.0, band="<10%"),
        first="surgery",
        not_top=CHEMO,
        source="ENETS-LM: resection of resectable liver metastases (G1/G2, no extra-abdominal)",
    ),
    Situation(
        "liver-only recurrence after R0 and earlier PRRT: re-resection considered",
        recurrence_after_r0,
        top=("surgery",),
        extra=lambda a: _surgery_not_excluded(a),
        source="ENETS-LM: repeat resection for recurrent resectable liver metastases",
    ),
    # The SSA was stopped for the hepatectomy, not for progression; the recurrence came off
    # therapy after an R0 resection. The "after SSA" statements (ENETS-NF / ESMO progressive
    # after an SSA; NCCN progression on an SSA; NANETS/SNMMI PRRT after an SSA, resting on
    # NETTER-1, which enrolled patients progressing on octreotide LAR) describe SSA failure.
    Situation(
        "recurrence after R0 with the SSA stopped for surgery: not SSA failure",
        recurrence_after_r0,
        top=("surgery",),
        extra=_ssa_never_failed,
        source="NETTER-1 entry (progression on octreotide LAR); ENETS-NF: everolimus, "
        "sunitinib, PRRT after progression on an SSA",
    ),
    Situation(
        "treatment-naive bone-only, Ki-67 5 %: SSA first",
        case(organs=("bone",), band=None),
        any_top=SSA,
        not_first=CHEMO,
        source="ENETS-NF / CLARINET: SSA first line, Ki-67 < 10 %",
    ),
    Situation(
        "first line with Ki-67 12 % against 10 % in the primary: band edge, SSA not pushed down",
        lambda: _two_specimens(),
        any_top=SSA,
        not_first=("captem", "stz_5fu"),
        source="ENETS-NF: Ki-67 10 % is a guide, not a hard cut-off (band edge rule)",
    ),
    # Liver transplantation (Milan-NET, Mazzaferro 2007; ENETS 2016 liver metastases) is for
    # selected liver-only disease: with a bone metastasis it gives the liver surgery option no
    # support, so the surgery cannot outrank the SSA on it.
    Situation(
        "bone and liver metastases: the liver-transplant statement does not support surgery",
        lambda: _two_specimens(),
        any_top=SSA,
        extra=_no_transplant_with_bone,
        source="ENETS-LM (Pavel 2016) / Milan-NET (Mazzaferro 2007): transplantation only for "
        "liver-only disease",
    ),
    Situation(
        "progression on an SSA, SSTR-positive: PRRT in the top three",
        case(**PD, band="10-25%"),
        top=("lu177_dotatate",),
        not_top=SSA,
        source="NETTER-1, ENETS-NF: PRRT after SSA progression",
    ),
    Situation(
        "SSTR-negative after SSA progression: no PRRT, no SSA",
        case(**PD, krenning=1),
        not_top=("lu177_dotatate", "lanreotide", "octreotide_lar"),
        any_top=("everolimus", "sunitinib", "captem", "stz_5fu"),
        source="ENETS-NF / ESMO: SSTR-negative disease is not treated with SSA or PRRT",
    ),
    Situation(
        "FDG-positive SSTR-negative lesions: PRRT not in the top three",
        case(**PD, krenning=3, sstr_lesions={"L1": 3, "L2": 1}, fdg_avid=("L2",)),
        not_top=("lu177_dotatate",),
        source="NANETS/SNMMI and the NETPET phenotype: FDG+/SSTR- lesions do not respond to PRRT",
    ),
    Situation(
        "PRRT with renal contraindication (CrCl 30 mL/min)",
        case(**PD, labs={**SAFE_LABS, "creatinine_clearance": 30}),
        not_top=("lu177_dotatate",),
        source="NETTER-1 entry: creatinine clearance >= 50 mL/min",
    ),
    Situation(
        "PRRT with marrow contraindication (platelets 60)",
        case(**PD, labs={**SAFE_LABS, "platelets": 60}),
        not_top=("lu177_dotatate",),
        source="NETTER-1 entry: platelets >= 75 x 10^9/L",
    ),
    Situation(
        "frail patient (ECOG 3): no intensive therapy in the top three",
        case(**PD, ecog=3, karnofsky=40),
        not_top=(*CHEMO, "sunitinib", "everolimus", "lu177_dotatate"),
        source="RADIANT-3 / SUN-1111 / NETTER-1 entry criteria: ECOG <= 2, Karnofsky >= 60",
    ),
    Situation(
        "maintenance after PRRT that controlled the disease",
        case(
            lines=[
                ("lanreotide", "2019-02-01", "2019-06-01", "progression"),
                ("lu177_dotatate", "2019-08-01", "2020-02-01", "completed"),
            ],
            response="PR",
        ),
        any_top=SSA,
        not_top=("captem", "everolimus", "sunitinib", "lu177_dotatate"),
        source="NETTER-1 / NETTER-2: SSA continued after PRRT",
    ),
    Situation(
        "progression after three lines (SSA, everolimus, PRRT): no repeats in the top three",
        case(
            lines=[
                ("lanreotide", "2018-03-01", "2018-09-01", "progression"),
                ("everolimus", "2018-10-01", "2019-09-01", "progression"),
                ("lu177_dotatate", "2019-10-01", "2020-03-01", "completed"),
            ],
            response="PD",
        ),
        not_top=("lanreotide", "octreotide_lar", "everolimus"),
        any_top=("captem", "stz_5fu", "sunitinib", "cabozantinib"),
        extra=lambda a: _no_naive_figure(a, "everolimus"),
        source="ENETS-NF sequencing; RADIANT-3 enrolled everolimus-naive patients",
    ),
    Situation(
        "oligoprogression after long SSA control: local therapy or surgery considered",
        case(
            lines=[("lanreotide", "2015-01-01", None, None)],
            response="PD",
            band="<10%",
            diagnosed="2014-10-01",
            metastases_found="2014-10-01",
            primary_resected=False,
        ),
        any_top=("surgery", "liver_directed", "lu177_dotatate"),
        not_top=("cisplatin_etoposide", "carboplatin_etoposide", "lanreotide"),
        source="ENETS-LM: liver-directed therapy for limited liver progression; NETTER-1 after "
        "SSA progression",
    ),
    # ------------------------------------------------------------------ histology
    Situation(
        "NEC: platinum-etoposide first",
        case(ki67=70.0, differentiation="poorly", krenning=None, response="PD"),
        any_top=("cisplatin_etoposide", "carboplatin_etoposide"),
        not_top=("lanreotide", "octreotide_lar", "surveillance", "lu177_dotatate"),
        source="ENETS / ESMO: platinum-etoposide first line for poorly differentiated NEC",
    ),
    # ENETS 2023 NEC guidance (Sorbye 2023; its abstract read): carboplatin with etoposide
    # is recommended first line for metastatic digestive NEC.
    Situation(
        "metastatic NEC, first line: carboplatin-etoposide first (ENETS 2023 NEC, verified)",
        case(ki67=70.0, differentiation="poorly", krenning=None, response="PD"),
        first="carboplatin_etoposide",
        not_top=("lanreotide", "octreotide_lar", "surveillance", "lu177_dotatate"),
        extra=lambda a: _statement_verified(
            a, "carboplatin_etoposide", "nec_carboplatin_etoposide_metastatic"
        ),
        source="ENETS 2023 NEC (Sorbye 2023, abstract): carboplatin with etoposide first line "
        "for metastatic disease",
    ),
    # The same abstract: surgery can be of benefit for localised NEC after extensive
    # preoperative imaging; the metastatic first-line statement does not apply.
    Situation(
        "localised resectable NEC: resection first after staging, chemotherapy for the board",
        localised(40, differentiation="poorly", ki67=60.0),
        first="primary_resection",
        extent="localised",
        extra=_localised_nec,
        source="ENETS 2023 NEC (Sorbye 2023, abstract): surgery can benefit localised disease "
        "after extensive preoperative imaging",
    ),
    Situation(
        "well-differentiated G3 (Ki-67 30 %): no surveillance, no platinum first",
        case(ki67=30.0, response="PD"),
        not_top=("surveillance",),
        not_first=("cisplatin_etoposide", "carboplatin_etoposide"),
        source="ENETS-NF: G3 NET treated with alkylating chemotherapy or PRRT, not as NEC",
    ),
    Situation(
        "unknown grade: NEC therapy not promoted",
        case(ki67=None, response="PD", lines=SSA_PROGRESSED),
        not_top=("cisplatin_etoposide", "carboplatin_etoposide"),
        source="issue 12: grade-dependent statements do not apply while the grade is unknown",
    ),
    Situation(
        "73 months on everolimus, grade unknown: platinum not in the top three",
        case(
            ki67=None,
            lines=[("everolimus", "2015-01-01", None, None)],
            response="SD",
            diagnosed="2014-10-01",
            metastases_found="2014-10-01",
        ),
        not_top=("cisplatin_etoposide", "carboplatin_etoposide"),
        first="everolimus",
        source="RADIANT-3: everolimus continued until progression",
    ),
    Situation(
        "continuing everolimus that controls the disease is not called re-treatment",
        case(
            ki67=None,
            lines=[("everolimus", "2015-01-01", None, None)],
            response="SD",
            diagnosed="2014-10-01",
            metastases_found="2014-10-01",
        ),
        first="everolimus",
        extra=lambda a: _continuation_not_retreatment(a, "everolimus"),
        source="RADIANT-3 (Yao 2011): everolimus given until progression; its PFS counts from "
        "the start of treatment, so a figure for a therapy started years ago is not shown",
    ),
    # Statements on systemic therapy are written for advanced disease (ENETS-NF, ESMO: systemic
    # therapy for locoregional unresectable or metastatic disease); before resection of a
    # localised primary they give no support ("no neoadjuvant standard", ENETS-NF).
    Situation(
        "localised resectable 4-cm G3 NET: the G3 systemic-therapy statement does not apply",
        localised(40, ki67=30.0),
        first="primary_resection",
        not_top=CHEMO,
        extra=lambda a: _no_statement_applies(a, "captem", "g3_net"),
        source="ENETS-NF: surgery for localised G3 NET; G3 systemic therapy is for advanced "
        "disease",
    ),
    # ECOG 3: the systemic trials enrolled ECOG 0-2 (RADIANT-3, SUN-1111, NETTER-1 Karnofsky
    # >= 60); TACE/TARE is an invasive procedure under sedation with post-embolisation syndrome,
    # so netline reads the same fitness limit for it (netline's reading, docs/advise.md).
    Situation(
        "frail patient (ECOG 3): no invasive liver-directed therapy in the top three",
        case(**PD, ecog=3, karnofsky=40),
        not_top=("liver_directed", *CHEMO, "lu177_dotatate"),
        source="RADIANT-3 / NETTER-1 entry (ECOG <= 2, Karnofsky >= 60); netline's reading for "
        "TACE/TARE",
    ),
    Situation(
        "frail patient (ECOG 3): interferon-alpha put later, like the other systemic therapies",
        case(**PD, ecog=3, karnofsky=40),
        not_top=("interferon_alfa",),
        extra=lambda a: _put_later(a, "interferon_alfa", "ECOG 3"),
        source="netline's reading: the systemic trials' ECOG <= 2 limit; interferon-alpha's "
        "fatigue, flu-like symptoms and depression (ENETS 2016, pavel2016)",
    ),
    # ------------------------------------------------------------------ counts and new sites
    # Oligometastatic disease is 1-5 metastatic lesions (Lievens Y et al. ESTRO-ASTRO
    # consensus, Radiother Oncol 2020;148:157-166); a new lesion is progression (RECIST 1.1,
    # Eisenhauer 2009). Reading the count as a burden category is netline's (docs/advise.md).
    Situation(
        "16 liver metastases and a new bone site: burden moderate, course progressive",
        counted(16, bone=1),
        not_first=("surveillance",),
        source="Lievens 2020 (1-5 lesions oligometastatic); RECIST 1.1 new lesion",
        extra=lambda a: _burden(a, "moderate", "progressive"),
    ),
    Situation(
        "3 liver metastases, liver only: oligometastatic, burden low (moderate possible)",
        counted(3),
        source="Lievens 2020: 1-5 metastatic lesions define oligometastatic disease",
        extra=lambda a: _burden(a, "low", alternative=("moderate",)),
    ),
    Situation(
        "SSTR imaging missing: the caution names the unknown fact in plain words",
        counted(3),
        source="issue 12 item 8: plain words, no internal codes where a plain label exists "
        "(ENETS-NF: SSA and PRRT not recommended for SSTR-negative disease)",
        extra=lambda a: _plain_unknowns(a, "lanreotide", "SSTR-positive disease", "sstr_positive"),
    ),
    Situation(
        "one counted liver metastasis: singular in plain words",
        counted(1),
        source="issue 12 item 8: plain words and grammar (not '1 distant lesions'); "
        "Lievens 2020: 1-5 lesions oligometastatic",
        extra=_singular_counts,
    ),
    Situation(
        "a count recorded before a later liver resection is not used: burden stays unknown",
        counted(16, resected_after_count=True),
        source="issue 12 item 4: a stale count does not feed burden",
        extra=lambda a: _burden(a, None),
    ),
    # ------------------------------------------------------------------ functioning
    Situation(
        "metastatic insulinoma, uncontrolled: glucose control first, no SSA at the top",
        functioning("insulinoma", controlled=False),
        first="syndrome_control",
        top=("diazoxide",),
        not_top=SSA,
        source="ENETS-F: stabilise glucose first; SSAs can worsen hypoglycaemia",
    ),
    Situation(
        "metastatic gastrinoma: high-dose PPI first, no diazoxide",
        functioning("gastrinoma"),
        first="syndrome_control",
        top=("ppi_high_dose",),
        excluded=("diazoxide", "telotristat"),
        source="ENETS-F: high-dose proton-pump inhibitor in Zollinger-Ellison syndrome",
        extra=lambda a: _name_has(a, "syndrome_control", "proton-pump"),
    ),
    # Syndrome-control agents come from the knowledge base's therapies (their ``syndromes``):
    # ENETS-F (Hofland 2023) names diazoxide and everolimus for the hypoglycaemia of
    # insulinoma, an SSA for VIPoma and glucagonoma; telotristat is for carcinoid syndrome.
    Situation(
        "uncontrolled insulinoma: diazoxide and everolimus for hypoglycaemia, no PPI",
        functioning("insulinoma", controlled=False),
        first="syndrome_control",
        excluded=("ppi_high_dose", "telotristat"),
        source="ENETS-F: diazoxide; everolimus improves hypoglycaemia in malignant insulinoma",
        extra=lambda a: _name_has(a, "syndrome_control", "everolimus for hypoglycaemia"),
    ),
    Situation(
        "uncontrolled VIPoma: the SSA controls the syndrome; telotristat is not for it",
        functioning("vipoma", controlled=False),
        first="syndrome_control",
        excluded=("telotristat", "ppi_high_dose", "diazoxide"),
        source="ENETS-F: SSA for VIPoma diarrhoea; telotristat treats carcinoid syndrome",
        extra=lambda a: _name_has(a, "syndrome_control", "somatostatin analogue"),
    ),
    # Most insulinomas are benign and localised: enucleation or resection cures them, with
    # glucose control (diet, diazoxide) until then; everolimus, PRRT and chemotherapy are for
    # malignant (metastatic) insulinoma (ENETS-F; the knowledge base's own entry
    # everolimus_hypoglycaemia: "refractory hypoglycaemia of metastatic insulinoma").
    Situation(
        "localised 1.5-cm insulinoma: resection and glucose control, no antitumour drugs",
        localised(15, ki67=2.0, functioning="insulinoma"),
        top=("primary_resection", "syndrome_control"),
        not_top=("everolimus", "lu177_dotatate", *CHEMO),
        extra=_no_antitumour_for_benign_insulinoma,
        source="ENETS-F (Hofland 2023): surgery cures localised insulinoma; everolimus, PRRT "
        "and chemotherapy for malignant insulinoma",
    ),
    # A localised VIPoma is resected, with an SSA, fluids and electrolytes to control the
    # syndrome before surgery; PRRT, everolimus and chemotherapy are for the refractory syndrome
    # of metastatic disease (ENETS-F; the statement's own notes: "refractory syndrome").
    Situation(
        "localised 3-cm VIPoma: resection and SSA control, no PRRT or chemotherapy support",
        localised(30, ki67=3.0, functioning="vipoma"),
        top=("primary_resection", "syndrome_control"),
        not_top=("everolimus", "lu177_dotatate", *CHEMO),
        extra=_no_refractory_options_when_localised,
        source="ENETS-F (Hofland 2023): surgery for localised VIPoma after SSA and fluid "
        "control; antitumour options for the refractory metastatic syndrome",
    ),
    Situation(
        "VIPoma: the setting names the syndrome in plain words",
        functioning("vipoma", controlled=False),
        first="syndrome_control",
        source="ENETS-F (Hofland 2023): VIPoma (Verner-Morrison syndrome); plain labels in output",
        extra=lambda a: _plain_syndrome_name(a, "VIPoma", "vipoma"),
    ),
    Situation(
        "functioning tumour with another syndrome: named in plain words, not 'other'",
        functioning("other", controlled=False),
        first="syndrome_control",
        source="ENETS-F (Hofland 2023): rare functioning syndromes; plain labels in output",
        extra=lambda a: _plain_syndrome_name(a, "other functioning syndrome", "other"),
    ),
    Situation(
        "metastatic VIPoma, uncontrolled: syndrome control first",
        functioning("vipoma", controlled=False),
        first="syndrome_control",
        excluded=("diazoxide",),
        source="ENETS-F: fluids, electrolytes and SSA for VIPoma",
    ),
    Situation(
        "glucagonoma with the syndrome controlled: control kept, not forced first",
        functioning("glucagonoma", controlled=True),
        not_first=("syndrome_control",),
        source="ENETS-F: SSA controls the glucagonoma syndrome; antitumour therapy by setting",
    ),
]


@pytest.fixture(scope="module")
def results() -> dict[str, Advice]:
    return {s.name: advise(s.build(), s.at) for s in SITUATIONS}


def test_at_least_30_situations_each_with_a_source() -> None:
    assert len(SITUATIONS) >= 30
    assert len({s.name for s in SITUATIONS}) == len(SITUATIONS)
    assert all(s.source for s in SITUATIONS)


@pytest.mark.parametrize("situation", SITUATIONS, ids=[s.name for s in SITUATIONS])
def test_situation(situation: Situation, results: dict[str, Advice]) -> None:
    advice = results[situation.name]
    ranked = [o.key for o in advice.ranked]
    top = ranked[:3]
    shown = f"{situation.source}; top: {top}"
    if situation.first is not None:
        assert ranked[0] == situation.first, shown
    for key in situation.top:
        assert key in top, (key, shown)
    if situation.any_top:
        assert set(situation.any_top) & set(top), (situation.any_top, shown)
    for key in situation.not_top:
        assert key not in top, (key, shown)
    for key in situation.not_first:
        assert ranked[0] != key, (key, shown)
    for key in situation.excluded:
        assert advice.option(key).excluded, (key, advice.option(key).status)
    if situation.extent is not None:
        assert advice.setting is not None
        assert advice.setting.extent == situation.extent, advice.setting.reasons
    if situation.extra is not None:
        situation.extra(advice)
    # every setting states its reasons; surgery with a failed hard criterion is never first
    assert advice.setting is not None
    assert advice.setting.reasons
    first = advice.ranked[0]
    if first.key == "surgery":
        assert first.curative_potential or first.setting_tier == 0


def test_result_protocol_and_one_screen_summary_first(results: dict[str, Advice]) -> None:
    advice = results[
        "seed 2022 before the conversion surgery: continue lanreotide; surgery never first"
    ]
    data = advice.to_dict()
    assert data["schema_version"] == Advice.schema_version
    assert data["setting"]["extent"] == "extrahepatic"
    confidence = data["confidence"]
    assert set(confidence) >= {"data_completeness", "strength_of_evidence", "unverified_note"}
    text = advice.render("text")
    summary = text.split("\nDetails\n")[0]
    assert len(summary.splitlines()) <= 40
    assert "Setting: metastatic with extrahepatic disease" in summary
    assert "Data completeness:" in summary
    assert "Strength of evidence:" in summary
    if advice.evidence_strength != "verified":
        assert "Note: " in summary
    assert advice.render("markdown").startswith("# netline advice")
    assert "netline-summary" in advice.render("html")
    assert '"schema_version"' in advice.render("json")
    with pytest.raises(ValueError, match="unknown format"):
        advice.render("pdf")


def test_statements_named_by_topic_in_every_situation(results: dict[str, Advice]) -> None:
    # Output for people uses plain words, not internal codes (project standard; issue 12
    # review): statement ids stay in the JSON ``statement`` field only.
    for advice in results.values():
        _no_statement_ids_in_words(advice)
