"""Plain-text rendering of knowledge-base numbers with their verification tags.

Every number netline shows goes through :func:`format_quantity`, so its verification status
and any conflict always travel with it, e.g. ``"11.0 mo (95 % CI 9.7–13.7) [verified]"`` or
``"0.58 (95 % CI 0.36–0.93) [verified; CI recalled]"``.
"""

from __future__ import annotations

from netline.evidence.schema import Qualifier, Quantity, Report, Unit

__all__ = ["format_number", "format_quantity", "format_value", "status_tag"]

_SUFFIX: dict[Unit, str] = {
    Unit.MONTHS: " mo",
    Unit.WEEKS: " wk",
    Unit.DAYS: " d",
    Unit.HOURS: " h",
    Unit.MINUTES: " min",
    Unit.YEARS: " y",
    Unit.PERCENT: " %",
    Unit.RATIO: "",
    Unit.P_VALUE: "",
    Unit.PATIENTS: " patients",
    Unit.COUNT: "",
    Unit.GBQ: " GBq",
    Unit.MEV: " MeV",
    Unit.KEV: " keV",
    Unit.MM: " mm",
}


def _decimals(number: float) -> int:
    if isinstance(number, int):
        return 0
    text = repr(float(number))
    if "e" in text or "." not in text:
        return 0
    return len(text.split(".")[1])


def format_number(number: float, unit: Unit | None = None, decimals: int | None = None) -> str:
    """Render a number as stated: integers stay integers, decimals as given in the source.

    ``decimals`` forces a number of decimals (used to align an estimate with its interval).
    """
    places = _decimals(number) if decimals is None else decimals
    if isinstance(number, int) and not isinstance(number, bool) and places == 0:
        return str(number)
    return f"{float(number):.{places}f}"


def _places(report: Report, unit: Unit | None = None) -> int:
    numbers = [report.value, *(report.ci or ()), *(report.bounds or ())]
    places = max((_decimals(n) for n in numbers if n is not None), default=0)
    # YAML drops trailing zeros (0.30 reads as 0.3): give ratios and p-values two decimals.
    return max(places, 2) if unit in (Unit.RATIO, Unit.P_VALUE) and places else places


def format_value(report: Report, unit: Unit | None) -> str:
    """Render the value part of a report (no interval, no tag), with its unit."""
    suffix = _SUFFIX.get(unit, "") if unit is not None else ""
    if report.not_reached:
        return "not reached"
    qualifier = "" if report.qualifier is Qualifier.EQ else f"{report.qualifier.value} "
    places = _places(report, unit)
    if report.bounds is not None:
        low, high = (format_number(b, unit, places) for b in report.bounds)
        body = f"{low}–{high}"
    else:
        assert report.value is not None
        body = format_number(report.value, unit, places)
    if unit is Unit.P_VALUE:
        return f"p {report.qualifier.value} {body}"
    return f"{qualifier}{body}{suffix}"


def status_tag(report: Report) -> str:
    """Return the verification tag, e.g. ``"[verified; CI recalled]"``."""
    parts = [report.status.value]
    ci_status = report.effective_ci_status
    if ci_status is not None and ci_status is not report.status:
        parts.append(f"CI {ci_status.value}")
    if report.reported_in:
        parts.append(f"as reported in {report.reported_in}")
    return "[" + "; ".join(parts) + "]"


def _format_report(report: Report, unit: Unit | None, with_ref: bool) -> str:
    text = format_value(report, unit)
    if report.ci is not None:
        low, high = (format_number(c, unit, _places(report, unit)) for c in report.ci)
        text += f" (95 % CI {low}–{high})"
    text += " " + status_tag(report)
    if with_ref:
        text += f" {{{report.ref}}}"
    return text


def format_quantity(
    quantity: Quantity, *, with_conflict: bool = True, with_ref: bool = False
) -> str:
    """Render a quantity with its interval, verification tag and any conflicting reports.

    Parameters
    ----------
    quantity : Quantity
        The number to render.
    with_conflict : bool, default True
        Append the alternative values of other sources after a ``⚠ conflict`` marker.
    with_ref : bool, default False
        Append the reference key in braces.
    """
    text = _format_report(quantity, quantity.unit, with_ref)
    if with_conflict and quantity.in_conflict:
        alternatives = [_format_report(a, quantity.unit, True) for a in quantity.alternatives]
        shown = "; ".join(alternatives) if alternatives else (quantity.conflict or "disputed")
        text += f" ⚠ conflict: {shown}"
    return text
