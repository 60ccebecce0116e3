"""Model files: loading, validation that lists every problem, compilation."""

from __future__ import annotations

from pathlib import Path

import pytest

from netline.errors import InvalidInputError
from netline.simulation import compile_model, load_model, parse_model
from netline.simulation.spec import expand_sequences

from .simhelpers import model

ROOT = Path(__file__).parents[2]
EXAMPLES = sorted((ROOT / "examples" / "models").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_load_and_compile(path: Path) -> None:
    compiled = compile_model(load_model(path))
    assert compiled.plan.sequences
    assert set(compiled.plan.bounds) == set(compiled.param_specs)


def test_generated_orderings_count_516() -> None:
    spec = load_model(ROOT / "examples" / "models" / "pnet-sequences.yaml")
    sequences, ids = expand_sequences(spec)
    assert len(sequences) == 6 + 30 + 120 + 360
    assert len(set(ids)) == len(ids)


def test_validation_lists_every_problem() -> None:
    data = model(
        therapies={
            "a": {
                "classes": ["x"],
                "pfs": {"distribution": "weibull", "median": -3, "rate": 0.1},
                "toxicity": {"probability": 1.5, "timing": {"kind": "uniform", "high": -1}},
            },
            "b": {
                "classes": ["y"],
                "pfs": {"distribution": "exponential", "median": 8.0},
                "colour": "red",
            },
        },
    )
    with pytest.raises(InvalidInputError) as info:
        parse_model(data, source="bad.yaml")
    text = str(info.value)
    locations = [p.location for p in info.value.problems]
    assert "therapies.a.pfs" in locations  # weibull needs shape; rate not allowed
    assert "therapies.a.toxicity.timing.high" in locations
    assert "therapies.b.colour" in locations
    assert len(info.value.problems) >= 3
    assert "bad.yaml" in text


def test_cross_references_are_checked_all_at_once() -> None:
    data = model(
        sequences=[["a", "zz"], {"generate": {"therapies": ["a", "b"], "max_length": 3}}],
        modifiers=[
            {"name": "m1", "applies_to": ["nope"], "hr": 1.2},
            {"name": "m2", "when": {"prior_agent": "everolimuss"}, "hr": 1.2},
            {"name": "m3", "when": {"covariate": "ki67"}, "hr": 1.2},
            {"name": "m3", "hr": 1.1},
        ],
    )
    with pytest.raises(InvalidInputError) as info:
        parse_model(data)
    locations = {p.location for p in info.value.problems}
    assert {
        "sequences[0].lines[1]",
        "sequences[1].generate",
        "modifiers[0].applies_to[0]",
        "modifiers[1].when.prior_agent",
        "modifiers[2].when.covariate",
        "modifiers",
    } <= locations
    assert "did you mean everolimus" in str(info.value)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("name: x\ntherapies: [\n")
    with pytest.raises(InvalidInputError, match=":3:1:"):
        load_model(path)
    with pytest.raises(InvalidInputError, match="readable"):
        load_model(tmp_path / "missing.yaml")


def test_param_spec_forms() -> None:
    data = model(
        therapies={
            "a": {
                "classes": ["x"],
                "pfs": {
                    "distribution": "exponential",
                    "median": {
                        "value": 10,
                        "ci": [8, 13],
                        "source": {"ref": "x2020", "status": "verified"},
                    },
                },
            },
            "b": {
                "classes": ["y"],
                "pfs": {"distribution": "exponential", "median": {"value": 8, "ci": [9, 12]}},
            },
        },
    )
    with pytest.raises(InvalidInputError, match="must contain the value"):
        parse_model(data)


def test_agents_give_classes_and_history_groups() -> None:
    spec = load_model(ROOT / "examples" / "models" / "pnet-sequences.yaml")
    plan = compile_model(spec).plan
    assert "class:alkylating_chemotherapy" in plan.therapies["captem"].groups
    assert "class:alkylating_chemotherapy" in plan.therapies["stz_5fu"].groups
    assert "agent:everolimus" in plan.therapies["everolimus"].groups
    # PRRT cycles: planned 4 x 1.84 months caps time on treatment
    assert plan.therapies["prrt"].max_duration == pytest.approx(4 * 1.84)


def test_evidence_references_resolve_from_the_knowledge_base() -> None:
    data = model(
        therapies={
            "a": {
                "classes": ["x"],
                "pfs": {
                    "distribution": "weibull",
                    "median": {
                        "evidence": {"trial": "radiant3", "endpoint": "pfs", "arm": "everolimus"}
                    },
                    "shape": 1.2,
                    "hr": {
                        "evidence": {
                            "trial": "RADIANT-3",
                            "endpoint": "pfs",
                            "subgroup": "prior_chemotherapy",
                            "measure": "hr",
                        }
                    },
                },
            },
            "b": {"classes": ["y"], "pfs": {"distribution": "exponential", "median": 8.0}},
        },
    )
    compiled = compile_model(parse_model(data))
    median, _ = compiled.param_specs["therapies.a.pfs.median"]
    hr, _ = compiled.param_specs["therapies.a.pfs.hr"]
    assert median.value == 11.0
    assert median.source is not None
    assert median.source.ref == "yao2011"
    assert hr.value == pytest.approx(0.34)
    assert hr.ci == (0.25, 0.48)
    assert hr.resolved_kind("lognormal") == "lognormal"


def test_unresolvable_evidence_lists_problems() -> None:
    data = model(
        therapies={
            "a": {
                "classes": ["x"],
                "pfs": {
                    "distribution": "exponential",
                    "median": {
                        "evidence": {"trial": "radiant3", "endpoint": "pfss", "arm": "everolimus"}
                    },
                },
            },
            "b": {
                "classes": ["y"],
                "pfs": {
                    "distribution": "exponential",
                    "median": {
                        "evidence": {"trial": "clarinet", "endpoint": "pfs", "arm": "lanreotide"}
                    },
                },
            },
        },
    )
    with pytest.raises(InvalidInputError) as info:
        compile_model(parse_model(data))
    text = str(info.value)
    assert "pfss" in text
    assert "reached" in text


def test_public_api_is_curated() -> None:
    import netline.simulation as sim

    assert sim.__all__ == sorted(sim.__all__)
    for name in sim.__all__:
        assert getattr(sim, name) is not None


def test_example_references_are_knowledge_base_keys_or_labelled() -> None:
    from netline.evidence import load_knowledge_base
    from netline.simulation.estimates import estimate_references

    keys = {r.key for r in load_knowledge_base().references}
    keys |= {"assumption", "rustgi2021"} | set(estimate_references())
    for path in EXAMPLES:
        compiled = compile_model(load_model(path))
        for name, (spec, _) in compiled.param_specs.items():
            if spec.source is None:
                continue
            for ref in spec.source.ref.split("+"):
                assert ref in keys, f"{path.name}: {name} cites {ref}"
