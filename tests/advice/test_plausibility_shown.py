"""Issue 10: plausibility warnings appear in advise's summary (text, HTML) and JSON."""

from __future__ import annotations

from pathlib import Path

from netline._inputs import read_document
from netline.advice import advise
from netline.errors import InvalidRecordError
from netline.records import record_from_data

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed-case.yaml"


def test_implausible_prrt_activity_is_shown_by_advise() -> None:
    data = read_document(SEED, "case file", InvalidRecordError).data
    prrt = next(e for e in data["events"] if e.get("id") == "prrt")
    prrt["cycles"][1]["activity_gbq"] = 12.0  # label: 7.4 GBq per cycle
    advice = advise(record_from_data(data))
    (warning,) = [w for w in advice.plausibility if "activity" in w.location]
    text = advice.render("text")
    assert "Implausible values to check" in text
    assert text.index("Implausible values to check") < text.index("Details")
    assert warning.source in advice.render("html")
    assert advice.to_dict()["plausibility"][0]["value"] == 12.0
