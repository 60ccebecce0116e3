"""RECIST 1.1 at one time point: target, non-target and overall response.

The response at a time point depends on the series so far through two references: the nadir
(smallest sum on study, baseline included) and the prior response. Once the patient has reached
CR, the reappearance of any lesion is PD (RECIST working group clarification); after PR or SD a
reappearing lesion is simply measured again and added to the sum, which is judged by the 20 % and
5 mm rule.
"""

from __future__ import annotations

from collections.abc import Sequence

from netline.clinical._result import Finding
from netline.clinical._validation import Checks
from netline.clinical.recist._model import (
    FAQ_REF,
    RECIST_REFS,
    LesionMeasurement,
    NewLesions,
    NonTargetResponse,
    OverallResponse,
    TargetResponse,
    check_lesion,
    check_unique,
    diameter,
    gone,
    too_small_notes,
    total,
)
from netline.clinical.recist.thresholds import (
    PD_ABSOLUTE_MM,
    PD_INCREASE_FRACTION,
    PR_DECREASE_FRACTION,
    at_least,
)

__all__ = ["non_target_response", "overall_response", "target_response"]

_EPS_MM = 1e-9
_TABLE_NOTE = (
    "Decided by the RECIST 1.1 time-point response table, which the knowledge base holds "
    "as recalled ([R]), not checked against the paper."
)
_EQUIVOCAL_NOTE = (
    "Equivocal new lesion: not PD at this time point; if a later scan confirms it, PD is "
    "dated to this assessment."
)
_UNVERIFIED = "(unverified)"  # marker returned by _decide_target, never shown
_REAPPEARANCE_NOTE = (
    "Reappearance after CR is PD (RECIST working group: once CR was assigned, the "
    "reappearance of any lesion is PD); the group recommends that the earlier CR was confirmed."
)


def _prior(checks: Checks, prior_response: object) -> bool:
    """Whether the prior response is CR (the patient has reached CR)."""
    if prior_response is None:
        return False
    prior = checks.member("prior_response", prior_response, OverallResponse)
    return prior is OverallResponse.CR


def _check_targets(
    checks: Checks,
    baseline: Sequence[LesionMeasurement],
    current: Sequence[LesionMeasurement],
) -> None:
    if len(baseline) == 0:
        checks.add("baseline", [], "at least one target lesion")
    for i, lesion in enumerate(baseline):
        check_lesion(checks, f"baseline[{i}]", lesion)
        if isinstance(lesion, LesionMeasurement) and (
            lesion.diameter_mm is None or lesion.too_small_to_measure
        ):
            checks.add(f"baseline[{i}].diameter_mm", lesion.diameter_mm, "a baseline measurement")
    for i, lesion in enumerate(current):
        check_lesion(checks, f"current[{i}]", lesion)
    check_unique(checks, "baseline", baseline)
    check_unique(checks, "current", current)
    checks.done()
    by_id = {lesion.id: lesion for lesion in baseline}
    for i, lesion in enumerate(current):
        base = by_id.get(lesion.id)
        if base is None:
            checks.add(
                f"current[{i}].id",
                lesion.id,
                "a baseline target id (report new lesions to overall_response)",
            )
        elif base.is_lymph_node != lesion.is_lymph_node:
            checks.add(f"current[{i}].is_lymph_node", lesion.is_lymph_node, str(base.is_lymph_node))


def target_response(
    baseline: Sequence[LesionMeasurement],
    current: Sequence[LesionMeasurement],
    *,
    nadir_mm: float | None = None,
    prior_response: OverallResponse | str | None = None,
) -> Finding[TargetResponse]:
    """Return the response of the target lesions at one time point.

    * After CR (``prior_response`` CR): any target that reappeared (non-nodal > 0 mm, node
      ≥ 10 mm short axis) is PD.
    * CR: every non-nodal target gone (0 mm) and every nodal target < 10 mm short axis.
    * PD: sum ≥ 20 % above the nadir **and** ≥ 5 mm above it (the nadir includes baseline).
    * PR: sum ≥ 30 % below the baseline sum.
    * SD: neither.
    * NE: a target was not measured; but if the measured targets alone already meet PD, the
      result is PD (diameters cannot be negative, so the full sum would meet it too).

    After PR or SD, a target that disappeared and reappears is simply measured again: its
    diameter is in the sum, judged against the nadir by the 20 % / 5 mm rule.

    When every target is gone or a node < 10 mm, the result is CR even if the sum of node
    short axes rose by ≥ 20 % and ≥ 5 mm (nodes < 10 mm are normal, per the RECIST
    committee's clarification); that case is marked unverified with a note.

    Parameters
    ----------
    baseline : sequence of LesionMeasurement
        The target lesions at baseline, each measured.
    current : sequence of LesionMeasurement
        The same lesions (by ``id``) now; a lesion left out counts as not measured.
    nadir_mm : float, optional
        Smallest sum on study so far, baseline included (see :func:`nadir`); defaults to the
        baseline sum.
    prior_response : OverallResponse or str, optional
        The best overall response reached so far in this series (``"CR"`` when the patient
        has reached CR); ``None`` at the first assessment.

    Returns
    -------
    Finding[TargetResponse]
        The target response; ``inputs`` holds the sums and the changes.

    Raises
    ------
    InvalidInputError
        For malformed or duplicate lesions, a lesion now that was not a baseline target (new
        lesions go to :func:`overall_response`), a lesion whose node status changed, a baseline
        target without a measurement, a nadir above the baseline sum or an unknown prior
        response.

    References
    ----------
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer2009]; RECIST working
    group, RECIST 1.1 questions and clarifications (EORTC) [recist_faq].
    """
    checks = Checks()
    _check_targets(checks, baseline, current)
    after_cr = _prior(checks, prior_response)
    base_sum, _ = total(baseline)
    if base_sum <= 0:
        checks.add("baseline", base_sum, "a baseline sum of diameters > 0 mm")
    reference = checks.optional_number(
        "nadir_mm",
        nadir_mm,
        low=0,
        high=base_sum + _EPS_MM,
        expected=f"a nadir in mm between 0 and the baseline sum ({base_sum:g} mm)",
    )
    checks.done()
    nadir_sum = base_sum if reference is None else reference

    now = {lesion.id: lesion for lesion in current}
    ids = [lesion.id for lesion in baseline]
    measured = [now[i] for i in ids if i in now and diameter(now[i]) is not None]
    unmeasured = [i for i in ids if i not in now or diameter(now[i]) is None]
    current_sum, small = total(measured)
    inputs = _target_inputs(base_sum, nadir_sum, current_sum, unmeasured, small, prior_response)
    reappeared = [lesion.id for lesion in measured if not gone(lesion)]
    value, reason, extra, keys = _decide_target(
        base_sum, nadir_sum, current_sum, unmeasured, reappeared, after_cr=after_cr
    )
    references = tuple(key for key in keys if key != _UNVERIFIED)
    notes = [*too_small_notes(small), *extra]
    return Finding(
        value=value,
        rule="RECIST target response",
        edition="1.1",
        inputs=inputs,
        reason=reason,
        references=references,
        verified=not small and _UNVERIFIED not in keys,
        notes=tuple(notes),
    )


def _target_inputs(
    base_sum: float,
    nadir_sum: float,
    current_sum: float,
    unmeasured: list[str],
    small: list[str],
    prior_response: object,
) -> dict[str, object]:
    """Collect the sums and changes a target response reports."""
    change_nadir = current_sum - nadir_sum
    return {
        "baseline_sum_mm": base_sum,
        "nadir_mm": nadir_sum,
        "current_sum_mm": current_sum if not unmeasured else None,
        "measured_sum_mm": current_sum,
        "change_from_baseline_percent": 100 * (current_sum - base_sum) / base_sum,
        "change_from_nadir_mm": change_nadir,
        "change_from_nadir_percent": (100 * change_nadir / nadir_sum if nadir_sum > 0 else None),
        "unmeasured": unmeasured,
        "too_small_to_measure": small,
        "prior_response": None if prior_response is None else str(prior_response),
    }


def _decide_target(
    base_sum: float,
    nadir_sum: float,
    current_sum: float,
    unmeasured: list[str],
    reappeared: list[str],
    *,
    after_cr: bool,
) -> tuple[TargetResponse, str, list[str], tuple[str, ...]]:
    """Apply the target-response rules in order; return value, reason, notes and references.

    ``reappeared`` lists the measured targets not gone (non-nodal > 0 mm, node ≥ 10 mm).
    """
    change_nadir = current_sum - nadir_sum
    meets_pd = at_least(change_nadir, PD_INCREASE_FRACTION * nadir_sum) and at_least(
        change_nadir, PD_ABSOLUTE_MM
    )
    pd_text = (
        f"sum {current_sum:g} mm vs nadir {nadir_sum:g} mm: +{change_nadir:g} mm "
        f"(≥ {PD_INCREASE_FRACTION:.0%} and ≥ {PD_ABSOLUTE_MM:g} mm)"
    )
    percent = 100 * (current_sum - base_sum) / base_sum
    if after_cr and reappeared:
        reason = f"PD: target(s) {', '.join(reappeared)} reappeared after CR"
        return TargetResponse.PD, reason, [_REAPPEARANCE_NOTE], (*RECIST_REFS, FAQ_REF)
    if unmeasured:
        if meets_pd:
            reason = (
                f"PD: measured targets alone give {pd_text}; unmeasured "
                f"{', '.join(unmeasured)} can only add to the sum"
            )
            return TargetResponse.PD, reason, [], RECIST_REFS
        reason = f"NE: target(s) {', '.join(unmeasured)} not measured"
        return TargetResponse.NE, reason, [], RECIST_REFS
    if not reappeared:
        reason = "CR: every non-nodal target gone and every nodal target < 10 mm short axis"
        if not meets_pd:
            return TargetResponse.CR, reason, [], RECIST_REFS
        note = (
            f"The node short axes rose from the nadir ({pd_text}) but every node is "
            "< 10 mm, i.e. normal: CR per the RECIST committee's lymph-node clarification, "
            "which is not in the knowledge base."
        )
        return TargetResponse.CR, reason, [note], (*RECIST_REFS, FAQ_REF, _UNVERIFIED)
    if meets_pd:
        return TargetResponse.PD, f"PD: {pd_text}", [], RECIST_REFS
    if at_least(base_sum - current_sum, PR_DECREASE_FRACTION * base_sum):
        reason = (
            f"PR: sum {current_sum:g} mm vs baseline {base_sum:g} mm "
            f"({percent:+.1f} %, ≥ {PR_DECREASE_FRACTION:.0%} decrease)"
        )
        return TargetResponse.PR, reason, [], RECIST_REFS
    reason = (
        f"SD: sum {current_sum:g} mm; {percent:+.1f} % vs baseline {base_sum:g} mm, "
        f"{change_nadir:+g} mm vs nadir {nadir_sum:g} mm"
    )
    return TargetResponse.SD, reason, [], RECIST_REFS


def non_target_response(
    baseline: Sequence[LesionMeasurement],
    current: Sequence[LesionMeasurement],
    *,
    unequivocal_progression: bool = False,
) -> Finding[NonTargetResponse]:
    """Return the response of the non-target lesions at one time point.

    * PD: unequivocal progression of the non-target lesions (the reader's judgement:
      ``unequivocal_progression``);
    * NE: a baseline non-target lesion was not evaluated (missing from ``current``);
    * CR: every non-target lesion gone (non-nodal 0 mm; node < 10 mm short axis). A lesion
      given without a diameter (``diameter_mm=None``) is present;
    * non-CR/non-PD: otherwise (persistence of at least one non-target lesion).

    Tumour markers are not considered (RECIST CR also asks for a normal marker level).

    Parameters
    ----------
    baseline : sequence of LesionMeasurement
        The non-target lesions at baseline (at least one).
    current : sequence of LesionMeasurement
        The same lesions (by ``id``) now.
    unequivocal_progression : bool, default False
        Whether the report states unequivocal progression of the non-target lesions.

    Returns
    -------
    Finding[NonTargetResponse]
        The non-target response.

    Raises
    ------
    InvalidInputError
        For malformed or duplicate lesions, no baseline lesion, or a lesion now that was not a
        baseline non-target.

    References
    ----------
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer2009].
    """
    checks = Checks()
    if len(baseline) == 0:
        checks.add("baseline", [], "at least one non-target lesion")
    for i, lesion in enumerate(baseline):
        check_lesion(checks, f"baseline[{i}]", lesion)
    for i, lesion in enumerate(current):
        check_lesion(checks, f"current[{i}]", lesion)
    if not isinstance(unequivocal_progression, bool):
        checks.add("unequivocal_progression", unequivocal_progression, "True or False")
    check_unique(checks, "baseline", baseline)
    check_unique(checks, "current", current)
    checks.done()
    ids = [lesion.id for lesion in baseline]
    for i, lesion in enumerate(current):
        if lesion.id not in ids:
            checks.add(f"current[{i}].id", lesion.id, "a baseline non-target id")
    checks.done()
    now = {lesion.id: lesion for lesion in current}
    missing = [i for i in ids if i not in now]
    if unequivocal_progression:
        value, reason = NonTargetResponse.PD, "PD: unequivocal progression of non-target lesions"
    elif missing:
        value, reason = (
            NonTargetResponse.NE,
            f"NE: non-target(s) {', '.join(missing)} not evaluated",
        )
    elif all(gone(now[i]) for i in ids):
        value = NonTargetResponse.CR
        reason = "CR: every non-target lesion gone and every node < 10 mm short axis"
    else:
        present = [i for i in ids if not gone(now[i])]
        value = NonTargetResponse.NON_CR_NON_PD
        reason = f"non-CR/non-PD: non-target(s) {', '.join(present)} persist"
    return Finding(
        value=value,
        rule="RECIST non-target response",
        edition="1.1",
        inputs={
            "baseline": ids,
            "current": {i: diameter(now[i]) for i in ids if i in now},
            "unequivocal_progression": unequivocal_progression,
        },
        reason=reason,
        references=RECIST_REFS,
        notes=("Tumour markers are not considered for non-target CR.",),
    )


def overall_response(
    *,
    target: TargetResponse | str | None,
    non_target: NonTargetResponse | str | None,
    new_lesions: NewLesions | bool | str,
    prior_response: OverallResponse | str | None = None,
) -> Finding[OverallResponse]:
    """Combine target, non-target and new-lesion assessments into the time-point response.

    With target lesions (Eisenhauer 2009, Table 1):

    ====================  ===========================  ===========  =======
    target                non-target                   new lesion   overall
    ====================  ===========================  ===========  =======
    CR                    CR (or none at baseline)     no           CR
    CR                    non-CR/non-PD or NE          no           PR
    PR                    not PD (incl. NE)            no           PR
    SD                    not PD (incl. NE)            no           SD
    NE                    not PD                       no           NE
    PD                    any                          any          PD
    any                   PD                           any          PD
    any                   any                          yes          PD
    ====================  ===========================  ===========  =======

    Non-target-only disease (``target=None``): CR → CR, non-CR/non-PD → non-CR/non-PD, NE → NE,
    PD → PD, new lesion → PD.

    After CR (``prior_response`` CR), the reappearance of any lesion is PD: a target response
    of PR or SD, or a non-target response of non-CR/non-PD, means a lesion reappeared.

    An equivocal new lesion does not make PD now (if a later scan confirms it, PD is dated to
    its first observation; see :func:`response_series`); new lesions not assessed give NE
    unless another part is PD.

    Parameters
    ----------
    target : TargetResponse or str or None
        Target response (see :func:`target_response`); ``None`` if there were no target lesions.
    non_target : NonTargetResponse or str or None
        Non-target response; ``None`` if there were no non-target lesions at baseline.
    new_lesions : NewLesions or bool or str
        ``True``/``"present"`` (unequivocal), ``False``/``"absent"``, ``"equivocal"`` or
        ``"not_assessed"``.
    prior_response : OverallResponse or str, optional
        The best overall response reached so far in this series; ``None`` at the first
        assessment.

    Returns
    -------
    Finding[OverallResponse]
        The overall response at this time point. "New lesion → PD" and "reappearance after CR
        → PD" are verified; every other row of the table is recalled ([R]) in the knowledge
        base and marked unverified.

    Raises
    ------
    InvalidInputError
        For unknown categories, or neither target nor non-target disease.

    References
    ----------
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer2009]; RECIST working
    group, RECIST 1.1 questions and clarifications (EORTC) [recist_faq].
    """
    t, nt, new, after_cr = _read_overall(target, non_target, new_lesions, prior_response)
    inputs: dict[str, object] = {
        "target": t,
        "non_target": nt,
        "new_lesions": new,
        "prior_response": None if prior_response is None else str(prior_response),
    }
    notes = [_EQUIVOCAL_NOTE] if new is NewLesions.EQUIVOCAL else []
    if new is NewLesions.PRESENT:
        return _overall(
            OverallResponse.PD, "PD: unequivocal new lesion", inputs, verified=True, notes=notes
        )
    table_note = _TABLE_NOTE
    if t is TargetResponse.PD or nt is NonTargetResponse.PD:
        part = "target" if t is TargetResponse.PD else "non-target"
        notes.append(table_note)
        return _overall(
            OverallResponse.PD, f"PD: {part} progression", inputs, verified=False, notes=notes
        )
    reappeared = _reappeared(t, nt)
    if after_cr and reappeared:
        notes.append(_REAPPEARANCE_NOTE)
        reason = f"PD: {' and '.join(reappeared)} lesion(s) reappeared after CR"
        return _overall(OverallResponse.PD, reason, inputs, verified=True, notes=notes, faq=True)
    value, reason = _table(t, nt, new)
    notes.append(table_note)
    return _overall(value, reason, inputs, verified=False, notes=notes)


def _reappeared(t: TargetResponse | None, nt: NonTargetResponse | None) -> list[str]:
    """Which parts show disease (a lesion back, if the patient had reached CR)."""
    return [
        part
        for part, back in (
            ("target", t in (TargetResponse.PR, TargetResponse.SD)),
            ("non-target", nt is NonTargetResponse.NON_CR_NON_PD),
        )
        if back
    ]


def _read_overall(
    target: object, non_target: object, new_lesions: object, prior_response: object
) -> tuple[TargetResponse | None, NonTargetResponse | None, NewLesions, bool]:
    """Check the parts of an overall response; return them resolved."""
    checks = Checks()
    t = None if target is None else checks.member("target", target, TargetResponse)
    nt = None if non_target is None else checks.member("non_target", non_target, NonTargetResponse)
    new: NewLesions | None
    if isinstance(new_lesions, bool):
        new = NewLesions.PRESENT if new_lesions else NewLesions.ABSENT
    else:
        new = checks.member("new_lesions", new_lesions, NewLesions)
    after_cr = _prior(checks, prior_response)
    if target is None and non_target is None:
        checks.add("target", None, "target or non-target disease at baseline (both are None)")
    checks.done()

    assert new is not None
    return t, nt, new, after_cr


def _table(
    t: TargetResponse | None, nt: NonTargetResponse | None, new: NewLesions
) -> tuple[OverallResponse, str]:
    """Apply the non-PD rows of the time-point table."""
    if new is NewLesions.NOT_ASSESSED:
        return OverallResponse.NE, "NE: new lesions not assessed"
    if t is None:
        assert nt is not None
        value = {
            NonTargetResponse.CR: OverallResponse.CR,
            NonTargetResponse.NON_CR_NON_PD: OverallResponse.NON_CR_NON_PD,
            NonTargetResponse.NE: OverallResponse.NE,
        }[nt]
        return value, f"{value.value}: non-target-only disease, non-target {nt.value}"
    if t is TargetResponse.CR:
        if nt is None or nt is NonTargetResponse.CR:
            return OverallResponse.CR, "CR: target CR and no non-target disease left"
        return OverallResponse.PR, f"PR: target CR but non-target {nt.value}"
    value = {
        TargetResponse.PR: OverallResponse.PR,
        TargetResponse.SD: OverallResponse.SD,
        TargetResponse.NE: OverallResponse.NE,
    }[t]
    shown = "none" if nt is None else nt.value
    return value, f"{value.value}: target {t.value}, non-target {shown}, no new lesion"


def _overall(
    value: OverallResponse,
    reason: str,
    inputs: dict[str, object],
    *,
    verified: bool,
    notes: list[str],
    faq: bool = False,
) -> Finding[OverallResponse]:
    return Finding(
        value=value,
        rule="RECIST overall response",
        edition="1.1",
        inputs=inputs,
        reason=reason,
        references=(*RECIST_REFS, FAQ_REF) if faq else RECIST_REFS,
        verified=verified,
        notes=tuple(notes),
    )
