"""Issue 10: plausibility warnings are shown by assess (text and JSON) with their source."""

from __future__ import annotations

from pathlib import Path

from netline._inputs import read_document
from netline.assessment import assess
from netline.errors import InvalidRecordError
from netline.records import record_from_data

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed-case.yaml"


def test_prrt_activity_above_the_label_is_shown_with_its_source() -> None:
    data = read_document(SEED, "case file", InvalidRecordError).data
    prrt = next(e for e in data["events"] if e.get("id") == "prrt")
    prrt["cycles"][0]["activity_gbq"] = 9.0  # label: 7.4 GBq per cycle
    result = assess(record_from_data(data), lines=False)
    (warning,) = [w for w in result.plausibility if "activity" in w.location]
    assert warning.value == 9.0
    text = result.render("text")
    assert "Implausible values to check" in text
    assert warning.source in text
    assert result.to_dict()["plausibility"][0]["source"] == warning.source


def test_the_seed_case_has_no_plausibility_warning() -> None:
    assert (
        assess(
            record_from_data(read_document(SEED, "case file", InvalidRecordError).data), lines=False
        ).plausibility
        == ()
    )
