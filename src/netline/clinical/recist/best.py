"""RECIST 1.1 best overall response over a series of time-point responses."""

from __future__ import annotations

import math
from collections.abc import Sequence

from netline.clinical._result import Finding
from netline.clinical._validation import Checks
from netline.clinical.recist._model import RECIST_REFS, OverallResponse, TimePoint
from netline.clinical.recist.thresholds import (
    DEFAULT_MIN_SD_DAYS,
    MIN_CONFIRMATION_DAYS,
    at_least,
)
from netline.errors import InsufficientDataError

__all__ = ["best_overall_response"]

_STABLE = frozenset(
    {
        OverallResponse.CR,
        OverallResponse.PR,
        OverallResponse.SD,
        OverallResponse.NON_CR_NON_PD,
    }
)


def best_overall_response(
    assessments: Sequence[TimePoint],
    *,
    confirmation: bool = False,
    min_sd_days: float = DEFAULT_MIN_SD_DAYS,
    min_confirmation_days: float = MIN_CONFIRMATION_DAYS,
) -> Finding[OverallResponse]:
    """Return the best overall response over a series of time-point responses.

    Only assessments up to and including the first PD count. Stable disease (and
    non-CR/non-PD for non-target-only disease) needs an assessment at least ``min_sd_days``
    after the start of treatment: RECIST leaves this to the protocol ("commonly 6-8 weeks",
    recalled in the knowledge base); the default of 42 days (6 weeks) is an assumption, and a
    result that it decides is marked unverified.

    Without confirmation: CR if any CR, else PR if any PR, else SD (or non-CR/non-PD) if the
    minimum duration is met, else PD if there was PD, else NE.

    With confirmation (non-randomised trials with response as primary end point; Eisenhauer
    2009 Table 3, recalled): a CR counts only if a later CR at least ``min_confirmation_days``
    (4 weeks) after it confirms it, with only CR or NE in between; a PR likewise needs a later PR
    or CR with only PR, CR or NE in between. An unconfirmed CR or PR counts as SD when the SD
    duration is met. A PR, SD or non-CR/non-PD after a CR means that disease reappeared, i.e.
    PD. So CR then PR gives SD if the duration is met, else PD; PR then NE gives SD if it is met,
    else NE. Unlike the printed table, "PR then SD" also needs the SD duration to be met.

    Parameters
    ----------
    assessments : sequence of TimePoint
        Time-point responses in strictly increasing ``day`` order (day > 0).
    confirmation : bool, default False
        Whether CR and PR need confirmation.
    min_sd_days : float, default 42
        Minimum time from the start of treatment for SD to count (0 disables the rule).
    min_confirmation_days : float, default 28
        Minimum interval between a response and its confirmation.

    Returns
    -------
    Finding[OverallResponse]
        The best overall response.

    Raises
    ------
    InvalidInputError
        For days not > 0 or not increasing, unknown responses, negative durations, or a series
        mixing non-CR/non-PD with PR or SD.
    InsufficientDataError
        If there is no assessment.

    References
    ----------
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer2009].
    """
    points, min_sd, min_conf = _read(assessments, min_sd_days, min_confirmation_days)

    notes: list[str] = []
    counted = _count_until_pd(points, notes)
    kinds = {r for _, r in points}
    value, reason, verified = _decide(counted, kinds, confirmation, min_sd, min_conf, notes)

    return Finding(
        value=value,
        rule="RECIST best overall response",
        edition="1.1",
        inputs={
            "assessments": [[day, response] for day, response in points],
            "confirmation": confirmation,
            "min_sd_days": min_sd,
            "min_confirmation_days": min_conf,
            "counted_until_day": counted[-1][0],
        },
        reason=reason,
        references=RECIST_REFS,
        verified=verified,
        notes=tuple(notes),
    )


def _confirmed(
    points: list[tuple[float, OverallResponse]], kind: OverallResponse, min_days: float
) -> tuple[float, float] | None:
    """Return (day, confirming day) of the first confirmed ``kind`` (CR or PR), if any."""
    # A CR is confirmed by a CR; a PR by a PR or CR. In between only these or NE may occur.
    confirms = (
        {OverallResponse.CR}
        if kind is OverallResponse.CR
        else {OverallResponse.CR, OverallResponse.PR}
    )
    for i, (day, response) in enumerate(points):
        if response is not kind:
            continue
        for later_day, later in points[i + 1 :]:
            if later in confirms and at_least(later_day - day, min_days):
                return day, later_day
            if later not in confirms and later is not OverallResponse.NE:
                break
    return None


def _confirmed_text(kind: str, days: tuple[float, float]) -> str:
    first, second = days
    return f"{kind} at day {first:g} confirmed at day {second:g} ({second - first:g} days later)"


def _fallback(
    stable_label: OverallResponse,
    stable_days: list[float],
    early_stable: list[float],
    had_pd: bool,
) -> tuple[OverallResponse, str]:
    if stable_days:
        return stable_label, (
            f"{stable_label.value}: disease control at day {stable_days[-1]:g} meets the "
            "minimum SD duration"
        )
    detail = "SD duration not met" if early_stable else "no response or stable disease"
    if had_pd:
        return OverallResponse.PD, f"PD: {detail}, then progression"
    return OverallResponse.NE, f"NE: {detail}"


def _read(
    assessments: Sequence[TimePoint], min_sd_days: float, min_confirmation_days: float
) -> tuple[list[tuple[float, OverallResponse]], float, float]:
    """Check the series and durations; return (day, response) pairs and the two durations."""
    checks = Checks()
    points: list[tuple[float, OverallResponse]] = []
    previous = 0.0
    for i, point in enumerate(assessments):
        if not isinstance(point, TimePoint):
            checks.add(f"assessments[{i}]", point, "a TimePoint")
            continue
        day = checks.number(
            f"assessments[{i}].day",
            point.day,
            low=previous,
            low_open=True,
            expected=f"a day after the previous assessment (> {previous:g})",
        )
        response = checks.member(f"assessments[{i}].response", point.response, OverallResponse)
        if response is not None and not math.isnan(day):  # NaN: invalid, already reported
            points.append((day, response))
            previous = day
    min_sd = checks.number("min_sd_days", min_sd_days, low=0, expected="a number of days ≥ 0")
    min_conf = checks.number(
        "min_confirmation_days", min_confirmation_days, low=0, expected="a number of days ≥ 0"
    )
    kinds = {r for _, r in points}
    if OverallResponse.NON_CR_NON_PD in kinds and kinds & {OverallResponse.PR, OverallResponse.SD}:
        checks.add(
            "assessments",
            sorted(k.value for k in kinds),
            "one kind of disease: non-CR/non-PD (non-target only) cannot mix with PR or SD",
        )
    checks.done()
    if not points:
        raise InsufficientDataError(["assessments"], "a best response needs assessments")
    return points, min_sd, min_conf


def _count_until_pd(
    points: list[tuple[float, OverallResponse]], notes: list[str]
) -> list[tuple[float, OverallResponse]]:
    """Responses up to the first PD, a PR, SD or non-CR/non-PD after a CR counting as PD."""
    counted: list[tuple[float, OverallResponse]] = []
    seen_cr = False
    for day, response in points:
        if seen_cr and response in _STABLE - {OverallResponse.CR}:
            notes.append(
                f"{response.value} at day {day:g} after a CR means disease reappeared: "
                "counted as PD."
            )
            response = OverallResponse.PD
        seen_cr = seen_cr or response is OverallResponse.CR
        counted.append((day, response))
        if response is OverallResponse.PD:
            break
    ignored = len(points) - len(counted)
    if ignored:
        notes.append(f"{ignored} assessment(s) after the first PD ignored.")
    return counted


def _decide(
    counted: list[tuple[float, OverallResponse]],
    kinds: set[OverallResponse],
    confirmation: bool,
    min_sd: float,
    min_conf: float,
    notes: list[str],
) -> tuple[OverallResponse, str, bool]:
    """Best response of the counted assessments: value, reason and whether it is verified."""
    stable_label = (
        OverallResponse.NON_CR_NON_PD
        if OverallResponse.NON_CR_NON_PD in kinds
        else OverallResponse.SD
    )
    stable_days = [day for day, r in counted if r in _STABLE and at_least(day, min_sd)]
    early_stable = [day for day, r in counted if r in _STABLE and not at_least(day, min_sd)]
    had_pd = counted[-1][1] is OverallResponse.PD
    sd_note = (
        f"Minimum SD duration {min_sd:g} days from the start of treatment: protocol-defined "
        "(commonly 6-8 weeks, recalled); the 6-week default is an assumption."
    )

    verified = True
    if confirmation:
        verified = False
        notes.append(
            "Confirmation rules follow the RECIST 1.1 best-response table, held in the "
            "knowledge base as recalled ([R])."
        )
        cr = _confirmed(counted, OverallResponse.CR, min_conf)
        pr = None if cr else _confirmed(counted, OverallResponse.PR, min_conf)
        if cr is not None:
            value, reason = OverallResponse.CR, _confirmed_text("CR", cr)
        elif pr is not None:
            value, reason = OverallResponse.PR, _confirmed_text("PR", pr)
        else:
            value, reason = _fallback(stable_label, stable_days, early_stable, had_pd)
            reason = "no confirmed response; " + reason
            if stable_days or early_stable:
                notes.append(sd_note)
    else:
        best = next(
            (r for r in (OverallResponse.CR, OverallResponse.PR) if r in {x for _, x in counted}),
            None,
        )
        if best is not None:
            day = next(d for d, r in counted if r is best)
            value, reason = best, f"{best.value} at day {day:g} (no confirmation required)"
        else:
            value, reason = _fallback(stable_label, stable_days, early_stable, had_pd)
            if stable_days or early_stable:
                verified = False
                notes.append(sd_note)
    return value, reason, verified
