"""Tumour response under the Choi criteria and the modified Choi criteria (knowledge base A3).

Choi: partial response by size **or** CT attenuation; modified Choi: by size **and**
attenuation. Designed for GIST on imatinib; their use in NET (e.g. on TKIs or PRRT) is
exploratory, and every result says so.
"""

from __future__ import annotations

from enum import StrEnum

from netline.clinical._result import Finding
from netline.clinical._validation import Checks
from netline.clinical._values import at_least
from netline.errors import InsufficientDataError

__all__ = ["ChoiResponse", "choi_response"]

_SIZE_CHANGE = 0.10
_ATTENUATION_DECREASE = 0.15


class ChoiResponse(StrEnum):
    """Response category under the (modified) Choi criteria."""

    CR = "CR"
    PR = "PR"
    SD = "SD"
    PD = "PD"


def choi_response(
    *,
    baseline_sum_mm: float,
    current_sum_mm: float,
    baseline_attenuation_hu: float | None = None,
    current_attenuation_hu: float | None = None,
    new_lesions: bool,
    new_intratumoural_nodules: bool = False,
    non_measurable_progression: bool = False,
    residual_non_measurable_disease: bool = False,
    modified: bool = False,
) -> Finding[ChoiResponse]:
    """Return the response under the Choi criteria (or the modified Choi criteria).

    * PD: new lesions, or new/enlarging intratumoural nodules, or size (sum of longest
      diameters) up ≥ 10 % without an attenuation decrease of ≥ 15 %.
    * CR: every lesion gone (sum 0, no residual non-measurable disease) and no new lesion.
    * PR: size down ≥ 10 % **or** attenuation down ≥ 15 % (modified Choi: **and**), with no
      progression of non-measurable disease.
    * SD: none of these.

    Attenuation is the mean CT density in Hounsfield units in the portal-venous phase. When it
    is not given, the result is returned only if it does not depend on it.

    Parameters
    ----------
    baseline_sum_mm : float
        Sum of longest diameters at baseline (> 0).
    current_sum_mm : float
        Sum of longest diameters now (≥ 0).
    baseline_attenuation_hu, current_attenuation_hu : float, optional
        Mean attenuation of the target lesions (baseline must be > 0 HU for a relative change).
    new_lesions : bool
        Whether new lesions appeared.
    new_intratumoural_nodules : bool, default False
        New intratumoural nodules or growth of existing ones.
    non_measurable_progression : bool, default False
        Progression of non-measurable disease (prevents PR).
    residual_non_measurable_disease : bool, default False
        Non-measurable disease still present (prevents CR).
    modified : bool, default False
        Modified Choi: PR needs both the size and the attenuation decrease.

    Returns
    -------
    Finding[ChoiResponse]
        The response; ``inputs`` holds the relative changes.

    Raises
    ------
    InvalidInputError
        For sizes or attenuations out of range.
    InsufficientDataError
        When the attenuation is missing and would decide the result.

    References
    ----------
    Choi H et al., J Clin Oncol 2007;25:1753-1759 [choi2007].
    """
    flags: dict[str, object] = {
        "new_lesions": new_lesions,
        "new_intratumoural_nodules": new_intratumoural_nodules,
        "non_measurable_progression": non_measurable_progression,
        "residual_non_measurable_disease": residual_non_measurable_disease,
        "modified": modified,
    }
    base, now, base_hu, now_hu = _read(
        baseline_sum_mm, current_sum_mm, baseline_attenuation_hu, current_attenuation_hu, flags
    )
    size_change = (now - base) / base
    attenuation_change = None
    notes = [
        "Choi criteria were designed for GIST on imatinib; their use in NET is exploratory.",
    ]
    if base_hu is not None and now_hu is not None:
        attenuation_change = (now_hu - base_hu) / base_hu
    elif base_hu is not None or now_hu is not None:
        notes.append("Only one attenuation value given: attenuation not used.")
    value, reason = _resolve(size_change, now, attenuation_change, flags)
    size_text = f"size {100 * size_change:+.1f} %"
    if attenuation_change is not None:
        size_text += f", attenuation {100 * attenuation_change:+.1f} %"
    return Finding(
        value=value,
        rule="Choi",
        edition="modified" if modified else "2007",
        inputs=_inputs(base, now, base_hu, now_hu, flags),
        reason=f"{reason} ({size_text})",
        references=("choi2007",),
        notes=tuple(notes),
    )


def _decide(
    size_change: float, now: float, attenuation_down: bool, flags: dict[str, object]
) -> tuple[ChoiResponse, str]:
    """Apply the Choi rules in order, given whether attenuation fell by 15 % or more."""
    new_lesions, nodules = flags["new_lesions"], flags["new_intratumoural_nodules"]
    residual, modified = flags["residual_non_measurable_disease"], flags["modified"]
    non_measurable_progression = flags["non_measurable_progression"]
    size_down = at_least(-size_change, _SIZE_CHANGE)
    if new_lesions:
        return ChoiResponse.PD, "PD: new lesions"
    if nodules:
        return ChoiResponse.PD, "PD: new or enlarging intratumoural nodules"
    if at_least(size_change, _SIZE_CHANGE) and not attenuation_down:
        return ChoiResponse.PD, "PD: size up ≥ 10 % without attenuation down ≥ 15 %"
    if now == 0 and not residual:
        return ChoiResponse.CR, "CR: every lesion gone"
    pr = (size_down and attenuation_down) if modified else (size_down or attenuation_down)
    if pr and not non_measurable_progression:
        if modified:
            why = "size down ≥ 10 % and attenuation down ≥ 15 %"
        else:
            why = "size down ≥ 10 %" if size_down else "attenuation down ≥ 15 %"
        return ChoiResponse.PR, f"PR: {why}"
    if pr:
        return ChoiResponse.SD, "SD: PR criteria met but non-measurable disease progressed"
    return ChoiResponse.SD, "SD: neither PR nor PD"


def _inputs(
    base: float, now: float, base_hu: float | None, now_hu: float | None, flags: dict[str, object]
) -> dict[str, object]:
    """Collect the inputs and relative changes a Choi response reports."""
    size_change = (now - base) / base
    attenuation_change = (
        (now_hu - base_hu) / base_hu if base_hu is not None and now_hu is not None else None
    )
    inputs: dict[str, object] = {
        "baseline_sum_mm": base,
        "current_sum_mm": now,
        "size_change_percent": 100 * size_change,
        "baseline_attenuation_hu": base_hu,
        "current_attenuation_hu": now_hu,
        "attenuation_change_percent": (
            None if attenuation_change is None else 100 * attenuation_change
        ),
        **flags,
    }

    return inputs


def _resolve(
    size_change: float, now: float, attenuation_change: float | None, flags: dict[str, object]
) -> tuple[ChoiResponse, str]:
    """Decide with the attenuation change, or show that it does not matter."""
    if attenuation_change is not None:
        down = at_least(-attenuation_change, _ATTENUATION_DECREASE)
        return _decide(size_change, now, down, flags)
    with_drop = _decide(size_change, now, True, flags)
    without_drop = _decide(size_change, now, False, flags)
    if with_drop[0] is not without_drop[0]:
        raise InsufficientDataError(
            ["baseline_attenuation_hu", "current_attenuation_hu"],
            f"with size change {100 * size_change:+.1f} % the Choi response depends on "
            "the attenuation change",
        )
    return without_drop


def _read(
    baseline_sum_mm: object,
    current_sum_mm: object,
    baseline_attenuation_hu: object,
    current_attenuation_hu: object,
    flags: dict[str, object],
) -> tuple[float, float, float | None, float | None]:
    """Check every input of a Choi response; return sizes and attenuations."""
    checks = Checks()
    base = checks.number(
        "baseline_sum_mm", baseline_sum_mm, low=0, low_open=True, expected="a sum in mm > 0"
    )
    now = checks.number("current_sum_mm", current_sum_mm, low=0, expected="a sum in mm ≥ 0")
    base_hu = checks.optional_number(
        "baseline_attenuation_hu",
        baseline_attenuation_hu,
        low=0,
        high=3000,
        low_open=True,
        expected="a mean attenuation in HU > 0 (a relative change needs a positive baseline)",
    )
    now_hu = checks.optional_number(
        "current_attenuation_hu",
        current_attenuation_hu,
        low=-1000,
        high=3000,
        expected="a mean attenuation in HU between -1000 and 3000",
    )
    for name, flag in flags.items():
        if not isinstance(flag, bool):
            checks.add(name, flag, "True or False")
    checks.done()
    return base, now, base_hu, now_hu
