"""The forest plot: rows, marking of unverified figures, and the three file formats."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from netline.errors import InvalidInputError
from netline.evidence import KnowledgeBase, forest_rows, write_forest_plot


def test_rows(kb: KnowledgeBase) -> None:
    rows = forest_rows(kb)
    ids = [r.trial_id for r in rows]
    assert ids == [
        "clarinet",
        "radiant3",
        "sun1111",
        "cabinet",
        "sanet_p",
        "seqtor",
        "e2211",
        "compete",
    ]
    by_id = {r.trial_id: r for r in rows}
    assert by_id["radiant3"].hr == 0.35
    assert by_id["radiant3"].verified
    assert not by_id["clarinet"].verified
    assert by_id["clarinet"].label.endswith("†")
    assert not by_id["e2211"].verified  # interval recalled
    assert by_id["cabinet"].conflict
    assert "‡" in by_id["cabinet"].label
    assert by_id["cabinet"].subgroup == "Pancreatic NET cohort"
    assert by_id["seqtor"].estimate_text == "1.16 (0.77–1.75)"
    assert by_id["compete"].subgroup == "Pancreatic NET"  # HR 0.70, recalled
    assert not by_id["compete"].verified


def test_optional_rows(kb: KnowledgeBase) -> None:
    mixed = forest_rows(kb, include_mixed=True)
    assert "netter2" in {r.trial_id for r in mixed if r.mixed_population}
    with_subgroups = forest_rows(kb, include_subgroups=True)
    labels = [r.label for r in with_subgroups]
    assert any("Chemotherapy-naive" in label for label in labels)
    assert len(with_subgroups) > len(forest_rows(kb))


def test_png(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = write_forest_plot(tmp_path / "forest.png", kb=kb)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_svg(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = write_forest_plot(tmp_path / "forest.svg", kb=kb, include_mixed=True)
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_html(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = write_forest_plot(tmp_path / "forest.html", kb=kb)
    html = path.read_text(encoding="utf-8")
    for name in ("RADIANT-3", "SUN-1111", "CABINET", "E2211", "CLARINET", "SEQTOR"):
        assert name in html
    assert "not verified" in html
    assert "cdn.plot.ly" not in html.split("<body>")[0]  # the JavaScript is embedded


def test_bad_suffix(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"\.png, \.svg or \.html"):
        write_forest_plot(tmp_path / "forest.pdf")
    with pytest.raises(InvalidInputError):
        write_forest_plot(tmp_path / "forest.png", rows=())
