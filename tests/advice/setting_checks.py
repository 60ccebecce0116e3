"""Cases and assertions shared by the advice setting table (tests/advice/test_settings.py)."""

from __future__ import annotations

from netline.advice import Advice
from netline.records import CaseRecord

from .cases import make_case


def _two_specimens() -> CaseRecord:
    record = make_case(ki67=10.0, organs=("liver", "bone"), band=None)
    resection = {
        "id": "liver-resection",
        "type": "surgery",
        "date": "2018-06-01",
        "procedure": "partial_hepatectomy",
        "organs": ["liver"],
        "intent": "debulking",
        "pathology": {
            "histology": {
                "specimen": "liver_metastasis",
                "differentiation": "well",
                "ki67_percent": 12,
            }
        },
    }
    data = record.model_dump(mode="json", exclude_none=True)
    data["events"].append(resection)
    return CaseRecord.model_validate(data)


def _all_later_than(advice: Advice, key: str) -> None:
    for option in advice.ranked:
        if option.key != key:
            assert option.setting_tier == 2, (option.key, option.setting_tier)


def _surgery_not_curative(advice: Advice) -> None:
    surgery = advice.option("surgery")
    assert not surgery.curative_potential
    assert "curative" not in (advice.surgery.summary or "").lower() or "not" in surgery.name


def _not_curative(advice: Advice, key: str) -> None:
    assert not advice.option(key).curative_potential


def _surgery_not_excluded(advice: Advice) -> None:
    assert not advice.option("surgery").excluded, advice.option("surgery").exclusions
    assert advice.surgery.mode == "upfront"


def _no_naive_figure(advice: Advice, key: str) -> None:
    assert advice.option(key).expected_pfs is None


def _name_has(advice: Advice, key: str, text: str) -> None:
    assert text in advice.option(key).name.lower()


def _no_statement_applies(advice: Advice, key: str, statement: str) -> None:
    applies = [m.applies.value for m in advice.option(key).guideline if m.statement_id == statement]
    assert True not in applies, (key, statement, applies)


def _plain_syndrome_name(advice: Advice, plain: str, code: str) -> None:
    assert advice.setting is not None
    shown = " | ".join((advice.setting.label, *advice.setting.reasons))
    assert plain in shown, shown
    assert f"({code};" not in shown, shown
    assert f"({code})" not in shown, shown


def _no_antitumour_for_benign_insulinoma(advice: Advice) -> None:
    assert "everolimus" not in advice.option("syndrome_control").name.lower()
    _no_statement_applies(advice, "everolimus", "insulinoma_malignant")
    _no_statement_applies(advice, "stz_5fu", "insulinoma_malignant")


def _continuation_not_retreatment(advice: Advice, key: str) -> None:
    option = advice.option(key)
    assert option.ongoing
    withheld = [e.headline_withheld for e in option.evidence if e.headline_withheld]
    shown = " | ".join([*withheld, *(p.text for p in option.cautions)])
    assert "re-treatment" not in shown, shown
    assert all("continu" in w for w in withheld), withheld


def _not_low_burden(advice: Advice) -> None:
    assert advice.state.tumour_burden != "low", advice.state.notes
    for key in ("surveillance", "lanreotide"):
        _no_statement_applies(advice, key, "nfpnet_low_burden_surveillance")
        _no_statement_applies(advice, key, "nccn_low_burden")


def _no_transplant_with_bone(advice: Advice) -> None:
    _no_statement_applies(advice, "surgery", "liver_transplant_selected")
    ranked = [o.key for o in advice.ranked]
    assert ranked.index("lanreotide") < ranked.index("surgery"), ranked[:5]


def _plain_unknowns(advice: Advice, key: str, plain: str, code: str) -> None:
    shown = " | ".join(p.text for p in advice.option(key).cautions)
    assert plain in shown, shown
    assert f"unknown: {code}" not in shown, shown
    assert "sstr-negative" not in shown, shown


def _no_refractory_options_when_localised(advice: Advice) -> None:
    for key in ("everolimus", "lu177_dotatate", "stz_5fu", "captem"):
        _no_statement_applies(advice, key, "other_functioning_syndromes")


def _singular_counts(advice: Advice) -> None:
    notes = " | ".join(advice.state.notes)
    assert "1 liver metastasis" in notes, notes
    assert "1 liver metastases" not in notes, notes
    reasons = " | ".join(o.order_reason for o in advice.ranked)
    assert "statement(s)" not in reasons, reasons
    assert "1 applicable statement;" in reasons or "1 applicable statement" in reasons


def _ssa_never_failed(advice: Advice) -> None:
    assert advice.state.facts.progression_on_ssa is False
    _no_statement_applies(advice, "lu177_dotatate", "nanets_prrt_after_ssa")
    for key in ("captem", "everolimus", "sunitinib"):
        _no_statement_applies(advice, key, "progressive_after_ssa")
        _no_statement_applies(advice, key, "nccn_progression_options")
    ranked = [o.key for o in advice.ranked]
    assert ranked.index("lanreotide") < ranked.index("lu177_dotatate"), ranked[:6]


def _local_recurrence_named(advice: Advice) -> None:
    """A local recurrence after pancreatic surgery is not called 'the primary'."""
    option = advice.option("primary_resection")
    assert "local recurrence" in option.name.lower(), option.name
    assert "resection of the primary" not in option.name.lower(), option.name
    assert option.status == "caution", option.status
    assert advice.setting is not None
    assert not any("primary in place" in r for r in advice.setting.reasons), advice.setting.reasons
    assert any("resected primary" in r for r in advice.setting.reasons), advice.setting.reasons


def _no_statement_ids_in_words(advice: Advice) -> None:
    """Text for people names statements by topic, never by their internal ids."""
    # ids that are plain words (such as "gastrinoma") cannot be told from the text
    ids = {
        m.statement_id
        for option in advice.options
        for m in option.guideline
        if "_" in m.statement_id
    }
    words = [advice.unverified_note or ""] + [
        point.text
        for option in advice.options
        for point in (*option.cautions, *option.to_check, *option.exclusions)
    ]
    words += [m.describe() for option in advice.options for m in option.guideline]
    shown = " | ".join(words)
    leaked = sorted(i for i in ids if i in shown)
    assert not leaked, leaked


def _statement_verified(advice: Advice, key: str, statement: str) -> None:
    """The statement applies to the option and its wording is verified."""
    matches = [m for m in advice.option(key).guideline if m.statement_id == statement]
    assert matches, statement
    assert matches[0].applies.value is True, matches
    assert matches[0].status == "verified", matches[0].status


def _localised_nec(advice: Advice) -> None:
    """Localised NEC: the resection cites the NEC guidance and asks for staging first."""
    resection = advice.option("primary_resection")
    assert resection.support == "option", resection.support
    assert any("sorbye2023" in p.refs for p in resection.sequencing), resection.sequencing
    assert any("preoperative imaging" in p.text for p in resection.to_check), resection.to_check
    chemo = advice.option("cisplatin_etoposide")
    assert "board" in (chemo.setting_note or ""), chemo.setting_note
    _no_statement_applies(advice, "carboplatin_etoposide", "nec_carboplatin_etoposide_metastatic")
