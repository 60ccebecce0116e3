"""Simulating the remaining sequences for one patient (issue 15, item 6)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from netline.errors import InvalidInputError
from netline.records.casefile import load_case
from netline.simulation import parse_model, simulate
from netline.simulation.patient import simulate_patient

from .simhelpers import model

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed-case.yaml"


def _model(p_ki67: float = 0.5) -> dict[str, object]:
    data = model(
        sequences=[["a", "b"], ["b", "a"], ["a"]],
        modifiers=[{"name": "line", "per_prior_line_beyond": 0, "hr": 2.0}],
        population={"covariates": {"ki67_high": {"kind": "bernoulli", "p": p_ki67}}},
    )
    data["therapies"]["a"]["agents"] = ["everolimus"]
    data["therapies"]["b"]["agents"] = ["sunitinib"]
    data["modifiers"].append(
        {"name": "ki67", "when": {"covariate": "ki67_high"}, "hr": 1.5, "applies_to": ["a"]}
    )
    return dict(data)


def test_history_shortens_what_comes_next() -> None:
    record = load_case(SEED)
    spec = parse_model(_model())
    fresh = simulate(parse_model(_model(p_ki67=0.0)), patients=4000, draws=1, psa=False)
    later = simulate_patient(
        record,
        [["lanreotide"], ["lu177_dotatate"]],
        spec,
        at=dt.date(2023, 12, 1),
        covariates={"ki67_high": 0},
        patients=4000,
        draws=1,
        psa=False,
    )
    assert later.assumed == []
    before = fresh.lines_table().set_index(["sequence", "line"])
    after = later.result.lines_table().set_index(["sequence", "line"])
    # two prior lines: the per-line HR 2 applies twice on the patient's next line
    ratio = before.loc[("a > b", 1), "pfs_median"] / after.loc[("a > b", 1), "pfs_median"]
    assert ratio == pytest.approx(4.0, rel=0.1)
    text = later.render("text")
    assert "lanreotide > lu177_dotatate" in text
    assert "not a prediction" in text
    assert json.loads(later.render("json"))["patient"] == record.id


def test_exclusions_drop_sequences_and_unknowns_are_named() -> None:
    record = load_case(SEED)
    out = simulate_patient(
        record, [["lanreotide"]], parse_model(_model()), exclude=["b"], patients=200, draws=2
    )
    assert out.result.sequence_ids == ("a",)
    assert out.dropped_sequences == 2
    assert out.assumed == ["ki67_high"]


def test_bad_patient_inputs_are_listed_together() -> None:
    record = load_case(SEED)
    with pytest.raises(InvalidInputError) as exc:
        simulate_patient(
            record,
            [["aspirin_xyz"]],
            parse_model(_model()),
            exclude=["nope"],
            covariates={"ki67_high": 3},
        )
    text = str(exc.value)
    assert "lines_so_far[0]" in text
    assert "exclude" in text
