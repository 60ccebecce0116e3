"""Integer coding of the engine's inputs and decoding of its outputs (Arrow side).

The engine sorts and groups tens of millions of rows; it works on small integers rather than
strings. Before the tables go to the engine, agents, classes, responses, sources, stop reasons
and procedures become integer codes (sorted vocabularies, so that code order is name order);
dates become day numbers. Lines carry their agents as bit masks (one bit per agent), which an
engine aggregates with ``bit_or``; the regimen label and the agent lists are then made once per
distinct combination of masks and joined back here, in Arrow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from netline.course.rules import LineRules
from netline.course.tables import CourseTables
from netline.errors import InvalidInputError
from netline.records.vocabulary import AGENTS

__all__ = [
    "END_REASONS",
    "KINDS",
    "PFS_REASONS",
    "RESPONSES",
    "SOURCES",
    "TTNT_REASONS",
    "Coded",
    "encode",
]

#: Response codes in rank order (index = code); the rank of a code is in ``RESPONSE_RANK``.
RESPONSES = (
    "CR",
    "NED",
    "PR",
    "responding",
    "SD",
    "stable",
    "non-CR/non-PD",
    "mixed",
    "PD",
    "progressing",
    "NE",
)
SOURCES = ("recist", "recorded", "clinician", "stop_reason")
KINDS = ("systemic", "surgery", "local_therapy")
END_REASONS = (
    "progression",
    "new_line",
    "ongoing",
    "procedure",
    "death",
    "unknown",
    "completed",
    "toxicity",
    "surgery",
    "patient_choice",
    "other",
)
PFS_REASONS = (
    "progression",
    "death",
    "censored_next_line",
    "censored_last_assessment",
    "censored_end_of_follow_up",
    "censored_no_assessment",
)
TTNT_REASONS = ("next_line", "death", "censored")
MAX_AGENTS = 62
_LABELS = {agent.value: info.label for agent, info in AGENTS.items()}


def _day_numbers(column: Any) -> Any:
    return column.cast(pa.int32())


def _codes(column: Any, vocabulary: Sequence[str]) -> Any:
    """Index of each value in ``vocabulary`` (null when absent), as int32.

    Dictionary-encoded columns are coded through their (small) dictionaries.
    """
    values = pa.array(list(vocabulary), type=pa.string())
    if pa.types.is_dictionary(column.type):
        chunks = []
        for chunk in column.chunks:
            mapping = pc.index_in(chunk.dictionary.cast(pa.string()), value_set=values)
            chunks.append(pc.take(mapping, chunk.indices).cast(pa.int32()))
        return pa.chunked_array(chunks, type=pa.int32())
    return pc.index_in(column.cast(pa.string()), value_set=values).cast(pa.int32())


def _unique(*columns: Any) -> list[str]:
    seen: set[str] = set()
    for column in columns:
        distinct = pc.unique(column)
        if pa.types.is_dictionary(distinct.type):
            distinct = distinct.dictionary_decode()
        seen.update(v for v in distinct.cast(pa.string()).to_pylist() if v is not None)
    return sorted(seen)


@dataclass(frozen=True)
class Coded:
    """The coded tables and the vocabularies needed to decode the results."""

    episodes: pa.Table
    assessments: pa.Table
    followup: pa.Table
    procedures: pa.Table
    names: list[str]  # joint vocabulary of agents and procedure names (code = index)
    agent_bits: dict[str, int]  # agent -> bit index in the masks
    classes: list[str]
    radioligand_agents: frozenset[str]
    id_type: pa.DataType

    def class_code(self, name: str) -> int:
        """Code of an agent class (-1 when no episode has it)."""
        return self.classes.index(name) if name in self.classes else -1


def encode(tables: CourseTables, rules: LineRules) -> Coded:
    """Turn the long tables into integer-coded Arrow tables for the engine.

    Raises
    ------
    InvalidInputError
        With more than 62 distinct agents, or a missing episode id.
    """
    ep = tables.episodes
    pr = tables.procedures
    agents = _unique(ep.column("agent"))
    if len(agents) > MAX_AGENTS:
        raise InvalidInputError.single(
            "episodes.agent", len(agents), f"at most {MAX_AGENTS} distinct agents"
        )
    if ep.column("episode_id").null_count:
        raise InvalidInputError.single("episodes.episode_id", None, "an id for every episode")
    names = _unique(ep.column("agent"), pr.column("procedure"))
    classes = _unique(ep.column("agent_class"))
    bit_index = {agent: i for i, agent in enumerate(agents)}
    bits = pa.array([1 << bit_index[a] if a in bit_index else 0 for a in names], type=pa.int64())
    name_code = _codes(ep.column("agent"), names)
    reasons = list(END_REASONS)
    episodes = pa.table(
        {
            "patient_id": ep.column("patient_id"),
            "episode_id": ep.column("episode_id"),
            "code": name_code,
            "bit": pc.take(bits, name_code),
            "cls": _codes(ep.column("agent_class"), classes),
            "start": _day_numbers(ep.column("start")),
            "stop": _day_numbers(ep.column("stop")),
            "cycles": ep.column("cycles"),
            "reason": _codes(ep.column("reason_stopped"), reasons),
            "clinical_trial": pc.fill_null(ep.column("clinical_trial"), False),
        }
    )
    asm = tables.assessments
    source = _codes(asm.column("source"), SOURCES)
    wanted = pa.array([SOURCES.index(s) for s in sorted(rules.assessment_sources)], pa.int32())
    keep = pc.fill_null(pc.is_in(source, value_set=wanted), False)
    assessments = pa.table(
        {
            "patient_id": asm.column("patient_id"),
            "day": _day_numbers(asm.column("date")),
            "resp": _codes(asm.column("response"), RESPONSES),
            "src": source,
            "progression": pc.fill_null(asm.column("progression"), False),
        }
    ).filter(keep)
    procedures = pa.table(
        {
            "patient_id": pr.column("patient_id"),
            "procedure_id": pr.column("procedure_id"),
            "day": _day_numbers(pr.column("date")),
            "code": _codes(pr.column("procedure"), names),
            "kind": _codes(pr.column("kind"), KINDS),
        }
    )
    fu = tables.followup
    followup = pa.table(
        {
            "patient_id": fu.column("patient_id"),
            **{
                name: _day_numbers(fu.column(name))
                for name in ("diagnosis", "first_metastasis", "death", "last_follow_up")
            },
        }
    )
    radioligand_code = classes.index("radioligand") if "radioligand" in classes else -1
    is_radioligand = pc.equal(episodes.column("cls"), pa.scalar(radioligand_code, pa.int32()))
    radioligand = _unique(ep.filter(is_radioligand, null_selection_behavior="drop").column("agent"))
    return Coded(
        episodes=episodes,
        assessments=assessments,
        followup=followup,
        procedures=procedures,
        names=names,
        agent_bits=bit_index,
        classes=classes,
        radioligand_agents=frozenset(a for a in radioligand if a is not None),
        id_type=tables.followup.schema.field("patient_id").type,
    )


# --------------------------------------------------------------------------- decoding


def _from_mask(mask: int, bits: dict[int, str]) -> list[str]:
    return sorted(agent for bit, agent in bits.items() if mask >> bit & 1)


def _label(agents: list[str]) -> list[str]:
    return [_LABELS.get(a, a.replace("_", " ")) for a in agents]


def decode_lines(table: pa.Table, coded: Coded) -> pa.Table:
    """Labels and agent lists from the masks; names from the codes; dates from day numbers."""
    bits = {i: agent for agent, i in coded.agent_bits.items()}
    masks = ["regimen_mask", "ssa_mask", "agents_mask", "backbone_mask"]
    keyed = table.append_column("k_procedure", pc.fill_null(table.column("procedure"), -1))
    keyed = keyed.append_column("k_cycles", pc.fill_null(table.column("cycles"), -1))
    keys = ["kind", "k_procedure", "k_cycles", *masks]
    distinct = keyed.select(keys).group_by(keys).aggregate([])
    labels: list[str] = []
    agent_lists: list[list[str]] = []
    backbone_lists: list[list[str]] = []
    for row in distinct.to_pylist():
        if row["kind"] != 0:
            procedure = coded.names[row["k_procedure"]]
            labels.append(procedure.replace("_", " "))
            agent_lists.append([procedure])
            backbone_lists.append([])
            continue
        main_agents = _from_mask(row["regimen_mask"], bits)
        pieces = []
        for agent, text in zip(main_agents, _label(main_agents), strict=True):
            cycles = row["k_cycles"]
            if agent in coded.radioligand_agents and cycles >= 0:
                text = f"{text} x{cycles}"
            pieces.append(text)
        ssa = sorted(_label(_from_mask(row["ssa_mask"] | row["backbone_mask"], bits)))
        labels.append(" + ".join([*sorted(pieces), *ssa]))
        agent_lists.append(_from_mask(row["agents_mask"] | row["backbone_mask"], bits))
        backbone_lists.append(_from_mask(row["backbone_mask"], bits))
    lookup = distinct.append_column("combo", pa.array(range(distinct.num_rows), pa.int32()))
    order = "__row"
    numbered = keyed.append_column(order, pa.array(range(table.num_rows), pa.int64()))
    joined = numbered.join(lookup, keys, join_type="left outer").sort_by(order)
    combo = joined.column("combo")
    out = table
    for name, values, dtype in (
        ("label", labels, pa.string()),
        ("agents", agent_lists, pa.list_(pa.string())),
        ("backbone", backbone_lists, pa.list_(pa.string())),
    ):
        out = out.append_column(name, pa.array(values, dtype).take(combo))
    return out


def decode(column: Any, vocabulary: Sequence[str]) -> Any:
    """Codes back to names (null stays null)."""
    indices = column.cast(pa.int32())
    return pa.DictionaryArray.from_arrays(
        indices.combine_chunks() if hasattr(indices, "combine_chunks") else indices,
        pa.array(list(vocabulary), pa.string()),
    ).cast(pa.string())
