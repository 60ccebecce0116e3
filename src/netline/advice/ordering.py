"""The order of the options, and the reason each stands where it does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from netline.advice._points import count_words
from netline.advice.option_types import OptionAssessment

# --------------------------------------------------------------------------- ordering


#: Intensity by mode-of-action class (netline's reading, used only to break ties).
_INTENSITY = {
    "supportive": 0,
    "ssa": 1,
    "interferon": 2,
    "mtor_inhibitor": 2,
    "tki": 2,
    "radioligand": 2,
    "alkylating_chemotherapy": 3,
    "antimetabolite_chemotherapy": 3,
    "anthracycline_chemotherapy": 3,
    "platinum_chemotherapy": 3,
    "topoisomerase_inhibitor": 3,
}
#: Length of an evidence rank tuple without the knowledge-base order.
_EMPTY_RANK = (0,) * 9


def _intensity(option: OptionAssessment) -> int:
    if option.kind in ("surveillance", "syndrome_control"):
        return 0
    if option.kind != "systemic":
        return 2
    return max((_INTENSITY.get(c, 2) for c in option.agent_classes), default=2)


def _sort_key(option: OptionAssessment) -> tuple[object, ...]:
    penalty = 1.0 if option.cross_resistance else 0.0
    group = 0 if option.curative_potential else 1 if option.continuing else 2
    return (
        option.excluded,
        option.setting_tier,
        option.deferred,
        group,
        -(option.certain_score - penalty if option.certain_score else 0.0),
        option.cross_resistance,
        option.relative_contraindications,
        -option.breadth,
        -(option.possible_score - penalty if option.possible_score else 0.0),
        _intensity(option),
        option.evidence_rank,
        option.kind == "systemic",
        option.order,
    )


_KEY_REASONS = (
    "it is excluded",
    "the disease setting puts it later (see its setting note)",
    "no progression is documented after treatment, so starting a new systemic line is held "
    "for progression",
    "a potentially curative option flagged for discussion comes first, then continuing a "
    "therapy on which the disease is not progressing",
    "its guideline support that certainly applies is weaker",
    "it shares a mode of action with a line that progressed",
    "it has more relative contraindications",
    "fewer applicable guideline statements name it",
    "at equal certain support, its support that only possibly applies (a fact unknown or "
    "at a band edge) is weaker",
    "at equal standing the less intensive option comes first (surveillance, SSA, targeted or "
    "radioligand therapy, chemotherapy)",
    "its evidence is weaker for this patient (trial entry, site, design)",
    "it is a systemic therapy (non-drug options first at equal standing)",
    "knowledge-base order",
)


def _describe_standing(option: OptionAssessment) -> str:
    parts = [f"support {option.support}"]
    if option.setting_note:
        parts.insert(0, option.setting_note)
    if option.breadth:
        parts.append(count_words(option.breadth, "applicable statement", "applicable statements"))
    if option.curative_potential:
        parts.append("potentially curative, flagged for HPB discussion")
    if option.continuing:
        parts.append("current therapy, no progression on it")
    if option.cross_resistance:
        parts.append("same mode of action as a line that progressed (support lowered by one)")
    if option.deferred:
        parts.append("held for progression")
    if option.relative_contraindications:
        parts.append(f"{option.relative_contraindications} relative contraindication(s)")
    return "; ".join(parts)


def order_options(options: Sequence[OptionAssessment]) -> tuple[OptionAssessment, ...]:
    """Order options and say why each stands where it does.

    Sort key, in order: excluded last; options that would start a new systemic line while the
    disease is not progressing after treatment come after continuation, surveillance and
    surgery; stronger guideline support (preferred 3, option or alternative 2, reserved 1;
    half a point less when a statement only possibly applies; one point less when the option
    shares a mode of action with a line that progressed); curative potential; no
    cross-resistance; fewer relative contraindications; more applicable statements; stronger
    evidence for this patient; non-drug options first; knowledge-base order.

    References
    ----------
    .. [1] Grande E. Sequential systemic treatment in pancreatic NET (the review; grande2016):
       different modes of action may avoid cross-resistance.
    """
    keyed = sorted(options, key=_sort_key)
    ranked = [i for i, o in enumerate(keyed) if not o.excluded]
    if len(ranked) > 1 and keyed[ranked[0]].never_first:
        first, second = ranked[0], ranked[1]
        keyed[first], keyed[second] = keyed[second], keyed[first]
    out: list[OptionAssessment] = []
    previous: OptionAssessment | None = None
    rank = 0
    for option in keyed:
        key = _sort_key(option)
        if option.excluded:
            reason = "excluded: " + "; ".join(p.text for p in option.exclusions[:2])
            out.append(replace(option, rank=None, order_reason=reason, _key=key))
            continue
        rank += 1
        standing = _describe_standing(option)
        if option.never_first and rank == 2 and previous is not None:
            reason = (
                f"ranked 2: {standing}; below {previous.name} because a surgery whose hard "
                "criterion fails is never ranked first"
            )
        elif previous is None:
            reason = f"ranked 1: {standing}"
        else:
            before = previous._key
            index = next(
                (i for i, (a, b) in enumerate(zip(before, key, strict=True)) if a != b),
                len(key) - 1,
            )
            reason = (
                f"ranked {rank}: {standing}; below {previous.name} because {_KEY_REASONS[index]}"
            )
            if before[: len(key) - 1] == key[: len(key) - 1]:
                reason = f"ranked {rank}: {standing}; equal standing with {previous.name}"
        updated = replace(option, rank=rank, order_reason=reason, _key=key)
        out.append(updated)
        previous = updated
    return tuple(out)
