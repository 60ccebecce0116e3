"""The sequence trie and the layout of the common random numbers (engine internals).

Sequences are arranged in a trie: the lines that several sequences share (``A > B`` in
``A > B > C`` and ``A > B > D``) are one node and are simulated once. This is exact because
line ``k`` depends only on the history before it. Each node also carries the history modifiers
that hold for it: those that depend only on the sequence (line number, prior classes, agents)
are resolved here once; those that depend on the patient (covariates, time) are kept for the
engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from netline.simulation.plan import ConditionPlan, ModelPlan, ModifierPlan

__all__ = ["Node", "build_trie", "stream_layout"]


@dataclass
class Node:
    """One line of one or more sequences: its therapy, the history before it, its modifiers.

    ``*_struct`` hold ``(parameter name, power)`` pairs of structural hazard ratios;
    ``*_patient`` hold ``(modifier, power)`` pairs evaluated per patient.
    """

    index: int
    therapy: str
    path: tuple[str, ...]
    occurrence: int
    children: list[Node] = field(default_factory=list)
    sequences: list[int] = field(default_factory=list)
    pfs_struct: list[tuple[str, float]] = field(default_factory=list)
    pfs_patient: list[tuple[ModifierPlan, float]] = field(default_factory=list)
    death_struct: list[tuple[str, float]] = field(default_factory=list)
    death_patient: list[tuple[ModifierPlan, float]] = field(default_factory=list)
    bsc_struct: list[tuple[str, float]] = field(default_factory=list)
    bsc_patient: list[tuple[ModifierPlan, float]] = field(default_factory=list)


def structural_holds(
    cond: ConditionPlan, line: int, groups: frozenset[str], prior: frozenset[str]
) -> bool:
    """Whether the sequence-only part of a condition holds at the start of a line."""
    if cond.line_min is not None and line < cond.line_min:
        return False
    if cond.line_max is not None and line > cond.line_max:
        return False
    if cond.prior_same_group is not None:
        shared = bool(groups & prior)
        if shared != cond.prior_same_group:
            return False
    if cond.prior_group is not None and cond.prior_group not in prior:
        return False
    return not (cond.prior_group_absent is not None and cond.prior_group_absent in prior)


def _power(mod: ModifierPlan, prior_lines: list[frozenset[str]]) -> float:
    """How many times the modifier's HR applies (``per_prior_line_beyond``: one per line)."""
    if mod.per_prior_line_beyond is None:
        return 1.0
    excluded = mod.per_prior_line_excluding
    counted = sum(1 for g in prior_lines if excluded is None or excluded not in g)
    return float(max(0, counted - mod.per_prior_line_beyond))


def _attach(node: Node, plan: ModelPlan) -> None:
    groups = plan.therapies[node.therapy].groups
    prior_lines = [*plan.history, *(plan.therapies[p].groups for p in node.path)]
    prior: frozenset[str] = frozenset().union(*prior_lines)
    everything = prior | groups
    line = len(prior_lines) + 1
    for mod in plan.modifiers:
        simple = mod.when.structural and mod.per_unit is None
        if mod.applies_to(node.therapy):
            if not structural_holds(mod.when, line, groups, prior):
                continue
            power = _power(mod, prior_lines)
            if power == 0:
                continue
            if mod.target == "pfs":
                if simple:
                    node.pfs_struct.append((mod.hr, power))
                else:
                    node.pfs_patient.append((mod, power))
            elif simple:
                node.death_struct.append((mod.hr, power))
            else:
                node.death_patient.append((mod, power))
        elif mod.applies_to(None) and structural_holds(mod.when, line + 1, frozenset(), everything):
            power = _power(mod, [*prior_lines, groups])
            if power == 0:
                continue
            if simple:
                node.bsc_struct.append((mod.hr, power))
            else:
                node.bsc_patient.append((mod, power))


def build_trie(plan: ModelPlan) -> tuple[list[Node], list[list[int]]]:
    """Arrange the plan's sequences in a trie.

    Returns
    -------
    (roots, lines)
        The root nodes, and for each sequence the indices of its nodes in order.
    """
    roots: dict[str, Node] = {}
    nodes: list[Node] = []
    lines: list[list[int]] = []
    for q, seq in enumerate(plan.sequences):
        parent: Node | None = None
        path: list[int] = []
        for depth, therapy in enumerate(seq):
            children = {c.therapy: c for c in parent.children} if parent is not None else roots
            node = children.get(therapy)
            if node is None:
                prefix = seq[:depth]
                node = Node(len(nodes), therapy, prefix, prefix.count(therapy))
                nodes.append(node)
                if parent is None:
                    roots[therapy] = node
                else:
                    parent.children.append(node)
            parent = node
            path.append(node.index)
        assert parent is not None
        parent.sequences.append(q)
        lines.append(path)
    for node in nodes:
        _attach(node, plan)
    return list(roots.values()), lines


def stream_layout(plan: ModelPlan, occurrences: dict[str, int]) -> dict[tuple[str, int, str], int]:
    """Which row of the per-draw uniform block feeds which (therapy, occurrence, event kind).

    New kinds are only ever appended, so that adding one does not change the others' streams.
    """
    slots: list[tuple[str, int, str]] = [("", 0, "background"), ("", 0, "bsc")]
    for key in sorted(plan.therapies):
        t = plan.therapies[key]
        kinds = ["pfs"]
        if t.death_rate is not None:
            kinds.append("death")
        if t.toxicity is not None:
            kinds += ["tox", "tox_time"]
        if t.conversion is not None:
            kinds += ["conversion", "periop", "after"]
        for occ in range(occurrences.get(key, 1)):
            slots.extend((key, occ, k) for k in kinds)
    if plan.frailty_variance is not None:
        slots.append(("", 0, "frailty"))
    return {slot: i for i, slot in enumerate(slots)}
