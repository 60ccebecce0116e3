"""Text and HTML rendering, the JSON structure, and escaping of record text."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from netline.advice import (
    NOTICE,
    Advice,
    advise,
    render_html,
    render_replay_html,
    render_replay_text,
    render_text,
    replay,
)
from netline.records import load_case

from .cases import AT, SSA_PROGRESSED, make_case

SEED = Path(__file__).parents[2] / "examples" / "seed-case.yaml"
TAG = re.compile(r"\[(verified|recalled|uncertain)")


@pytest.fixture(scope="module")
def seed_advice() -> Advice:
    return advise(load_case(SEED), dt.date(2019, 2, 1))


def test_text_orders_options_with_reasons_and_the_notice(seed_advice: Advice) -> None:
    text = render_text(seed_advice, detail=3)
    assert text.startswith("netline advice: umino-2024-seed at 2019-02-01")
    assert text.count(NOTICE) == 2  # at the top and at the end
    assert "not a directive" in text
    # after progression on lanreotide (SSTR-positive): PRRT first (NETTER-1; issue 12)
    assert "1. 177Lu-DOTATATE" in text
    assert "Why here: ranked 2" in text
    # the one-screen summary comes first, then the details
    assert text.index("Summary") < text.index("Details") < text.index("How the order is made")
    # issue 11: the caveat is the case report's own statement, and says so
    assert "Ki-67 12 % is above 10 % [verified]" in text
    assert "as stated in the case report" in text
    assert "? performance status" in text  # unknowns shown
    assert "Excluded" in text
    assert "Liver surgery is not suggested now" in text


def test_every_number_of_the_evidence_carries_its_tag(seed_advice: Advice) -> None:
    for option in seed_advice.options:
        for item in option.evidence:
            for point in (*item.results, *item.subgroups):
                assert TAG.search(point.text), point.text
        if option.expected_pfs:
            assert TAG.search(option.expected_pfs), option.expected_pfs


def test_every_guideline_statement_cites_its_references(seed_advice: Advice) -> None:
    for option in seed_advice.options:
        for match in option.guideline:
            assert match.refs, match.statement_id
            for key in match.refs:
                assert key in seed_advice.references


def test_references_carry_their_verification_status(seed_advice: Advice) -> None:
    assert seed_advice.references
    for ref in seed_advice.references.values():
        assert ref["status"] in ("verified", "recalled", "uncertain")
        assert ref["citation"]


def test_conflicts_are_visible() -> None:
    advice = advise(make_case(lines=SSA_PROGRESSED, response="PD"), AT)
    text = render_text(advice, detail=30)
    assert "⚠ conflict" in text  # e.g. RADIANT-3 subgroup intervals, SEQTOR ORR


def test_html_fragment_links_every_reference_and_escapes_record_text() -> None:
    hostile = "<script>alert('x')</script> & co"
    record = make_case(lines=SSA_PROGRESSED, response="PD")
    record = record.model_copy(update={"id": "case-1"})
    events = list(record.events)
    events.append(
        make_case(
            extra_events=[
                {
                    "id": "note-scan",
                    "type": "imaging",
                    "date": "2020-12-20",
                    "modality": "ct",
                    "finding": hostile,
                }
            ]
        ).events[-1]
    )
    advice = advise(record.model_copy(update={"events": events}), AT)
    fragment = render_html(advice)
    assert fragment.startswith('<section class="netline-advice"')
    assert fragment.endswith("</section>")
    assert "<script>" not in fragment
    assert NOTICE.replace("'", "&#x27;") in fragment or NOTICE in fragment
    anchors = set(re.findall(r'id="netline-ref-([a-z0-9_]+)"', fragment))
    links = set(re.findall(r'href="#netline-ref-([a-z0-9_]+)"', fragment))
    assert links
    assert links <= anchors
    assert 'class="netline-status netline-status-verified"' in fragment


def test_html_escapes_text_that_reaches_it() -> None:
    from netline.advice._points import Point
    from netline.advice.render import _e, _point_html

    html = _point_html(Point('<b>x</b> & "y"', ("a<b",), "caution", "recalled"))
    assert "<b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;" in html
    assert 'href="#netline-ref-a&lt;b"' in html
    assert _e("'") == "&#x27;"


def test_json_structure_is_documented_and_complete(seed_advice: Advice) -> None:
    data = json.loads(json.dumps(seed_advice.to_dict()))
    assert data["netline_advice"] == 1
    assert data["notice"] == NOTICE
    assert data["at"] == "2019-02-01"
    assert set(data) >= {
        "case_id",
        "kb_version",
        "confidence",
        "state",
        "ordering_rules",
        "options",
        "surgery",
        "accompanying",
        "references",
    }
    ranks = [o["rank"] for o in data["options"] if o["rank"] is not None]
    assert ranks == list(range(1, len(ranks) + 1))
    option = next(o for o in data["options"] if o["key"] == "lu177_dotatate")
    assert set(option) >= {
        "status",
        "order_reason",
        "guideline",
        "eligibility",
        "exclusions",
        "cautions",
        "to_check",
        "evidence",
        "expected_pfs",
        "sequencing",
        "leaves_available",
        "toxicities",
        "monitoring",
        "confidence",
        "ordering",
    }
    profile = option["eligibility"][0]
    assert profile["default"] is True
    assert {c["outcome"] for c in profile["criteria"]} <= {
        "met",
        "failed",
        "unknown",
        "waived",
        "possible",
    }
    assert data["state"]["growth"]["disease_course"] == "progressive"
    assert data["surgery"]["status"] == "not_suggested"


def test_replay_renders_offered_and_done() -> None:
    walked = replay(load_case(SEED))
    text = render_replay_text(walked)
    assert "2019-02-01 — progression on lanreotide" in text
    assert "<= done" in text
    assert "Actually done: started 177Lu-DOTATATE x4 on 2019-04-01 (netline rank " in text
    fragment = render_replay_html(walked)
    assert fragment.count("<tr>") == len(walked.steps) + 1
    assert 'class="netline-done"' in fragment
    data = json.loads(json.dumps(walked.to_dict()))
    assert data["netline_replay"] == 1
    assert data["schema_version"] == walked.schema_version
    assert walked.render("markdown").startswith("# netline replay")
    assert json.loads(walked.render("json"))["case_id"] == walked.case_id
    assert walked.render("html") == fragment
    with pytest.raises(ValueError, match="unknown format"):
        walked.render("pdf")
    assert data["steps"][0]["actual"]["offered"] is True


def test_state_block_uses_plain_words_not_codes() -> None:
    """Issue 12 item 8: plain words, no internal codes where a plain label exists (the seed
    case, Umino 2024: pancreas head, Ki-67 from a liver metastasis, SRS, ICG-R15)."""
    import datetime as dt

    from netline.advice import advise
    from netline.records import load_case

    text = advise(load_case("examples/seed-case.yaml"), dt.date(2019, 2, 1)).render("text")
    details = text.split("\nDetails\n")[1].split("Options, ordered")[0]
    for code in ("pancreas_head", "liver_metastasis", " on srs ", "icg_r15", "[ssa]"):
        assert code not in details, (code, details)
    assert "pancreas head" in details
    assert "ICG-R15" in details
