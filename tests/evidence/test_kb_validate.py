"""The validator passes the bundled knowledge base and fails broken copies, naming each problem."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netline.errors import InvalidEvidenceError, Problem
from netline.evidence import load_knowledge_base, validate_knowledge_base
from netline.evidence.loader import data_directory


def _where(problems: list[Problem]) -> list[str]:
    return [p.location for p in problems]


def _only(problems: list[Problem], fragment: str) -> list[Problem]:
    return [p for p in problems if fragment in p.location]


def test_bundled_knowledge_base_is_valid() -> None:
    assert validate_knowledge_base() == []


def test_parsed_data_is_valid(raw: dict[str, Any]) -> None:
    assert validate_knowledge_base(raw) == []


def test_unknown_reference_key(raw: dict[str, Any], find: Any) -> None:
    trial = find(raw["trials"]["trials"], "radiant3")
    trial["endpoints"][0]["values"][0]["value"]["ref"] = "yao2012"
    problems = validate_knowledge_base(raw)
    assert len(problems) == 1
    problem = problems[0]
    assert (
        problem.location
        == "trials.yaml:trials[radiant3].endpoints[pfs].values[everolimus].value.ref"
    )
    assert problem.value == "yao2012"
    assert "yao2011" in problem.expected  # suggestion


def test_orphaned_reference(raw: dict[str, Any]) -> None:
    raw["references"]["references"].append(
        {
            "key": "nobody2020",
            "kind": "journal_article",
            "authors": ["Nobody A"],
            "source": "J Test",
            "year": 2020,
            "published": "2020-05",
            "status": "recalled",
        }
    )
    problems = validate_knowledge_base(raw)
    assert _where(problems) == ["references.yaml:references[nobody2020]"]
    assert "orphaned" in problems[0].expected


def test_a_reference_cited_only_by_code_is_not_orphaned(raw: dict[str, Any]) -> None:
    # A calculator's source (used_by names the citing package) counts as cited.
    raw["references"]["references"].append(
        {
            "key": "nobody2020",
            "kind": "journal_article",
            "authors": ["Nobody A"],
            "source": "J Test",
            "year": 2020,
            "published": "2020-05",
            "status": "recalled",
            "used_by": ["netline.clinical"],
        }
    )
    assert validate_knowledge_base(raw) == []


def test_duplicate_identifiers(raw: dict[str, Any], find: Any) -> None:
    trials = raw["trials"]["trials"]
    copy = dict(find(trials, "promid"))
    copy["name"] = "PROMID again"
    copy["aliases"] = []
    trials.append(copy)
    problems = validate_knowledge_base(raw)
    assert any(p.location == "trials.yaml:trials" and p.value == "promid" for p in problems)


def test_confidence_interval_must_contain_estimate(raw: dict[str, Any], find: Any) -> None:
    trial = find(raw["trials"]["trials"], "sun1111")
    trial["endpoints"][0]["comparisons"][0]["estimate"]["ci"] = [0.45, 0.66]
    problems = validate_knowledge_base(raw)
    assert _where(problems) == [
        "trials.yaml:trials[sun1111].endpoints[pfs].comparisons[0].estimate.ci"
    ]
    assert "0.42" in problems[0].expected


def test_interval_must_be_ordered(raw: dict[str, Any], find: Any) -> None:
    trial = find(raw["trials"]["trials"], "e2211")
    trial["endpoints"][0]["comparisons"][0]["estimate"]["ci"] = [0.93, 0.36]
    problems = validate_knowledge_base(raw)
    messages = " ".join(p.expected for p in problems)
    assert "lower limit" in messages
    assert "containing the estimate" in messages


def test_hazard_ratio_must_agree_with_medians(raw: dict[str, Any], find: Any) -> None:
    trial = find(raw["trials"]["trials"], "radiant3")
    trial["endpoints"][0]["comparisons"][0]["estimate"]["value"] = 1.35
    trial["endpoints"][0]["comparisons"][0]["estimate"]["ci"] = [1.27, 1.45]
    problems = validate_knowledge_base(raw)
    assert _where(problems) == [
        "trials.yaml:trials[radiant3].endpoints[pfs].comparisons[0].estimate.value"
    ]
    assert "median" in problems[0].expected


def test_hazard_ratio_direction_with_not_reached_median(raw: dict[str, Any], find: Any) -> None:
    trial = find(raw["trials"]["trials"], "clarinet")
    estimate = trial["endpoints"][0]["comparisons"][0]["estimate"]
    estimate["value"], estimate["ci"] = 2.1, [1.5, 3.0]
    problems = validate_knowledge_base(raw)
    assert _where(problems) == [
        "trials.yaml:trials[clarinet].endpoints[pfs].comparisons[0].estimate.value"
    ]


@pytest.mark.parametrize(
    ("path", "value", "fragment"),
    [
        (("netter2", "endpoints", 1, "values", 0, "value", "value"), 143.0, "percent"),
        (("netter1", "endpoints", 0, "values", 1, "value", "value"), -8.4, "months"),
        (("netter1", "endpoints", 0, "comparisons", 0, "estimate", "value"), 0.0, "ratio"),
        (("promid", "arms", 0, "n", "value"), 42.5, "whole number"),
    ],
)
def test_values_out_of_range(
    raw: dict[str, Any], find: Any, path: tuple[Any, ...], value: float, fragment: str
) -> None:
    node: Any = find(raw["trials"]["trials"], path[0])
    for step in path[1:-1]:
        node = node[step]
    node[path[-1]] = value
    problems = validate_knowledge_base(raw)
    assert any(fragment in p.expected for p in problems), problems


def test_arm_with_unknown_therapy(raw: dict[str, Any], find: Any) -> None:
    trial = find(raw["trials"]["trials"], "netter1")
    trial["arms"][0]["therapies"] = ["lu177_dotatate", "octreotide_lar2"]
    problems = validate_knowledge_base(raw)
    assert _where(problems) == ["trials.yaml:trials[netter1].arms[lu177_dotatate].therapies"]
    assert "octreotide_lar" in problems[0].expected


def test_comparison_with_unknown_arm(raw: dict[str, Any], find: Any) -> None:
    trial = find(raw["trials"]["trials"], "compete")
    trial["endpoints"][0]["comparisons"][0]["control"] = "sunitinib"
    problems = validate_knowledge_base(raw)
    assert "trials.yaml:trials[compete].endpoints[pfs].comparisons[0].control" in _where(problems)


def test_statement_links(raw: dict[str, Any], find: Any) -> None:
    statement = find(raw["guidelines"]["statements"], "progressive_after_ssa")
    statement["guidelines"] = ["enets2024"]
    statement["evidence_trials"].append("radiant4")
    statement["options"][0]["therapy"] = "everolimus_xr"
    problems = validate_knowledge_base(raw)
    where = _where(problems)
    base = "guidelines.yaml:statements[progressive_after_ssa]"
    assert f"{base}.guidelines" in where
    assert f"{base}.evidence_trials" in where
    assert f"{base}.options[0].therapy" in where


def test_profile_field_and_unit(raw: dict[str, Any], find: Any) -> None:
    profile = find(raw["profiles"]["profiles"], "prrt_netter1")
    find(profile["criteria"], "platelets")["unit"] = "g/L"
    find(profile["criteria"], "renal")["field"] = "crcl"
    problems = validate_knowledge_base(raw)
    expected = " ".join(p.expected for p in problems)
    assert "patient field" in expected
    assert "10^9/L" in expected


def test_two_default_profiles_of_a_kind(raw: dict[str, Any], find: Any) -> None:
    find(raw["profiles"]["profiles"], "prrt_erasmus")["default"] = True
    problems = validate_knowledge_base(raw)
    assert any("at most one default prrt_eligibility" in p.expected for p in problems)


def test_conflict_needs_a_note(raw: dict[str, Any], find: Any) -> None:
    trial = find(raw["trials"]["trials"], "pazonet")
    level = trial["prognostic_factors"][0]["levels"][0]["value"]
    del level["conflict"]
    problems = validate_knowledge_base(raw)
    assert _where(problems) == [
        "trials.yaml:trials[pazonet].prognostic_factors[concomitant_ssa].levels[0].value.conflict"
    ]


def test_schema_problems_name_the_field(raw: dict[str, Any], find: Any) -> None:
    therapy = find(raw["therapies"]["therapies"], "sunitinib")
    del therapy["route"]
    therapy["dose"] = therapy.pop("doses")
    problems = validate_knowledge_base(raw)
    where = _where(problems)
    assert "therapies.yaml:therapies[sunitinib].route" in where
    assert "therapies.yaml:therapies[sunitinib].dose" in where
    missing = _only(problems, ".route")[0]
    assert "required" in missing.expected


def test_schema_shape_rules(raw: dict[str, Any], find: Any) -> None:
    trial = find(raw["trials"]["trials"], "clarinet")
    trial["endpoints"][0]["values"][0]["value"]["value"] = 30.0  # value and not_reached together
    problems = validate_knowledge_base(raw)
    assert any("exactly one of value, bounds or not_reached" in p.expected for p in problems)


def test_version_mismatch(raw: dict[str, Any]) -> None:
    raw["cases"]["version"] = "0.9.0"
    problems = validate_knowledge_base(raw)
    assert _where(problems) == ["cases.yaml:version"]


def test_case_without_surgery_has_no_margin(raw: dict[str, Any], find: Any) -> None:
    case = find(raw["cases"]["cases"], "case10_sowastaszczak2011")
    case["margin"] = "R0"
    problems = validate_knowledge_base(raw)
    assert any("without surgery" in p.expected for p in problems)


def test_every_problem_at_once(raw: dict[str, Any], find: Any) -> None:
    find(raw["trials"]["trials"], "radiant3")["ref"] = "nobody"
    find(raw["trials"]["trials"], "sun1111")["endpoints"][0]["comparisons"][0]["estimate"]["ci"] = [
        0.5,
        0.6,
    ]
    find(raw["therapies"]["therapies"], "everolimus")["kind"] = "pill"
    problems = validate_knowledge_base(raw)
    assert len(problems) >= 3
    with pytest.raises(InvalidEvidenceError) as caught:
        load_knowledge_base(raw)
    assert len(caught.value.problems) == len(problems)
    message = str(caught.value)
    assert "radiant3" in message
    assert "sun1111" in message
    assert "everolimus" in message


def _copy_bundled(target: Path) -> Path:
    source = Path(str(data_directory()))
    shutil.copytree(source, target)
    return target


def test_directory_copy_validates_and_breaks(tmp_path: Path) -> None:
    directory = _copy_bundled(tmp_path / "kb")
    assert validate_knowledge_base(directory) == []
    trials = directory / "trials.yaml"
    trials.write_text(
        trials.read_text(encoding="utf-8").replace("ref: raymond2011,", "ref: raymond2010,", 1),
        encoding="utf-8",
    )
    (directory / "cases.yaml").unlink()
    problems = validate_knowledge_base(directory)
    where = _where(problems)
    assert "cases.yaml" in where
    assert any(w.startswith("trials.yaml:trials[sun1111]") for w in where)


def test_yaml_errors_are_problems(tmp_path: Path) -> None:
    directory = _copy_bundled(tmp_path / "kb")
    (directory / "profiles.yaml").write_text("version: '1.0.0'\nprofiles: [\n", encoding="utf-8")
    (directory / "guidelines.yaml").write_text(
        "version: '1.0.0'\nversion: '1.0.1'\n", encoding="utf-8"
    )
    problems = validate_knowledge_base(directory)
    where = " ".join(_where(problems))
    assert "profiles.yaml" in where
    assert "guidelines.yaml" in where
    assert any("duplicate key" in str(p) for p in problems)


def test_not_a_directory(tmp_path: Path) -> None:
    problems = validate_knowledge_base(tmp_path / "missing")
    assert len(problems) == 1
    assert "directory" in problems[0].expected


@given(
    low=st.floats(0.05, 5, allow_nan=False),
    width=st.floats(0, 5, allow_nan=False),
    value=st.floats(0.01, 10, allow_nan=False),
)
def test_ci_rule_matches_definition(low: float, width: float, value: float) -> None:
    from netline.evidence.schema import Quantity, Unit, Verification
    from netline.evidence.validate import _check_report

    high = low + width
    quantity = Quantity(
        value=value, ci=(low, high), unit=Unit.RATIO, ref="x", status=Verification.VERIFIED
    )
    flagged = any(p.location.endswith(".ci") for p in _check_report("q", quantity, Unit.RATIO))
    assert flagged == (not low <= value <= high)
