"""Timeline figures of a patient's course (swimmer style) and cohort swimmer plots.

:func:`timeline_data` gathers what the figure shows -- lines of therapy with their regimen,
PRRT cycles, surgeries with margin and pathology, imaging responses, metastases by site, death
or last follow-up -- into plain objects; :func:`plot_timeline` draws them with matplotlib
(PNG, SVG, PDF; Agg backend) and :func:`timeline_html` with Plotly (a self-contained HTML file
that needs no network). :func:`plot_swimmer` draws several patients of a derived cohort.
Plotting libraries are imported only when a figure is drawn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netline._time import DAYS_PER_MONTH
from netline.course.engine import CohortCourse
from netline.course.model import CourseSummary
from netline.errors import InvalidInputError
from netline.records.model import CaseRecord, Metastasis, Surgery, SystemicTherapy
from netline.records.vocabulary import AgentClass, agent_info

__all__ = [
    "LineBar",
    "Mark",
    "TimelineData",
    "plot_swimmer",
    "plot_swimmer_tables",
    "plot_timeline",
    "save_timeline",
    "timeline_data",
    "timeline_html",
]

#: Colour of each agent class (colour-blind-safe Okabe-Ito palette), shared by all figures.
CLASS_COLOURS = {
    AgentClass.SSA.value: "#009E73",
    AgentClass.RADIOLIGAND.value: "#CC79A7",
    AgentClass.MTOR_INHIBITOR.value: "#E69F00",
    AgentClass.TKI.value: "#D55E00",
    AgentClass.ALKYLATING_CHEMOTHERAPY.value: "#0072B2",
    AgentClass.ANTIMETABOLITE_CHEMOTHERAPY.value: "#0072B2",
    AgentClass.ANTHRACYCLINE_CHEMOTHERAPY.value: "#0072B2",
    AgentClass.PLATINUM_CHEMOTHERAPY.value: "#0072B2",
    AgentClass.TOPOISOMERASE_INHIBITOR.value: "#0072B2",
    "chemotherapy": "#0072B2",
    AgentClass.INTERFERON.value: "#56B4E9",
    AgentClass.SUPPORTIVE.value: "#999999",
    "surgery": "#444444",
    "local_therapy": "#777777",
}
RESPONSE_COLOURS = {
    "CR": "#006d2c",
    "NED": "#006d2c",
    "PR": "#31a354",
    "responding": "#74c476",
    "SD": "#969696",
    "stable": "#969696",
    "non-CR/non-PD": "#969696",
    "mixed": "#fdae6b",
    "NE": "#d9d9d9",
    "PD": "#de2d26",
    "progressing": "#de2d26",
}
_CHEMOTHERAPY = frozenset(
    {
        AgentClass.ALKYLATING_CHEMOTHERAPY.value,
        AgentClass.ANTIMETABOLITE_CHEMOTHERAPY.value,
        AgentClass.ANTHRACYCLINE_CHEMOTHERAPY.value,
        AgentClass.PLATINUM_CHEMOTHERAPY.value,
        AgentClass.TOPOISOMERASE_INHIBITOR.value,
    }
)
_SOURCE_ORDER = {"recorded": 0, "recist": 1, "clinician": 2, "stop_reason": 3}
_ROWS = ("Metastases", "Surgery", "Therapy lines", "Imaging / status")


@dataclass(frozen=True, slots=True)
class LineBar:
    """One line of therapy as a bar."""

    number: int
    label: str
    start: dt.date
    end: dt.date
    ongoing: bool
    agent_class: str
    backbone: tuple[str, ...]
    cycles: tuple[dt.date, ...]
    clinical_trial: bool
    best_response: str | None
    pfs_text: str

    @property
    def caption(self) -> str:
        """``"L2 177Lu-DOTATATE x4 (trial)"``."""
        trial = " (trial)" if self.clinical_trial else ""
        return f"L{self.number} {self.label}{trial}"


@dataclass(frozen=True, slots=True)
class Mark:
    """A dated point on one row of the timeline."""

    date: dt.date
    text: str
    kind: str


@dataclass(frozen=True, slots=True)
class TimelineData:
    """Everything a course figure shows, in plain data (also used by the web page)."""

    patient_id: str
    title: str
    start: dt.date
    end: dt.date
    dead: bool
    lines: tuple[LineBar, ...]
    procedures: tuple[Mark, ...]
    responses: tuple[Mark, ...]
    metastases: tuple[Mark, ...]
    progressions: tuple[dt.date, ...]
    end_text: str
    birth: dt.date | None = None

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary."""
        from dataclasses import asdict

        def plain(value: object) -> object:
            if isinstance(value, dt.date):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [plain(v) for v in value]
            return value

        out = plain(asdict(self))
        assert isinstance(out, dict)
        return out


def _main_class(agents: Sequence[str], kind: str) -> str:
    if kind != "systemic":
        return kind
    classes = []
    for agent in agents:
        try:
            classes.append(agent_info(agent).agent_class.value)
        except KeyError:
            continue
    non_ssa = [c for c in classes if c != AgentClass.SSA.value]
    main = non_ssa[0] if non_ssa else (classes[0] if classes else "supportive")
    return "chemotherapy" if main in _CHEMOTHERAPY else main


def _months(days: int | None) -> str:
    return "" if days is None else f"{days / DAYS_PER_MONTH:.1f} mo"


def _pfs_text(days: int | None, event: bool | None) -> str:
    if days is None:
        return ""
    return f"PFS {_months(days)}" + ("" if event else "+")


def _procedure_text(mark_label: str, intent: str | None) -> str:
    return f"{intent} {mark_label}" if intent == "conversion" else mark_label


def timeline_data(summary: CourseSummary, record: CaseRecord | None = None) -> TimelineData:
    """Gather the elements of one patient's course figure.

    Parameters
    ----------
    summary : CourseSummary
        The derived course (:func:`~netline.course.derive_course`).
    record : CaseRecord, optional
        The record, for PRRT cycle dates, every metastatic site and surgery details; without
        it the figure uses what the summary holds.
    """
    cycles_by_event: dict[str, tuple[dt.date, ...]] = {}
    metastases: list[Mark] = []
    title = f"Clinical course: {summary.patient_id}"
    if record is not None:
        for therapy in record.of_type(SystemicTherapy):
            if therapy.id is not None and therapy.cycles:
                cycles_by_event[therapy.id] = tuple(c.date for c in therapy.cycles)
            elif therapy.id is not None and therapy.agent_class is AgentClass.RADIOLIGAND:
                cycles_by_event[therapy.id] = (therapy.start,)
        by_date: dict[dt.date, list[Metastasis]] = {}
        for met in record.metastases:
            by_date.setdefault(met.found, []).append(met)
        for date, mets in sorted(by_date.items()):
            sites = ", ".join(m.organ.value.replace("_", " ") for m in mets)
            metastases.append(Mark(date, sites, "metastasis"))
        if record.source:
            title = f"Clinical course: {record.id}"
    elif summary.outcomes.first_metastasis is not None:
        metastases.append(Mark(summary.outcomes.first_metastasis, "metastases", "metastasis"))
    intents = {}
    if record is not None:
        intents = {s.id: s.intent.value for s in record.of_type(Surgery) if s.id is not None}
    lines = tuple(
        LineBar(
            number=line.number,
            label=line.label,
            start=line.start,
            end=line.end,
            ongoing=line.ongoing,
            agent_class=_main_class(line.agents, line.kind),
            backbone=line.backbone,
            cycles=tuple(d for e in line.episode_ids for d in cycles_by_event.get(e, ())),
            clinical_trial=line.clinical_trial,
            best_response=line.best_response,
            pfs_text=_pfs_text(line.pfs.days, line.pfs.event),
        )
        for line in summary.lines
    )
    procedures = tuple(
        Mark(p.date, _procedure_text(p.label, intents.get(p.event_id or "") or p.intent), p.kind)
        for p in summary.procedures
    )
    chosen: dict[dt.date, Any] = {}
    for a in summary.assessments:
        if a.response is None:
            continue
        best = chosen.get(a.date)
        if best is None or _SOURCE_ORDER.get(a.source, 9) < _SOURCE_ORDER.get(best.source, 9):
            chosen[a.date] = a
    responses = tuple(Mark(d, a.response, a.source) for d, a in sorted(chosen.items()))
    progressions = tuple(sorted({a.date for a in summary.assessments if a.progression}))
    out = summary.outcomes
    dead = out.death is not None
    end = out.death or out.last_follow_up or max((line.end for line in lines), default=None)
    dates = [m.date for m in (*metastases, *procedures, *responses)]
    dates += [line.start for line in lines]
    if out.diagnosis is not None:
        dates.append(out.diagnosis)
    if end is None or not dates:
        raise InvalidInputError.single(
            "record", summary.patient_id, "a course with at least one dated event"
        )
    last_pd = max(progressions, default=None)
    last_treatment = max([line.end for line in lines] + [p.date for p in procedures], default=None)
    if dead:
        end_text = "died"
    elif last_pd is not None and last_treatment is not None and last_pd > last_treatment:
        end_text = "alive, progressing"
    elif last_treatment is not None:
        months = (end - last_treatment).days / DAYS_PER_MONTH
        end_text = f"alive, no progression {months:.0f} mo after last treatment"
    else:
        end_text = "alive at last follow-up"
    return TimelineData(
        patient_id=summary.patient_id,
        title=title,
        start=min(dates),
        end=end,
        dead=dead,
        lines=lines,
        procedures=procedures,
        responses=responses,
        metastases=tuple(metastases),
        progressions=progressions,
        end_text=end_text,
        birth=record.patient.birth_date if record is not None else None,
    )


# --------------------------------------------------------------------------- matplotlib


def _figure(size: tuple[float, float]) -> tuple[Any, Any]:
    """Return a new figure and axes made without the global plotting state (no backend set)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def plot_timeline(data: TimelineData, ax: Any = None) -> Any:
    """Draw the course figure with matplotlib and return the figure.

    Parameters
    ----------
    data : TimelineData
    ax : matplotlib Axes, optional
        Where to draw; a new 13 x 5.5 inch figure when omitted.
    """
    from netline.course._timeline_mpl import draw_course

    if ax is None:
        fig, ax = _figure((13, 5.6))
    else:
        fig = ax.figure
    draw_course(ax, data)
    return fig


# --------------------------------------------------------------------------- plotly


def timeline_figure(data: TimelineData) -> Any:
    """Build the interactive Plotly figure of the course."""
    import plotly.graph_objects as go

    fig = go.Figure()
    y = {name: len(_ROWS) - i for i, name in enumerate(_ROWS)}
    for bar in data.lines:
        colour = CLASS_COLOURS.get(bar.agent_class, "#999999")
        hover = (
            f"{bar.caption}<br>{bar.start} to {bar.end}{' (ongoing)' if bar.ongoing else ''}"
            f"<br>best response: {bar.best_response or 'not assessed'}<br>{bar.pfs_text}"
        )
        fig.add_trace(
            go.Scatter(
                x=[bar.start, bar.end],
                y=[y["Therapy lines"]] * 2,
                mode="lines",
                line={"color": colour, "width": 18},
                name=bar.caption,
                hovertext=hover,
                hoverinfo="text",
            )
        )
        if bar.cycles:
            fig.add_trace(
                go.Scatter(
                    x=list(bar.cycles),
                    y=[y["Therapy lines"] + 0.25] * len(bar.cycles),
                    mode="markers",
                    marker={"symbol": "line-ns-open", "size": 12, "color": "#5b2a4f"},
                    name=f"L{bar.number} cycles",
                    hovertext=[f"cycle {i + 1}" for i in range(len(bar.cycles))],
                    hoverinfo="text+x",
                    showlegend=False,
                )
            )

    def points(marks: Sequence[Mark], row: str, symbol: str, colours: list[str], name: str) -> None:
        if not marks:
            return
        fig.add_trace(
            go.Scatter(
                x=[m.date for m in marks],
                y=[y[row]] * len(marks),
                mode="markers+text",
                marker={"symbol": symbol, "size": 12, "color": colours},
                text=[m.text for m in marks],
                textposition="top center",
                name=name,
                hoverinfo="text+x",
            )
        )

    points(data.metastases, "Metastases", "star", ["#7a0177"] * len(data.metastases), "metastases")
    points(
        data.procedures, "Surgery", "triangle-down", ["#333333"] * len(data.procedures), "surgery"
    )
    points(
        data.responses,
        "Imaging / status",
        "circle",
        [RESPONSE_COLOURS.get(m.text, "#bdbdbd") for m in data.responses],
        "responses",
    )
    for day in data.progressions:
        fig.add_vline(x=day, line={"color": "#de2d26", "dash": "dot", "width": 1})
    fig.add_vline(x=data.end, line={"color": "black", "dash": "dash", "width": 1})
    fig.add_annotation(x=data.end, y=len(_ROWS) + 0.5, text=data.end_text, showarrow=False)
    fig.update_layout(
        title=data.title,
        yaxis={
            "tickvals": list(y.values()),
            "ticktext": list(y.keys()),
            "range": [0.4, len(_ROWS) + 0.8],
        },
        xaxis={"type": "date"},
        height=480,
        template="plotly_white",
        legend={"orientation": "h", "y": -0.15},
    )
    return fig


def timeline_html(data: TimelineData) -> str:
    """Return a self-contained HTML page (Plotly inlined, no network needed)."""
    return str(timeline_figure(data).to_html(include_plotlyjs=True, full_html=True))


def save_timeline(data: TimelineData, path: str | Path) -> Path:
    """Write the figure; the suffix chooses the format (``.png``, ``.svg``, ``.pdf``, ``.html``).

    Raises
    ------
    InvalidInputError
        For another suffix, or a path that cannot be written.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in {".png", ".svg", ".pdf", ".html"}:
        raise InvalidInputError.single("out", str(path), "a .png, .svg, .pdf or .html file")
    try:
        if suffix == ".html":
            target.write_text(timeline_html(data), encoding="utf-8")
            return target
        plot_timeline(data).savefig(target, dpi=150)  # no global figure state: nothing to close
    except OSError as exc:
        raise InvalidInputError.single(
            "out", str(path), f"a writable file path ({exc.strerror or exc})"
        ) from None
    return target


# --------------------------------------------------------------------------- cohort swimmer


def plot_swimmer(
    course: CohortCourse,
    patient_ids: Iterable[object],
    ax: Any = None,
) -> Any:
    """Draw a swimmer plot of chosen patients of a derived cohort and return the figure.

    One lane per patient from the start of the first line: one bar per line coloured by the
    class of its main agent, red dots at the first progression after each line start, a cross
    at death and an arrow while alive at the last follow-up. Lanes are sorted by length.

    Parameters
    ----------
    course : CohortCourse
        The result of :func:`~netline.course.derive_lines`.
    patient_ids : iterable
        The patients to show.
    ax : matplotlib Axes, optional
    """
    return plot_swimmer_tables(course.lines, course.patients, patient_ids, ax)


def plot_swimmer_tables(
    lines: Any,
    patients: Any,
    patient_ids: Iterable[object],
    ax: Any = None,
) -> Any:
    """Draw the swimmer plot of :func:`plot_swimmer` from the engine's tables themselves.

    Parameters
    ----------
    lines : pyarrow.Table
        Lines with at least ``patient_id``, ``agents``, ``kind``, ``start``, ``end`` and
        ``first_progression`` (as in :attr:`CohortCourse.lines`).
    patients : pyarrow.Table
        Patients with at least ``patient_id``, ``death`` and ``last_follow_up``.
    patient_ids : iterable
        The patients to show.
    ax : matplotlib Axes, optional
    """
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]
    from matplotlib.patches import Patch

    wanted = list(patient_ids)
    if not wanted:
        raise InvalidInputError.single("patient_ids", [], "at least one patient")
    id_type = patients.schema.field("patient_id").type
    keys = pa.array(wanted, type=id_type)
    lines = lines.filter(pc.is_in(lines.column("patient_id"), value_set=keys))
    patients = patients.filter(pc.is_in(patients.column("patient_id"), value_set=keys))
    by_patient: dict[object, list[dict[str, Any]]] = {}
    progression: dict[object, set[dt.date]] = {}
    for row in lines.to_pylist():
        by_patient.setdefault(row["patient_id"], []).append(row)
        if row["first_progression"] is not None:
            progression.setdefault(row["patient_id"], set()).add(row["first_progression"])
    info = {row["patient_id"]: row for row in patients.to_pylist()}
    lanes = [p for p in wanted if p in by_patient]
    if not lanes:
        raise InvalidInputError.single("patient_ids", wanted[:5], "patients with at least one line")

    def origin(p: object) -> dt.date:
        start: dt.date = by_patient[p][0]["start"]
        return start

    def length(p: object) -> int:
        row = info[p]
        end = row["death"] or row["last_follow_up"]
        return int((end - origin(p)).days)

    lanes.sort(key=length)
    if ax is None:
        fig, ax = _figure((11, 1.2 + 0.32 * len(lanes)))
    else:
        fig = ax.figure
    used: set[str] = set()
    for i, p in enumerate(lanes):
        zero = origin(p)
        for row in by_patient[p]:
            cls = _main_class(row["agents"], row["kind"])
            used.add(cls)
            left = (row["start"] - zero).days / DAYS_PER_MONTH
            width = max((row["end"] - row["start"]).days / DAYS_PER_MONTH, 0.3)
            ax.barh(i, width, left=left, height=0.6, color=CLASS_COLOURS.get(cls, "#999999"))
        for day in sorted(progression.get(p, ())):
            if day >= zero:
                ax.plot((day - zero).days / DAYS_PER_MONTH, i, "o", color="#de2d26", ms=4)
        end_months = length(p) / DAYS_PER_MONTH
        if info[p]["death"] is not None:
            ax.plot(end_months, i, "X", color="black", ms=6)
        else:
            ax.annotate(
                "",
                xy=(end_months + 2, i),
                xytext=(end_months, i),
                arrowprops={"arrowstyle": "->", "color": "#555555"},
            )
    ax.set_yticks(range(len(lanes)))
    ax.set_yticklabels([str(p) for p in lanes], fontsize=7)
    ax.set_xlabel("months from the start of the first line")
    ax.set_title("Lines of therapy by patient", loc="left", fontsize=10, weight="bold")
    handles = [Patch(color=CLASS_COLOURS[c], label=c.replace("_", " ")) for c in sorted(used)]
    ax.legend(handles=handles, fontsize=7, frameon=False, loc="lower right")
    for side in ("right", "top"):
        ax.spines[side].set_visible(False)
    return fig
