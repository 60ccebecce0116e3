"""Trial and cohort figures come from the knowledge base, never from the simulator's code or data.

The project rule (evidence is data): every trial figure lives in
``src/netline/evidence/data/trials.yaml`` with its reference and verification tag. The simulator's
parameter files point into it; its Python holds only numerical constants.
"""

from __future__ import annotations

import ast
import math
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

import netline.simulation
from netline.evidence import load_knowledge_base
from netline.simulation.estimates import estimate, load_estimates
from netline.simulation.validation import run_validation

SIM = Path(netline.simulation.__file__).parent

#: Float literals allowed in the simulator's Python, each a numerical or presentation constant:
#: 0.5, 1, 2, 3, 5, 10 (arithmetic and bounds); 12 (months a year); 60, 120, 130, 240, 400, 1200
#: (ages and horizons); 18, 95 (default age bounds); 0.45 (default share of women, an
#: assumption stated in the model files); 1.96 and 1.959963984540054 (the 97.5 % normal
#: quantile); 0.025, 0.975, 2.5, 97.5 (interval percentiles); 100 (percent); 0.01, 0.1, 0.25
#: (tolerances and default bounds); 1e-6..1e-12 (tolerances); 0.15, 0.3, 0.35, 1.02, 1.6 (plot
#: styling); 5e7 (a memory budget). Acklam's normal-quantile coefficients in distributions.py
#: are a published numerical algorithm, not trial figures, and are exempt.
ALLOWED = {
    0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 12.0, 18.0, 60.0, 95.0, 100.0, 120.0, 130.0, 240.0,
    400.0, 1200.0, 0.45, 1.96, 1.959963984540054, 0.025, 0.975, 2.5, 97.5, 0.01, 0.1, 0.25,
    1e-6, 1e-10, 1e-12, 0.15, 0.3, 0.35, 1.02, 1.6, 5e7,
}  # fmt: skip


def _float_literals(path: Path) -> list[tuple[int, float]]:
    tree = ast.parse(path.read_text("utf-8"))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, float)
    ]


def test_no_trial_figure_is_written_in_the_simulators_python() -> None:
    found = [
        f"{path.name}:{line}: {value!r}"
        for path in sorted(SIM.rglob("*.py"))
        if path.name != "distributions.py"
        for line, value in _float_literals(path)
        if value not in ALLOWED
    ]
    assert not found, "numbers that look like figures; read them from the knowledge base"


def test_the_check_catches_a_hardcoded_shape(tmp_path: Path) -> None:
    # The defect this guards against: validation.py once wrote RADIANT-3's shape as 1.204.
    bad = tmp_path / "bad.py"
    bad.write_text("SHAPE = {'value': 1.204}\n")
    assert [v for _, v in _float_literals(bad) if v not in ALLOWED] == [1.204]


def _numbers(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every mapping of a YAML tree that holds a number, with its path."""
    out: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        if any(isinstance(v, int | float) and not isinstance(v, bool) for v in node.values()):
            out.append((path, node))
        for k, v in node.items():
            out += _numbers(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _numbers(v, f"{path}[{i}]")
    return out


def _data(name: str) -> dict[str, Any]:
    text = resources.files("netline.simulation").joinpath(f"data/{name}").read_text("utf-8")
    return dict(yaml.safe_load(text))


def test_estimates_file_holds_only_assumptions_and_pointers() -> None:
    for path, node in _numbers(_data("estimates.yaml")["estimates"]):
        if "events" in node:
            assert node.get("events_status") == "assumption", path
            assert "evidence" in node, f"{path}: events go with a knowledge-base figure"
            continue
        assert node.get("status") == "assumption" or node.get("ref") == "assumption", (
            f"{path}: {node} is a number without a knowledge-base pointer; move it to trials.yaml"
        )


def test_validation_file_holds_no_figures() -> None:
    data = _data("validation.yaml")
    assert [p for p, _ in _numbers(data["cohorts"])] == []
    kb = load_knowledge_base()
    for cohort in data["cohorts"]:
        trial = kb.trial(cohort["trial"])
        for endpoint in cohort["endpoints"]:
            assert trial.endpoint(endpoint) is not None, (cohort["trial"], endpoint)


def test_stz_estimates_read_the_knowledge_base() -> None:
    kb = load_knowledge_base()
    dilz = kb.trial("dilz2015").endpoint("ttp")
    clewemar = kb.trial("clewemar2016").endpoint("pfs")
    assert dilz is not None
    assert clewemar is not None
    low, high = dilz.values[0].value.value, clewemar.values[0].value.value
    assert low is not None
    assert high is not None
    assert low <= estimate("stz_5fu_pfs_median").value <= high
    moertel = kb.trial("moertel1992").endpoint("ttp")
    assert moertel is not None
    assert estimate("stz_5fu_pfs_median_moertel").value == pytest.approx(
        moertel.value_for("stz_5fu").value  # type: ignore[union-attr]
    )
    # Toxicity stops: 16/96 and 29/133 in the abstracts; the pool lies between the two rates.
    stop = estimate("stz_5fu_toxicity_stop").value
    assert 16 / 96 <= stop <= 29 / 133


def test_trial_shape_and_its_se_follow_the_delta_method() -> None:
    # RADIANT-3: medians 11.0 and 4.6 months, HR 0.35 (0.27-0.45), Yao 2011.
    est = load_estimates()["sunitinib_shape"]
    sun_k = math.log(0.42) / math.log(5.5 / 11.4)  # SUN-1111: HR 0.42 (0.26-0.66)
    assert est.value == pytest.approx(sun_k)
    se = (math.log(0.66) - math.log(0.26)) / (2 * 1.959963984540054) / abs(math.log(0.42))
    assert est.se == pytest.approx(se)
    evero = load_estimates()["everolimus_shape"]
    radiant = math.log(0.35) / math.log(4.6 / 11.0)
    compete = math.log(0.67) / math.log(14.1 / 23.9)
    assert compete < evero.value < radiant
    assert evero.se > 0


def test_validation_figures_are_the_knowledge_bases() -> None:
    kb = load_knowledge_base()
    predictions, _, _ = run_validation(kb, patients=200, draws=20, seed=3)
    refs = {p.ref for p in predictions}
    assert {"seqtor_esmo_open", "angelousi2017", "daskalakis2019"} <= refs
    for p in predictions:
        assert p.ref in {r.key for r in kb.references}


def test_no_estimate_uses_a_validation_study() -> None:
    validation = {"seqtor", "angelousi2017", "daskalakis2019"}
    text = resources.files("netline.simulation").joinpath("data/estimates.yaml").read_text()
    for study in validation:
        assert f"trial: {study}" not in text
    for est in load_estimates().values():
        assert not any(study in ref for ref in est.refs for study in validation), est.name
