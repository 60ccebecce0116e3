"""Cards read from the advice object say what the advice's JSON form says (differential test).

``cards_for`` reads the options straight from :class:`netline.advice.Advice`; the oracle below
builds the same card from ``Advice.to_dict()`` (docs/advise.md), as the service did before.
"""

from __future__ import annotations

from typing import Any

import pytest

import netline
from netline.records import CaseRecord
from netline.registry.datasets import demo_records
from netline.web.cds.service import cards_for

URL = "http://netline.test"


def _oracle(record: CaseRecord) -> dict[str, Any]:
    advice = netline.advise(record).to_dict()
    ranked = sorted(
        (o for o in advice["options"] if o.get("rank") is not None), key=lambda o: o["rank"]
    )[:3]
    top = [str(o.get("name", "")).split(" (")[0] for o in ranked]
    unverified = any(g.get("status") != "verified" for o in ranked for g in o["guideline"])
    lines = [f"{o['rank']}. {o.get('name')}: {o.get('order_reason', '')}" for o in ranked]
    return {"top": top, "unverified": unverified, "lines": lines}


@pytest.mark.parametrize("index", range(8))
def test_cards_say_what_the_advice_json_says(index: int, seed_record: CaseRecord) -> None:
    record = seed_record if index == 0 else list(demo_records(8, 31))[index]
    (card,) = cards_for(record, URL)["cards"]
    expected = _oracle(record)
    if expected["top"]:
        assert card["summary"].startswith("netline: options to discuss: ")
        assert "; ".join(expected["top"]).startswith(card["summary"][29:].rstrip("…"))
    else:
        assert "no option could be ranked" in card["summary"]
    assert card["indicator"] == ("warning" if expected["unverified"] else "info")
    for line in expected["lines"]:
        assert line in card["detail"]
    assert card["links"][0]["url"] == f"{URL}/patients/{record.patient.id}"
