"""Case files: loading, relative dates, every problem at once, round trips."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from netline.errors import InvalidRecordError
from netline.records import (
    CaseRecord,
    LabPanel,
    Surgery,
    SystemicTherapy,
    dump_case,
    load_case,
    parse_case,
    record_from_data,
)
from netline.records.vocabulary import Agent, Analyte

EXAMPLES = Path(__file__).parents[2] / "examples"


def minimal() -> dict[str, Any]:
    return {
        "id": "case-1",
        "index_date": "2020-01-01",
        "patient": {"id": "p1", "sex": "female", "birth_year": 1960},
        "primary": {"site": "pancreas_tail", "size_mm": 25},
        "events": [
            {"type": "systemic_therapy", "agent": "lanreotide", "start": "index + 1 month"},
        ],
    }


def problems_of(data: object) -> list[tuple[str, object, str]]:
    with pytest.raises(InvalidRecordError) as info:
        record_from_data(data)
    return [(p.location, p.value, p.expected) for p in info.value.problems]


def test_minimal_record_loads_with_relative_dates() -> None:
    record = record_from_data(minimal())
    therapy = record.events[0]
    assert therapy.when == dt.date(2020, 2, 1)


def test_seed_case_loads() -> None:
    record = load_case(EXAMPLES / "seed-case.yaml")
    assert record.primary.histology is not None
    assert record.primary.histology.ki67_percent == 10
    assert record.patient.age_at(record.index_date or dt.date.today()) == pytest.approx(
        40.75, abs=0.01
    )
    conversion = next(e for e in record.events if e.id == "conversion")
    assert isinstance(conversion, Surgery)
    assert conversion.pathology is not None
    assert conversion.pathology.pathological_complete_response is True
    prrt = next(e for e in record.events if e.id == "prrt")
    assert isinstance(prrt, SystemicTherapy)
    assert prrt.agent is Agent.LU177_DOTATATE
    assert len(prrt.cycles) == 4
    assert prrt.clinical_trial


@pytest.mark.parametrize(
    ("mutate", "location", "expected_part"),
    [
        (
            lambda d: d["primary"].update(histology={"ki67_percent": 120}),
            "primary.histology.ki67_percent",
            "a number of at most 100",
        ),
        (lambda d: d["primary"].update(size_mm=-3), "primary.size_mm", "greater than 0"),
        (
            lambda d: d["events"][0].update(stop="2019-06-01"),
            "events[0].stop",
            "on or after 'start'",
        ),
        (
            lambda d: d["events"][0].update(agent="lanreotid"),
            "events[0].agent",
            "did you mean lanreotide",
        ),
        (
            lambda d: d["events"].append(
                {
                    "type": "labs",
                    "date": "2020-03-01",
                    "results": [{"analyte": "platelets", "value": 100, "unit": "furlongs"}],
                }
            ),
            "events[1].results[0].unit",
            "10^9/L",
        ),
        (
            lambda d: d["patient"].update(death_date="2020-01-15"),
            "events[0].start",
            "on or before death",
        ),
        (
            lambda d: d["events"].append({"type": "chemo", "date": "2020-03-01"}),
            "events[1]",
            "an event 'type'",
        ),
        (lambda d: d["events"][0].update(start="next tuesday"), "events[0].start", "ISO date"),
        (
            lambda d: d["events"][0].update(start="prrt + 2 months"),
            "events[0].start",
            "known anchor",
        ),
        (lambda d: d["patient"].update(sex="M"), "patient.sex", "'male'"),
        (lambda d: d["patient"].update(colour="blue"), "patient.colour", "no field of this name"),
        (lambda d: d.pop("patient"), "patient", "required"),
        (
            lambda d: d["events"].append(
                {"type": "adverse_event", "date": "2020-03-01", "term": "Nausea", "grade": 6}
            ),
            "events[1].grade",
            "a number of at most 5",
        ),
        (
            lambda d: d["patient"].update(last_follow_up="2020-01-10"),
            "patient.last_follow_up",
            "on or after the last event",
        ),
    ],
    ids=[
        "ki67>100",
        "negative-size",
        "stop<start",
        "unknown-agent",
        "unknown-unit",
        "after-death",
        "unknown-event-type",
        "bad-date",
        "unknown-anchor",
        "bad-enum",
        "extra-field",
        "missing",
        "ctcae-grade",
        "follow-up-too-early",
    ],
)
def test_bad_input_names_field_value_and_expectation(
    mutate: Any, location: str, expected_part: str
) -> None:
    data = minimal()
    mutate(data)
    found = problems_of(data)
    assert any(loc == location and expected_part in expected for loc, _, expected in found), found


def test_every_problem_is_listed_at_once() -> None:
    data = minimal()
    data["primary"]["size_mm"] = -1
    data["primary"]["histology"] = {"ki67_percent": 101}
    data["events"][0]["agent"] = "unobtainium"
    data["events"].append(
        {
            "type": "labs",
            "date": "2020-02-01",
            "results": [{"analyte": "creatinine", "value": 1, "unit": "mmHg"}],
        }
    )
    locations = {loc for loc, _, _ in problems_of(data)}
    assert locations >= {
        "primary.size_mm",
        "primary.histology.ki67_percent",
        "events[0].agent",
        "events[1].results[0].unit",
    }


def test_problem_carries_the_value_given() -> None:
    data = minimal()
    data["primary"]["histology"] = {"ki67_percent": 120}
    [(location, value, _)] = problems_of(data)
    assert (location, value) == ("primary.histology.ki67_percent", 120)


def test_circular_relative_dates_are_reported() -> None:
    data = minimal()
    data["events"] = [
        {"id": "a", "type": "imaging", "modality": "ct", "date": "b + 1 month"},
        {"id": "b", "type": "imaging", "modality": "ct", "date": "a + 1 month"},
    ]
    found = problems_of(data)
    assert {loc for loc, _, _ in found} == {"events[0].date", "events[1].date"}
    assert all("circular" in expected for _, _, expected in found)


def test_anchor_stop_and_birth() -> None:
    data = minimal()
    data["patient"] = {"id": "p1", "sex": "male", "birth_date": "index - 40 years 9 months"}
    data["events"] = [
        {
            "id": "prrt",
            "type": "systemic_therapy",
            "agent": "Lutathera",
            "start": "2020-02-01",
            "stop": "prrt + 24 weeks",
        },
        {"type": "imaging", "modality": "ct", "date": "prrt.stop + 20 months"},
    ]
    record = record_from_data(data)
    assert record.patient.birth_date == dt.date(1979, 4, 1)
    assert record.events[1].when == dt.date(2020, 7, 18) + (
        dt.date(2022, 3, 18) - dt.date(2020, 7, 18)
    )


@pytest.mark.parametrize(
    ("analyte", "value", "unit", "expected"),
    [
        ("creatinine", 88.4, "µmol/L", 1.0),
        ("creatinine", 1.2, "mg/dL", 1.2),
        ("bilirubin", 34.2, "umol/L", 2.0),
        ("albumin", 3.5, "g/dL", 35.0),
        ("platelets", 150000, "/uL", 150.0),
        ("haemoglobin", 120, "g/L", 12.0),
        ("glucose", 90, "mg/dL", 5.0),
    ],
)
def test_lab_units_are_converted_on_the_way_in(
    analyte: str, value: float, unit: str | None, expected: float
) -> None:
    data = minimal()
    result: dict[str, Any] = {"analyte": analyte, "value": value}
    if unit is not None:
        result["unit"] = unit
    data["events"].append({"type": "labs", "date": "2020-02-01", "results": [result]})
    lab = record_from_data(data).events[1]
    assert isinstance(lab, LabPanel)
    converted = lab.results[0]
    assert converted.value == pytest.approx(expected, rel=1e-4)
    assert converted.analyte is Analyte(analyte)


def test_lab_value_without_unit_is_refused() -> None:
    """Issue 10: creatinine 80 without a unit must not silently become 80 mg/dL."""
    data = minimal()
    data["events"].append(
        {"type": "labs", "date": "2020-02-01", "results": [{"analyte": "platelets", "value": 74}]}
    )
    with pytest.raises(InvalidRecordError) as info:
        record_from_data(data)
    assert "events[1].results[0].unit" in str(info.value)


def test_round_trip_yaml_and_json(tmp_path: Path) -> None:
    record = load_case(EXAMPLES / "seed-case.yaml")
    for name in ("copy.yaml", "copy.json"):
        dump_case(record, tmp_path / name)
        assert load_case(tmp_path / name) == record
    json.loads((tmp_path / "copy.json").read_text())


def test_yaml_syntax_error_names_the_line() -> None:
    with pytest.raises(InvalidRecordError) as info:
        parse_case("id: x\npatient: [unclosed\n", source="case.yaml")
    problem = info.value.problems[0]
    assert problem.line == 3
    assert problem.column == 1
    assert "case.yaml:3:1: (input): got" in str(info.value)


@pytest.mark.parametrize("text", ["", "[1, 2]", "just text"])
def test_non_mapping_is_rejected(text: str) -> None:
    with pytest.raises(InvalidRecordError):
        parse_case(text)


def test_unreadable_file_is_an_invalid_record(tmp_path: Path) -> None:
    with pytest.raises(InvalidRecordError):
        load_case(tmp_path / "missing.yaml")


def test_model_validate_applies_the_same_rules() -> None:
    data = minimal()
    data["index_date"] = "2020-01-01"
    data["events"][0]["start"] = "2020-02-01"
    data["patient"]["death_date"] = "2020-01-15"
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        CaseRecord.model_validate(data)


def test_seed_case_yaml_is_plain_data() -> None:
    data = yaml.safe_load((EXAMPLES / "seed-case.yaml").read_text())
    assert data["netline_case"] == 1


@pytest.mark.parametrize(
    ("count", "ok"),
    [
        ({"count": 6, "unit": "per_10hpf"}, True),
        ({"count": 6, "unit": "per_fields", "n_fields": 50, "field_area_mm2": 0.238}, True),
        ({"count": 6, "unit": "per_fields", "n_fields": 50}, False),
        ({"count": 6, "unit": "per_2mm2", "field_area_mm2": 0.2}, False),
    ],
)
def test_mitotic_count_fields_follow_the_unit(count: dict[str, Any], ok: bool) -> None:
    data = minimal()
    data["primary"]["histology"] = {"mitotic_count": count}
    if ok:
        record_from_data(data)
    else:
        assert any(
            loc.startswith("primary.histology.mitotic_count") for loc, _, _ in problems_of(data)
        )


def test_boolean_lab_value_is_rejected() -> None:
    data = minimal()
    data["events"].append(
        {
            "type": "labs",
            "date": "2020-02-01",
            "results": [{"analyte": "platelets", "value": False}],
        }
    )
    assert ("events[1].results[0].value", False) in {(loc, v) for loc, v, _ in problems_of(data)}


# --------------------------------------------------------------------------- issue 10 regressions

SEED_TEXT = (EXAMPLES / "seed-case.yaml").read_text(encoding="utf-8")


def seed_problems(text: str) -> list[Any]:
    with pytest.raises(InvalidRecordError) as info:
        parse_case(text, source="seed.yaml")
    return list(info.value.problems)


@pytest.mark.parametrize("date", ["2011-02-30", "2011-13-01", "0000-01-01"])
def test_unquoted_impossible_date_is_a_clear_problem(date: str) -> None:
    (problem,) = seed_problems(SEED_TEXT.replace("index_date: 2011-04-01", f"index_date: {date}"))
    assert problem.location == "index_date"
    assert problem.value == date
    assert "real calendar date" in problem.expected
    assert "39 other dates are relative to 'index'" in problem.expected
    assert problem.line == 12


@pytest.mark.parametrize(
    "offset", ["index + 100000 years", "+99999999999999999999 days", "index - 2000 months"]
)
def test_absurd_relative_offsets_are_clear_problems(offset: str) -> None:
    data = minimal()
    data["events"][0]["start"] = offset
    (found,) = problems_of(data)
    assert found[0] == "events[0].start"
    assert "at most 150 years" in found[2]


def test_offset_outside_the_calendar_is_a_problem() -> None:
    data = minimal()
    data["index_date"] = "0001-06-01"
    data["events"][0]["start"] = "index - 140 years"
    (found,) = problems_of(data)
    assert "outside the calendar" in found[2]


@pytest.mark.parametrize("event_id", ["prrt.stop", "index", "birth", "Index", "ct.start"])
def test_event_ids_cannot_shadow_anchors(event_id: str) -> None:
    data = minimal()
    data["events"].append({"id": event_id, "type": "imaging", "modality": "ct", "date": "index"})
    found = problems_of(data)
    assert ("events[1].id", event_id) in [(loc, value) for loc, value, _ in found]


def test_seed_with_an_event_named_prrt_stop_is_refused_not_moved() -> None:
    text = SEED_TEXT.replace("  - id: ct-0\n", "  - id: prrt.stop\n", 1)
    problems = seed_problems(text)
    assert [p.location for p in problems] == ["events[0].id"]


def test_duplicate_key_does_not_keep_the_last_value() -> None:
    text = SEED_TEXT.replace(
        "    ki67_percent: 10\n", "    ki67_percent: 10\n    ki67_percent: 95\n", 1
    )
    (problem,) = seed_problems(text)
    assert problem.location == "primary.histology.ki67_percent"
    assert (problem.line, problem.column) == (42, 5)


def test_appended_empty_events_does_not_wipe_events() -> None:
    (problem,) = seed_problems(SEED_TEXT + "events: []\n")
    assert problem.location == "events"
    assert "once" in problem.expected


@pytest.mark.parametrize(
    ("line", "replacement", "location"),
    [
        ("  size_mm: 35\n", "  size_mm: .nan\n", "primary.size_mm"),
        ("  size_mm: 35\n", "  size_mm: .inf\n", "primary.size_mm"),
    ],
)
def test_non_finite_numbers_are_refused_at_parse_time(
    line: str, replacement: str, location: str
) -> None:
    (problem,) = seed_problems(SEED_TEXT.replace(line, replacement, 1))
    assert problem.location == location
    assert "finite" in problem.expected


def test_yaml_1_1_conversions_are_gone() -> None:
    record = parse_case(SEED_TEXT.replace("  size_mm: 35\n", "  size_mm: 035\n", 1))
    assert record.primary.size_mm == 35
    text = SEED_TEXT.replace(
        "  sex: male\n", "  sex: male\n  performance: [{date: index, ecog: yes}]\n", 1
    )
    (problem,) = seed_problems(text)
    assert problem.location == "patient.performance[0].ecog"
    assert problem.value == "yes"


def test_bad_date_does_not_stop_the_schema_check() -> None:
    data = minimal()
    data["events"][0]["start"] = "next tuesday"
    data["primary"]["size_mm"] = -3
    data["primary"]["histology"] = {"ki67_percent": 120}
    found = {loc for loc, _, _ in problems_of(data)}
    assert found == {"events[0].start", "primary.size_mm", "primary.histology.ki67_percent"}


def test_death_before_birth_is_reported_root_cause_first_and_short() -> None:
    text = SEED_TEXT.replace(
        '  birth_date: "index - 40 years 9 months"\n', '  birth_date: "2030-01-01"\n', 1
    )
    problems = seed_problems(text)
    assert len(problems) <= 3
    assert "other dates break the same rule" in problems[0].expected
    data = minimal()
    data["patient"]["birth_year"] = None
    data["patient"]["birth_date"] = "2019-01-01"
    data["patient"]["death_date"] = "2018-01-01"
    data["events"] = [
        {"type": "imaging", "modality": "ct", "date": f"2019-0{m}-01"} for m in range(1, 9)
    ]
    found = problems_of(data)
    assert found[0][0] == "patient.death_date"
    assert len(found) <= 3


def test_validation_problems_have_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(SEED_TEXT.replace("    ki67_percent: 10\n", "    ki67_percent: 120\n", 1))
    with pytest.raises(InvalidRecordError) as info:
        load_case(path)
    (problem,) = info.value.problems
    assert (problem.line, problem.column) == (41, 19)
    assert f"{path}:41:19: primary.histology.ki67_percent: got 120" in str(info.value)


def test_identifier_pattern_is_explained_in_words() -> None:
    data = minimal()
    data["id"] = "1 bad id"
    ((location, _, expected),) = problems_of(data)
    assert location == "id"
    assert "^[" not in expected
    assert expected.startswith("an identifier")


def test_json_case_file_with_tabs_loads(tmp_path: Path) -> None:
    record = load_case(EXAMPLES / "seed-case.yaml")
    path = tmp_path / "case.json"
    path.write_text(dump_case(record, fmt="json").replace("  ", "\t"), encoding="utf-8")
    assert load_case(path) == record


def test_shared_references_in_python_data_do_not_hang() -> None:
    node: Any = ["x"]
    for _ in range(40):
        node = [node, node]
    data = minimal()
    data["assumptions"] = node
    with pytest.raises(InvalidRecordError):
        record_from_data(data)
