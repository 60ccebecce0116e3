"""The knowledge base's parse cache: same content, invalidated on change, never trusted blindly.

The cache keeps only what the strict reader made of each file (netline.evidence._cache); the
schema and integrity checks run on every load. These tests use a temporary cache folder.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import netline.evidence._cache as cache
import netline.evidence.loader as loader
from netline.errors import InvalidEvidenceError
from netline.evidence import load_knowledge_base, read_knowledge_base_data, validate_knowledge_base
from netline.evidence.loader import data_directory


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder for this test."""
    monkeypatch.setenv("NETLINE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("NETLINE_NO_CACHE", raising=False)
    return tmp_path / "cache" / "kb-parsed"


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(Path(str(data_directory())), target)
    return target


class _Parses:
    """Counts the strict reader's parses (a cache hit does not parse)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.stems: list[str] = []
        real = getattr(loader, "parse_document")  # noqa: B009 - patched below

        def counting(text: str, **kwargs: Any) -> Any:
            self.stems.append(str(kwargs.get("source")))
            return real(text, **kwargs)

        monkeypatch.setattr(loader, "parse_document", counting)


def _entries(folder: Path, stem: str) -> list[Path]:
    return sorted(folder.glob(f"{stem}-*.json"))


def test_a_hit_gives_the_same_content_without_parsing(
    folder: Path, kb_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = read_knowledge_base_data(kb_copy)
    assert len(list(folder.glob("*.json"))) == len(first)
    parses = _Parses(monkeypatch)
    second = read_knowledge_base_data(kb_copy)
    assert parses.stems == []
    assert second == first
    assert json.dumps(second, sort_keys=True) == json.dumps(first, sort_keys=True)
    assert load_knowledge_base(kb_copy).version == load_knowledge_base().version


def test_a_changed_file_is_parsed_again_and_its_old_entry_dropped(
    folder: Path, kb_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_knowledge_base_data(kb_copy)
    old = _entries(folder, "trials")
    trials = kb_copy / "trials.yaml"
    trials.write_text(trials.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    parses = _Parses(monkeypatch)
    read_knowledge_base_data(kb_copy)
    assert parses.stems == ["trials.yaml"]
    new = _entries(folder, "trials")
    assert len(new) == 1
    assert new != old


def test_a_changed_value_is_seen_and_validated(folder: Path, kb_copy: Path) -> None:
    assert validate_knowledge_base(kb_copy) == []
    trials = kb_copy / "trials.yaml"
    trials.write_text(
        trials.read_text(encoding="utf-8").replace("ref: raymond2011,", "ref: raymond2010,", 1),
        encoding="utf-8",
    )
    where = [p.location for p in validate_knowledge_base(kb_copy)]
    assert any(w.startswith("trials.yaml:trials[sun1111]") for w in where)


def test_a_changed_reader_misses(
    folder: Path, kb_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_knowledge_base_data(kb_copy)
    monkeypatch.setattr(cache, "_reader_fingerprint", lambda: b"another reader")
    parses = _Parses(monkeypatch)
    read_knowledge_base_data(kb_copy)
    assert len(parses.stems) == len(loader.read_files(kb_copy)[0])


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data.replace(b"RADIANT-3", b"RADIANT-4", 1),  # a changed value
        lambda data: b"",  # empty
        lambda data: b"\xff\xfe not json\n{",  # not netline's
    ],
    ids=["truncated", "altered", "empty", "garbage"],
)
def test_a_damaged_entry_is_ignored_and_rewritten(
    folder: Path, kb_copy: Path, monkeypatch: pytest.MonkeyPatch, damage: Any
) -> None:
    expected = read_knowledge_base_data(kb_copy)
    (entry,) = _entries(folder, "trials")
    entry.write_bytes(damage(entry.read_bytes()))
    parses = _Parses(monkeypatch)
    assert read_knowledge_base_data(kb_copy) == expected
    assert parses.stems == ["trials.yaml"]
    assert (
        cache.cached_parse("trials", (kb_copy / "trials.yaml").read_text("utf-8"))
        == (expected["trials"])
    )


def test_cached_content_is_validated_like_parsed_content(folder: Path, kb_copy: Path) -> None:
    """An entry with a sound checksum but invalid content is refused by the schema checks."""
    text = (kb_copy / "trials.yaml").read_text(encoding="utf-8")
    content = read_knowledge_base_data(kb_copy)["trials"]
    content["trials"][0]["n"] = "many"
    (entry,) = _entries(folder, "trials")
    entry.unlink()
    cache.store_parse("trials", text, content)
    assert _entries(folder, "trials") == [entry]
    with pytest.raises(InvalidEvidenceError) as caught:
        load_knowledge_base(kb_copy)
    assert "trials.yaml:trials[" in str(caught.value)


def test_a_failed_write_leaves_nothing(
    folder: Path, kb_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(source: str, target: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("netline.evidence._cache.os.replace", failing)
    assert read_knowledge_base_data(kb_copy)["trials"]
    assert list(folder.iterdir()) == []


def test_an_unwritable_cache_does_not_stop_loading(
    tmp_path: Path, kb_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("NETLINE_CACHE_DIR", str(blocker))
    assert validate_knowledge_base(kb_copy) == []


def test_a_file_with_a_problem_is_not_cached(folder: Path, kb_copy: Path) -> None:
    (kb_copy / "profiles.yaml").write_text("version: '1.0.0'\nprofiles: [\n", encoding="utf-8")
    problems = validate_knowledge_base(kb_copy)
    assert any(p.location.startswith("profiles.yaml") and p.line for p in problems)
    assert _entries(folder, "profiles") == []
    assert len(_entries(folder, "trials")) == 1


def test_the_cache_can_be_turned_off(
    folder: Path, kb_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETLINE_NO_CACHE", "1")
    read_knowledge_base_data(kb_copy)
    assert not folder.exists()


def test_the_shared_walk_follows_the_files_the_parts_hold() -> None:
    """The integrity checks share one walk of the models; it follows a change of the files."""
    from netline.evidence._parts import sourced_nodes
    from netline.evidence.validate import check

    parts, problems = check(read_knowledge_base_data())
    assert problems == []
    everything = list(sourced_nodes(parts))
    assert list(sourced_nodes(parts)) == everything
    assert any(where.startswith("cases.yaml:") for where, _ in everything)
    parts.cases = None
    assert list(sourced_nodes(parts)) == [
        (where, node) for where, node in everything if not where.startswith("cases.yaml:")
    ]


def test_without_a_home_folder_there_is_no_cache(
    kb_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    for name in ("NETLINE_CACHE_DIR", "XDG_CACHE_HOME", "NETLINE_NO_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert cache.cache_folder() is None
    assert validate_knowledge_base(kb_copy) == []
