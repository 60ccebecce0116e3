"""Simulated sequences from the patient's current state, run as a background job of the app.

The job calls :func:`netline.simulation.simulate_patient` with the lines the course engine derived
(the same derivation the patient page shows) and the model named in the settings, then keeps a
summary of the result object for the page: median PFS of each line and median OS of each sequence,
with their 95 % PSA intervals, the model's sources, and the statement that this is in silico and
not a recommendation. Nothing here is clinical logic: the figures are the simulator's.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netline.errors import InvalidInputError
from netline.web.jobs import Job

if TYPE_CHECKING:
    from netline.records import CaseRecord
    from netline.simulation import PatientSimulation

#: Seed of patient-page simulations: the same record and model give the same figures.
SIMULATION_SEED = 20261202
STATEMENT = (
    "In silico: these figures come from simulating modelled populations with parameters taken "
    "from published evidence, started from this patient's lines so far. They are not a "
    "prediction for this patient and not a recommendation; the tumour board decides."
)


@dataclass(frozen=True)
class SequenceRow:
    """One simulated sequence: what comes next, PFS per line and OS, with 95 % PSA intervals."""

    sequence: str
    pfs_by_line: list[str]
    os_median: str


@dataclass
class SimulationView:
    """What the patient page shows of one simulation."""

    model: str
    at: str
    history: str
    assumed: str
    run: str
    rows: list[SequenceRow]
    sources: list[str] = field(default_factory=list)
    statement: str = STATEMENT


def _interval(mean: float, lo: float, hi: float) -> str:
    return f"{mean:.1f} mo (95 % interval {lo:.1f}–{hi:.1f})"


def _sources(spec_data: Any) -> set[str]:
    """Every source named in a model (``source.ref``, ``evidence.trial``, ``estimate``)."""
    found: set[str] = set()
    if isinstance(spec_data, dict):
        source = spec_data.get("source")
        if isinstance(source, dict) and source.get("ref"):
            found.add(f"{source['ref']} ({source.get('status', 'status not given')})")
        evidence = spec_data.get("evidence")
        if isinstance(evidence, dict) and evidence.get("trial"):
            found.add(f"{evidence['trial']} (trial figure from the knowledge base)")
        if isinstance(spec_data.get("estimate"), str):
            found.add(f"{spec_data['estimate']} (simulator estimate, estimates.yaml)")
        for value in spec_data.values():
            found |= _sources(value)
    elif isinstance(spec_data, list):
        for value in spec_data:
            found |= _sources(value)
    return found


def simulation_view(
    simulation: PatientSimulation, spec_data: Any, seconds: float
) -> SimulationView:
    """Summarise a :class:`~netline.simulation.PatientSimulation` for the page."""
    result = simulation.result
    lines = result.lines_table()
    sequences = result.sequences_table()
    rows = []
    for seq in sequences.to_dict("records"):
        of_seq = lines[lines["sequence"] == seq["sequence"]].sort_values("line")
        pfs = [
            f"L{int(r['line'])} {r['therapy']}: "
            + _interval(r["pfs_median"], r["pfs_median_lo"], r["pfs_median_hi"])
            for r in of_seq.to_dict("records")
        ]
        rows.append(
            SequenceRow(
                sequence=str(seq["sequence"]),
                pfs_by_line=pfs,
                os_median=_interval(seq["os_median"], seq["os_median_lo"], seq["os_median_hi"]),
            )
        )
    history = " > ".join("+".join(agents) for agents in simulation.history) or "none"
    raw = result.raw
    return SimulationView(
        model=result.model_name,
        at=simulation.at.isoformat(),
        history=history,
        assumed=", ".join(simulation.assumed) or "none",
        run=(
            f"{raw.draws} PSA draws × {raw.patients_per_draw} simulated patients, seed "
            f"{SIMULATION_SEED}, in {seconds:.1f} s"
        ),
        rows=rows,
        sources=sorted(_sources(spec_data)),
    )


def run_simulation(
    job: Job,
    record: CaseRecord,
    line_agents: Sequence[Sequence[str]],
    model: Path | None,
    *,
    patients: int,
    draws: int,
) -> None:
    """Simulate the model's sequences from the patient's state; put the view on ``job``.

    Raises
    ------
    InvalidInputError
        Without a configured model, or when the simulator refuses the patient's history.
    """
    from netline.simulation import simulate_patient
    from netline.simulation.spec import load_model

    if model is None:
        raise InvalidInputError.single(
            "simulation_model", None, "a simulator model configured for this app"
        )
    job.progress = f"reading the model {model.name}"
    spec = load_model(model)
    count = len(spec.sequences)
    job.progress = (
        f"simulating {count} sequence(s): {draws} PSA draws × {patients} patients "
        f"(lines so far: {len(line_agents)})"
    )
    started = time.perf_counter()
    simulation = simulate_patient(
        record,
        [list(agents) for agents in line_agents],
        spec,
        patients=patients,
        draws=draws,
        seed=SIMULATION_SEED,
        progress=False,
    )
    job.progress = "summarising the result"
    job.result = simulation_view(
        simulation, spec.model_dump(mode="json"), time.perf_counter() - started
    )
    job.report = simulation.render("text")
    job.progress = "finished"
