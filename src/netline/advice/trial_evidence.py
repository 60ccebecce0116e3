"""Trial evidence for an option, as it bears on the patient (matched by the documented order)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from netline.advice._points import Point
from netline.advice.eligibility import EntryCheck, check_entry
from netline.advice.matching import TrialFit, match_trial
from netline.advice.option_types import (
    _DESIGN_RANK,
    _SHOWN_ENDPOINTS,
    _SUBGROUP_ORDER,
    EvidenceItem,
    _Context,
)
from netline.evidence import format_quantity
from netline.evidence.schema import (
    Arm,
    Endpoint,
    EndpointKind,
    Quantity,
    Subgroup,
    Therapy,
    Trial,
)

# --------------------------------------------------------------------------- evidence


def _fmt(quantity: Quantity) -> str:
    return format_quantity(quantity)


def _endpoint_points(endpoint: Endpoint, arm: Arm, trial: Trial, prefix: str = "") -> list[Point]:
    points: list[Point] = []
    label = endpoint.label or endpoint.kind.value.upper()
    if endpoint.timepoint_months:
        label += f" at {endpoint.timepoint_months:g} mo"
    value = endpoint.value_for(arm.id)
    if value is not None:
        points.append(
            Point(
                f"{prefix}{label}: {_fmt(value)} ({arm.label})",
                (value.ref,),
                "conflict" if value.in_conflict else "info",
                value.worst_status.value,
            )
        )
    for comparison in endpoint.comparisons:
        if comparison.estimate is None or arm.id not in (
            comparison.experimental,
            comparison.control,
        ):
            continue
        other = comparison.control if comparison.experimental == arm.id else comparison.experimental
        other_arm = trial.arm(other)
        other_label = other_arm.label if other_arm is not None else other
        measure = (comparison.measure.value if comparison.measure else "effect").upper()
        estimate = comparison.estimate
        direction = (
            f"{comparison.experimental} vs {comparison.control}"
            if comparison.experimental == arm.id
            else f"{comparison.experimental} vs {comparison.control} (this arm is the comparator)"
        )
        points.append(
            Point(
                f"{prefix}{label} {measure} {_fmt(estimate)} — {direction}; other arm: "
                f"{other_label}",
                (estimate.ref,),
                "conflict" if estimate.in_conflict else "info",
                estimate.worst_status.value,
            )
        )
    return points


def _pfs_of(endpoints: Sequence[Endpoint], arm: Arm) -> Quantity | None:
    for endpoint in sorted(endpoints, key=lambda e: not e.primary):
        if endpoint.kind is EndpointKind.PFS and endpoint.label is None:
            value = endpoint.value_for(arm.id)
            if value is not None:
                return value
    for endpoint in endpoints:
        if endpoint.kind in (EndpointKind.PFS, EndpointKind.TTP):
            value = endpoint.value_for(arm.id)
            if value is not None:
                return value
    return None


def _rank(
    fit: TrialFit,
    trial: Trial,
    entry: EntryCheck,
    same_agent: bool,
    from_subgroup: bool,
    pancreatic: bool,
    expected: Quantity | None,
    order: int,
) -> tuple[int, ...]:
    """Return the evidence rank in the documented matching order (docs/advise.md §3)."""
    return (
        1 if fit.later else 0,
        0 if same_agent else 1,
        1 if fit.withheld else 0,
        1 if entry.verdict == "not met" else 0,
        _DESIGN_RANK.get(trial.design, 5),
        0 if from_subgroup else 1,
        0 if pancreatic else 1,
        0 if trial.phase == "III" else 1,
        0 if expected is not None else 1,
        order,
    )


def _per_trial(ctx: _Context, trial: Trial) -> tuple[EntryCheck, list[Subgroup]]:
    """Entry check and matching subgroups of a trial, once per decision point."""
    key = ("trial", trial.id)
    found = ctx.memo.get(key)
    if found is None:
        state = ctx.state
        subgroups = list(
            ctx.index.kb.subgroups_for(
                trial,
                prior_classes=state.prior_classes,
                prior_lines=ctx.n_prior_lines,
                site=state.site,
            )
        )
        subgroups.sort(key=lambda s: _SUBGROUP_ORDER.get(s.dimension, 9))
        found = (check_entry(trial.population, state), subgroups)
        ctx.memo[key] = found
    return found  # type: ignore[return-value]


def _endpoint_points_memo(
    ctx: _Context, endpoint: Endpoint, arm: Arm, trial: Trial, prefix: str = ""
) -> list[Point]:
    """:func:`_endpoint_points`, formatted once per knowledge base (the text is KB-only)."""
    memo = ctx.index.memo
    key = (id(endpoint), id(arm), id(trial), prefix)
    found = memo.get(key)
    if found is None or found[0] is not endpoint:  # type: ignore[index]
        found = (endpoint, _endpoint_points(endpoint, arm, trial, prefix))
        memo[key] = found
    return found[1]  # type: ignore[index,no-any-return]


@dataclass(frozen=True, slots=True)
class _TrialArms:
    """What a trial holds for one therapy, from the knowledge base alone (worked out once).

    ``arms`` are the arms giving the therapy (a sequence arm counts for the therapy it gives
    first); ``headline`` says, for each, whether its median may be the expected outcome: arms
    that give the therapy itself first (or, failing that, a placeholder such as "PRRT, agent
    not named"), never an arm in which it is added to another therapy.
    """

    trial: Trial
    arms: tuple[Arm, ...]
    headline: tuple[bool, ...]
    trial_pfs: tuple[Quantity | None, ...]
    results: tuple[Point, ...]
    same_agent: bool
    agents: frozenset[str]
    design: str


def _trial_arms(
    ctx: _Context, trial: Trial, therapy: Therapy, arm_ids: frozenset[str]
) -> _TrialArms | None:
    """:class:`_TrialArms` of a trial and therapy, once per knowledge base (``None``: no arm)."""
    memo = ctx.index.memo
    key = ("trial-arms", id(trial), therapy.id)
    found = memo.get(key)
    if found is not None and found[0] is trial:  # type: ignore[index]
        return found[1]  # type: ignore[index,no-any-return]
    therapy_id = therapy.id
    arms = [a for a in trial.arms if set(a.therapies) & arm_ids]
    result: _TrialArms | None = None
    if arms:
        first = [a for a in arms if a.therapies and a.therapies[0] in arm_ids]
        arms = first or arms
        exact = [a for a in first if a.therapies[0] == therapy_id]
        headline_arms = exact or first
        headline = tuple(arm in headline_arms for arm in arms)
        results = [
            point
            for arm in arms
            for endpoint in trial.endpoints
            if endpoint.kind in _SHOWN_ENDPOINTS
            for point in _endpoint_points_memo(ctx, endpoint, arm, trial)
        ]
        result = _TrialArms(
            trial=trial,
            arms=tuple(arms),
            headline=headline,
            trial_pfs=tuple(
                _pfs_of(trial.endpoints, arm) if is_headline else None
                for arm, is_headline in zip(arms, headline, strict=True)
            ),
            results=tuple(results),
            same_agent=any(a.therapies and a.therapies[0] == therapy_id for a in headline_arms),
            agents=frozenset(a.value for a in therapy.agents),
            design=f"{trial.design.value}"
            + (f", phase {trial.phase}" if trial.phase else "")
            + f", n = {format_quantity(trial.n)}",
        )
    memo[key] = (trial, result)
    return result


def _subgroup_pfs(ctx: _Context, subgroup: Subgroup, arm: Arm) -> Quantity | None:
    """:func:`_pfs_of` a subgroup's endpoints for an arm, once per knowledge base."""
    memo = ctx.index.memo
    key = ("subgroup-pfs", id(subgroup), id(arm))
    found = memo.get(key)
    if found is None or found[0] is not subgroup or found[1] is not arm:  # type: ignore[index]
        found = memo[key] = (subgroup, arm, _pfs_of(subgroup.endpoints, arm))
    return found[2]  # type: ignore[index,no-any-return]


def _formatted(ctx: _Context, quantity: Quantity) -> str:
    """:func:`format_quantity` of a knowledge-base quantity, once per knowledge base."""
    memo = ctx.index.memo
    key = ("quantity", id(quantity))
    found = memo.get(key)
    if found is None or found[0] is not quantity:  # type: ignore[index]
        found = memo[key] = (quantity, format_quantity(quantity))
    return found[1]  # type: ignore[index,no-any-return]


def _trial_evidence(
    ctx: _Context,
    trial: Trial,
    therapy: Therapy,
    arm_ids: frozenset[str],
    order: int,
) -> EvidenceItem | None:
    held = _trial_arms(ctx, trial, therapy, arm_ids)
    if held is None:
        return None
    entry, subgroups = _per_trial(ctx, trial)
    sub_points: list[Point] = []
    expected: Quantity | None = None
    source: str | None = None
    from_subgroup = False
    for arm, headline, trial_pfs in zip(held.arms, held.headline, held.trial_pfs, strict=True):
        for subgroup in subgroups:
            for endpoint in subgroup.endpoints:
                if endpoint.kind in _SHOWN_ENDPOINTS:
                    sub_points.extend(
                        _endpoint_points_memo(ctx, endpoint, arm, trial, f"{subgroup.label}: ")
                    )
            if expected is None and headline:
                value = _subgroup_pfs(ctx, subgroup, arm)
                if value is not None:
                    expected, source = value, f"{trial.name}, {subgroup.label} ({arm.label})"
                    from_subgroup = True
        if expected is None and trial_pfs is not None:
            expected, source = trial_pfs, f"{trial.name} ({arm.label})"
    if source is not None and not held.same_agent:
        source += "; the arm does not name the agent"
    pancreatic = trial.population.pancreatic_only or any(
        "pancreas" in [s.value for s in sg.criteria.sites] for sg in subgroups
    )
    fit = match_trial(
        ctx.state,
        trial,
        held.agents,
        ctx.index.kb,
        same_agent=held.same_agent,
        pancreatic=pancreatic,
    )
    rank = _rank(fit, trial, entry, held.same_agent, from_subgroup, pancreatic, expected, order)
    return EvidenceItem(
        trial_id=trial.id,
        name=trial.name,
        design=held.design,
        population=trial.population.description,
        arms=tuple(a.label for a in held.arms),
        results=held.results,
        subgroups=tuple(sub_points),
        expected_pfs=None if expected is None else _formatted(ctx, expected),
        expected_pfs_source=source,
        entry=entry,
        ref=trial.ref,
        status=trial.status.value,
        pancreatic=pancreatic,
        rank=rank,
        match=(
            *fit.match,
            "subgroup matching the patient" if from_subgroup else "whole trial population",
        ),
        published=fit.published,
        later=fit.later,
        headline_withheld=fit.withheld,
    )
