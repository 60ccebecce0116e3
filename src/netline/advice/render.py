"""Readable text (command line) and an HTML fragment (web app) of advice and replays.

The HTML fragment is built with :func:`html.escape` and small functions (no template engine):
every piece of record or knowledge-base text is escaped, every statement links to its
references (``#netline-ref-KEY``), and every reference shows its verification status.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from netline.advice._points import Point
from netline.advice.advice import ORDERING_RULES, Advice
from netline.advice.options import EvidenceItem, OptionAssessment
from netline.advice.replay import Replay
from netline.advice.state import DecisionState
from netline.advice.state_types import syndrome_label
from netline.advice.summary import summary_html, summary_lines, summary_view
from netline.advice.surgery import SurgeryAssessment

__all__ = [
    "render_html",
    "render_markdown",
    "render_replay_html",
    "render_replay_text",
    "render_text",
]

_INDENT = "    "


# --------------------------------------------------------------------------- text


def _refs(refs: Iterable[str]) -> str:
    keys = list(dict.fromkeys(refs))
    return f" {{{', '.join(keys)}}}" if keys else ""


def _tag(point: Point) -> str:
    if point.status is None or f"[{point.status}" in point.text:
        return ""
    return f" [{point.status}]"


def _point_line(point: Point) -> str:
    marker = {"exclusion": "✗ ", "caution": "! ", "conflict": "⚠ ", "check": "? "}.get(
        point.kind, ""
    )
    return f"{marker}{point.text}{_tag(point)}{_refs(point.refs)}"


def _yesno(value: bool | None, yes: str = "yes", no: str = "no") -> str:
    return "unknown" if value is None else yes if value else no


#: Plain words for vocabulary codes shown in the state block (others: underscores to spaces).
_CODE_WORDS = {
    "srs": "SRS",
    "sstr_pet": "SSTR-PET",
    "fdg_pet": "FDG-PET",
    "ct": "CT",
    "mri": "MRI",
    "icg_r15": "ICG-R15",
    "inr": "INR",
    "ssa": "SSA",
    "tki": "TKI",
    "mtor_inhibitor": "mTOR inhibitor",
}


def _words(code: object) -> str:
    """Return a vocabulary code in plain words ("pancreas_head" -> "pancreas head")."""
    text = str(code)
    return _CODE_WORDS.get(text, text.replace("_", " "))


def _state_lines(state: DecisionState) -> list[str]:
    out: list[str] = []
    ki67 = "unknown" if state.ki67_percent is None else f"{state.ki67_percent:g} %"
    source = f" ({_words(state.ki67_source)})" if state.ki67_source else ""
    out.append(
        f"Tumour: {_words(state.site)}; differentiation {state.differentiation or 'unknown'}; "
        f"grade {state.grade or 'unknown'}; Ki-67 {ki67}{source}"
    )
    out.append(
        f"Functioning syndrome: {syndrome_label(str(state.functioning or 'unknown'))}"
        + (
            f" (hormonal syndrome controlled: {_yesno(state.hormonal_syndrome_controlled)})"
            if state.functioning not in (None, "none")
            else ""
        )
    )
    if state.krenning_score is None:
        sstr = "unknown (no SSTR imaging)"
    else:
        sstr = (
            f"{state.sstr_description} on {_words(state.sstr_modality)} "
            f"({state.sstr_date.isoformat() if state.sstr_date else '?'}); "
            f"SSTR-positive: {_yesno(state.sstr_positive)}; "
            f"uptake in all lesions: {_yesno(state.sstr_uptake_all_lesions)}"
        )
    fdg = (
        "FDG-PET not done"
        if not state.fdg_pet_done
        else f"FDG+/SSTR− lesions: {_yesno(state.fdg_sstr_discordant)}"
    )
    out.append(f"SSTR: {sstr}; {fdg}")
    extra = ", ".join(
        f"{_words(s)} (since {state.extrahepatic_since[s].isoformat()})"
        if s in state.extrahepatic_since
        else _words(s)
        for s in state.extrahepatic_sites
    )
    out.append(
        f"Burden: organs {', '.join(_words(o) for o in state.organs) or 'none'}; hepatic "
        "involvement "
        f"{state.liver_involvement or 'unknown'}; tumour burden {state.tumour_burden or 'unknown'}"
        f"; extrahepatic: {extra or 'none'}"
        + (
            f" — stable: {_yesno(state.extrahepatic_stable)} ({state.extrahepatic_basis})"
            if state.extrahepatic_sites
            else ""
        )
    )
    latest = state.latest_assessment
    growth = (
        "no assessment"
        if latest is None
        else f"latest {latest.response} ({latest.source}, {latest.date.isoformat()})"
    )
    tgr = (
        "not computable (fewer than two scans with measured lesions)"
        if state.growth_rate_percent_per_month is None
        else f"{state.growth_rate_percent_per_month:.1f} %/month ({state.growth_rate_basis})"
    )
    last_pd = state.last_progression.isoformat() if state.last_progression else "none recorded"
    out.append(
        f"Growth: {growth}; course {state.disease_course or 'unknown'}; last progression "
        f"{last_pd}; tumour growth rate {tgr}"
    )
    out.append(f"Symptoms from bulk: {_yesno(state.symptomatic_from_bulk)}")
    if not state.lines:
        out.append("Lines of therapy: none before the decision")
    for line in state.lines:
        end = "ongoing" if line.ongoing else f"{line.end.isoformat()} ({line.end_reason})"
        out.append(
            f"L{line.number} {line.label} [{', '.join(_words(c) for c in line.agent_classes)}]: "
            f"{line.start.isoformat()} → {end}; best response {line.best_response or 'NE'}"
        )
    perf = []
    if state.ecog is not None:
        perf.append(f"ECOG {state.ecog}")
    if state.karnofsky is not None:
        perf.append(f"Karnofsky {state.karnofsky}")
    out.append(
        "Performance: "
        + (", ".join(perf) if perf else "unknown")
        + f"; comorbidities: {', '.join(state.comorbidities) or 'none recorded'}"
    )
    labs = ", ".join(
        f"{_words(name)} {lab.value:g} {lab.unit} ({lab.date.isoformat()})"
        for name, lab in sorted(state.labs.items())
    )
    out.append(f"Labs: {labs or 'none'}")
    if state.creatinine_clearance_ml_min is not None:
        out.append(
            f"Creatinine clearance: {state.creatinine_clearance_ml_min:.0f} mL/min "
            f"({state.creatinine_clearance_basis})"
        )
    return out


def _evidence_lines(item: EvidenceItem) -> list[str]:
    entry = item.entry.verdict + (
        " (" + "; ".join(item.entry.failed) + ")" if item.entry.failed else ""
    )
    if item.entry.unknown and item.entry.verdict != "not met":
        entry += " (unknown: " + "; ".join(item.entry.unknown) + ")"
    out = [f"{item.name} [{item.status}] {{{item.ref}}}: {item.design}; entry criteria {entry}"]
    for point in (*item.subgroups, *item.results):
        out.append(_INDENT + _point_line(point))
    return out


def _option_lines(option: OptionAssessment, detailed: bool) -> list[str]:
    head = f"{option.rank}. {option.name}" if option.rank else f"- {option.name}"
    out = [f"{head}  [{option.status}; confidence {option.confidence}]"]
    out.append(_INDENT + "Why here: " + option.order_reason)
    if option.expected_pfs:
        out.append(_INDENT + "Expected median PFS: " + option.expected_pfs)
    if not detailed:
        for point in option.cautions[:3]:
            out.append(_INDENT + _point_line(point))
        return out
    if option.guideline or option.not_yet:
        out.append(_INDENT + "Guidelines:")
        for match in option.guideline:
            out.append(_INDENT * 2 + f"{match.describe()} [{match.status}]{_refs(match.refs)}")
        for match in option.not_yet:
            out.append(_INDENT * 2 + f"not yet: {match.describe()}{_refs(match.refs)}")
    else:
        out.append(_INDENT + "Guidelines: no statement in the knowledge base names it here")
    sections: list[tuple[str, Sequence[Point]]] = [
        ("Excluded because", option.exclusions),
        ("Against it / caveats", option.cautions),
        ("To check", option.to_check),
        ("Sequencing", option.sequencing),
        ("Toxicities", option.toxicities),
        ("Monitoring", option.monitoring),
    ]
    for title, points in sections:
        if not points:
            continue
        out.append(_INDENT + title + ":")
        for point in points:
            out.append(_INDENT * 2 + _point_line(point))
    if option.leaves_available:
        out.append(_INDENT + "Leaves unused afterwards: " + ", ".join(option.leaves_available))
    for profile in option.eligibility:
        out.append(
            _INDENT
            + f"Eligibility, {profile.label}{' (default)' if profile.default else ''}: "
            + profile.verdict
        )
    if option.evidence:
        out.append(_INDENT + "Evidence:")
        for item in option.evidence:
            out.extend(_INDENT * 2 + line for line in _evidence_lines(item))
    return out


def _surgery_lines(surgery: SurgeryAssessment) -> list[str]:
    out = [f"Status: {surgery.status} ({surgery.mode}) — {surgery.summary}"]
    if surgery.suggestion:
        out.append("Suggestion: " + surgery.suggestion)
    for title, points in (
        ("Histology", surgery.histology),
        ("Extent", surgery.extent),
        ("Completeness", surgery.completeness),
        ("Liver function", surgery.liver_function),
        ("Response so far", surgery.response),
        ("Against it", surgery.blockers),
        ("Caveats", surgery.caveats),
        ("For the HPB surgeons to assess", surgery.to_assess),
    ):
        if points:
            out.append(title + ":")
            out.extend(_INDENT + _point_line(p) for p in points)
    return out


def render_text(advice: Advice, *, detail: int = 5) -> str:
    """Render advice as readable text.

    Parameters
    ----------
    advice : Advice
    detail : int, default 5
        Options shown in full (the rest, and excluded options, in one or two lines each).
    """
    state = advice.state
    out: list[str] = []

    def section(title: str) -> None:
        out.append("")
        out.append(title)
        out.append("-" * len(title))

    view = summary_view(advice)
    out += [view.title, "=" * len(view.title), advice.notice, ""]
    out += summary_lines(view)
    section("Details")
    out.append(
        f"Knowledge base {advice.kb_version}; lines of therapy by the course engine "
        "(netline.course)"
    )
    section(f"State on {state.at.isoformat()} (data dated on or before it)")
    out += _state_lines(state)
    if state.unknowns:
        out.append("Unknown (never assumed normal; lowers confidence):")
        out += [_INDENT + f"? {u.item} — affects {u.affects}" for u in state.unknowns]
    if state.notes:
        out.append("Notes:")
        out += [_INDENT + note for note in state.notes]
    section("Options, ordered with reasons (not a directive)")
    out += ["How the order is made:"] + [_INDENT + rule for rule in ORDERING_RULES]
    for i, option in enumerate(advice.ranked):
        out.append("")
        out += _option_lines(option, detailed=i < detail)
    section("Excluded")
    if not advice.excluded:
        out.append("none")
    for option in advice.excluded:
        out.append(f"- {option.name}:")
        out += [_INDENT + _point_line(p) for p in option.exclusions]
    section("Liver surgery: resectability and conversion")
    out += _surgery_lines(advice.surgery)
    if advice.accompanying:
        section("Accompanying measures")
        out += ["- " + _point_line(p) for p in advice.accompanying]
    section("References (verification status of the citation)")
    for key, ref in advice.references.items():
        out.append(f"{{{key}}} {ref['citation']} [{ref['status']}]")
    out.append("")
    out.append(advice.notice)
    return "\n".join(out) + "\n"


def render_markdown(advice: Advice) -> str:
    """Render advice as Markdown: the summary, then the ranked and excluded options."""
    view = summary_view(advice)
    out = [f"# {view.title}", "", f"*{advice.notice}*", ""]
    out += summary_lines(view, markdown=True)
    out += ["", "## Options"]
    out += [f"{o.rank}. **{o.name}** — {o.order_reason}" for o in advice.ranked]
    out += ["", "## Excluded"]
    out += [f"- **{o.name}** — {o.order_reason}" for o in advice.excluded] or ["none"]
    return "\n".join(out) + "\n"


def render_replay_text(result: Replay, *, top: int = 5) -> str:
    """Render a replay: at each decision point, the top options beside what was done."""
    title = f"netline replay: {result.case_id}"
    out = [title, "=" * len(title), result.notice]
    for step in result.steps:
        advice = step.advice
        out.append("")
        head = f"{step.point.date.isoformat()} — {step.point.label}"
        out += [head, "-" * len(head)]
        state = advice.state
        ki67 = "?" if state.ki67_percent is None else f"{state.ki67_percent:g} %"
        out.append(
            f"State: {state.grade or 'grade ?'}, Ki-67 {ki67}, Krenning "
            f"{state.krenning_score if state.krenning_score is not None else '?'}, organs "
            f"{', '.join(state.organs) or '?'}, course {state.disease_course or '?'}; "
            f"confidence {advice.confidence}"
        )
        out.append("netline would have offered:")
        for option in advice.ranked[:top]:
            mark = "  <= done" if option.key == step.actual_key else ""
            out.append(f"{_INDENT}{option.rank}. {option.name} [{option.status}]{mark}")
            for point in [p for p in option.cautions if p.kind in ("caution", "conflict")][:4]:
                out.append(_INDENT * 2 + _point_line(point))
        out.append(f"Surgery: {advice.surgery.status} — {advice.surgery.summary}")
        for point in advice.surgery.caveats:
            out.append(_INDENT + _point_line(point))
        rank = (
            f"netline rank {step.actual_rank}"
            if step.actual_rank is not None
            else ("excluded by netline" if step.actual_key else "not among netline's options")
        )
        out.append(f"Actually done: {step.actual} ({rank})")
    out.append("")
    out.append(result.notice)
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- HTML


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _ref_links(refs: Iterable[str]) -> str:
    keys = list(dict.fromkeys(refs))
    if not keys:
        return ""
    links = ", ".join(f'<a href="#netline-ref-{_e(k)}">{_e(k)}</a>' for k in keys)
    return f' <span class="netline-refs">[{links}]</span>'


def _status(status: str | None) -> str:
    if status is None:
        return ""
    return f' <span class="netline-status netline-status-{_e(status)}">{_e(status)}</span>'


def _point_html(point: Point) -> str:
    return (
        f'<li class="netline-point netline-{_e(point.kind)}">{_e(point.text)}'
        f"{_status(point.status)}{_ref_links(point.refs)}</li>"
    )


def _points_html(title: str, points: Sequence[Point]) -> str:
    if not points:
        return ""
    items = "".join(_point_html(p) for p in points)
    return f"<h5>{_e(title)}</h5><ul>{items}</ul>"


def _option_html(option: OptionAssessment) -> str:
    parts = [
        f'<article class="netline-option netline-option-{_e(option.status)}" '
        f'id="netline-option-{_e(option.key)}">',
        f"<h4>{_e(option.rank or '✗')}. {_e(option.name)} "
        f'<span class="netline-badge">{_e(option.status)}</span> '
        f'<span class="netline-confidence">confidence {_e(option.confidence)}</span></h4>',
        f'<p class="netline-why">{_e(option.order_reason)}</p>',
    ]
    if option.expected_pfs:
        parts.append(f"<p>Expected median PFS: {_e(option.expected_pfs)}</p>")
    if option.guideline or option.not_yet:
        items = "".join(
            f"<li>{_e(m.describe())}{_status(m.status)}{_ref_links(m.refs)}</li>"
            for m in option.guideline
        ) + "".join(
            f"<li>not yet: {_e(m.describe())}{_status(m.status)}{_ref_links(m.refs)}</li>"
            for m in option.not_yet
        )
        parts.append(f"<h5>Guidelines</h5><ul>{items}</ul>")
    for title, points in (
        ("Excluded because", option.exclusions),
        ("Against it / caveats", option.cautions),
        ("To check", option.to_check),
        ("Sequencing", option.sequencing),
        ("Toxicities", option.toxicities),
        ("Monitoring", option.monitoring),
    ):
        parts.append(_points_html(title, points))
    if option.evidence:
        rows = []
        for item in option.evidence:
            results = "".join(_point_html(p) for p in (*item.subgroups, *item.results))
            rows.append(
                f"<li><strong>{_e(item.name)}</strong>{_status(item.status)}"
                f"{_ref_links([item.ref])}: {_e(item.design)}; entry criteria "
                f"{_e(item.entry.verdict)}"
                + (f" ({_e('; '.join(item.entry.failed))})" if item.entry.failed else "")
                + f"<ul>{results}</ul></li>"
            )
        parts.append(f"<h5>Evidence</h5><ul>{''.join(rows)}</ul>")
    parts.append("</article>")
    return "".join(parts)


def _surgery_html(surgery: SurgeryAssessment) -> str:
    parts = [
        '<section class="netline-surgery"><h3>Liver surgery: resectability and conversion</h3>',
        f'<p class="netline-surgery-status netline-{_e(surgery.status)}">'
        f"<strong>{_e(surgery.status)}</strong> ({_e(surgery.mode)}): {_e(surgery.summary)}</p>",
    ]
    if surgery.suggestion:
        parts.append(f'<p class="netline-suggestion">{_e(surgery.suggestion)}</p>')
    for title, points in (
        ("Histology", surgery.histology),
        ("Extent", surgery.extent),
        ("Completeness", surgery.completeness),
        ("Liver function", surgery.liver_function),
        ("Response so far", surgery.response),
        ("Against it", surgery.blockers),
        ("Caveats", surgery.caveats),
        ("For the HPB surgeons to assess", surgery.to_assess),
    ):
        parts.append(_points_html(title, points))
    parts.append("</section>")
    return "".join(parts)


def _references_html(advice_refs: dict[str, dict[str, str]]) -> str:
    items = "".join(
        f'<li id="netline-ref-{_e(key)}"><code>{_e(key)}</code> {_e(ref["citation"])}'
        f"{_status(ref['status'])}</li>"
        for key, ref in advice_refs.items()
    )
    return f'<section class="netline-references"><h3>References</h3><ol>{items}</ol></section>'


def render_html(advice: Advice) -> str:
    """Render advice as an HTML fragment (a ``<section>``; every text escaped).

    References
    ----------
    .. [1] Python documentation, :func:`html.escape`.
    """
    state = advice.state
    state_items = "".join(f"<li>{_e(line)}</li>" for line in _state_lines(state))
    unknowns = "".join(f"<li>{_e(u.item)} — affects {_e(u.affects)}</li>" for u in state.unknowns)
    rules = "".join(f"<li>{_e(rule)}</li>" for rule in ORDERING_RULES)
    ranked = "".join(_option_html(o) for o in advice.ranked)
    excluded = "".join(_option_html(o) for o in advice.excluded)
    accompanying = "".join(_point_html(p) for p in advice.accompanying)
    return (
        f'<section class="netline-advice" data-case="{_e(state.case_id)}" '
        f'data-at="{_e(state.at.isoformat())}">'
        f'<p class="netline-notice"><strong>{_e(advice.notice)}</strong></p>'
        f"<h2>Options for {_e(state.case_id)} at {_e(state.at.isoformat())}</h2>"
        + summary_html(summary_view(advice))
        + f'<p class="netline-confidence">Data completeness: <strong>{_e(advice.confidence)}'
        f"</strong> — {_e(advice.confidence_reason)}. Knowledge base {_e(advice.kb_version)}.</p>"
        f"<h3>State on {_e(state.at.isoformat())}</h3><ul>{state_items}</ul>"
        + (
            f'<h4>Unknown (never assumed normal)</h4><ul class="netline-unknowns">{unknowns}</ul>'
            if unknowns
            else ""
        )
        + f'<h3>Options, ordered with reasons (not a directive)</h3><ol class="netline-rules">'
        f"{rules}</ol>{ranked}"
        + f"<h3>Excluded</h3>{excluded or '<p>none</p>'}"
        + _surgery_html(advice.surgery)
        + (f"<h3>Accompanying measures</h3><ul>{accompanying}</ul>" if accompanying else "")
        + _references_html(advice.references)
        + f'<p class="netline-notice">{_e(advice.notice)}</p></section>'
    )


def render_replay_html(result: Replay, *, top: int = 5) -> str:
    """Render a replay as an HTML fragment: one table row per decision point."""
    rows = []
    refs: dict[str, dict[str, str]] = {}
    for step in result.steps:
        refs.update(step.advice.references)
        done = ' class="netline-done"'
        offered = "".join(
            f"<li{done if o.key == step.actual_key else ''}>"
            f'{_e(o.name)} <span class="netline-badge">{_e(o.status)}</span></li>'
            for o in step.advice.ranked[:top]
        )
        rank = (
            "excluded"
            if step.actual_key and step.actual_rank is None
            else (step.actual_rank if step.actual_rank is not None else "—")
        )
        rows.append(
            f"<tr><td>{_e(step.point.date.isoformat())}</td><td>{_e(step.point.label)}</td>"
            f"<td><ol>{offered}</ol><p>Surgery: {_e(step.advice.surgery.status)}</p></td>"
            f"<td>{_e(step.actual)}</td><td>{_e(rank)}</td></tr>"
        )
    return (
        f'<section class="netline-replay" data-case="{_e(result.case_id)}">'
        f'<p class="netline-notice"><strong>{_e(result.notice)}</strong></p>'
        "<table><thead><tr><th>date</th><th>decision point</th><th>netline would have "
        "offered</th><th>actually done</th><th>netline rank</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
        + _references_html(refs)
        + "</section>"
    )
