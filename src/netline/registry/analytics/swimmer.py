"""Cohort swimmer plots: one lane per patient, one bar per line of therapy.

The figure is the course package's (:func:`netline.course.timeline.plot_swimmer_tables`, one
colour per agent class as in every course figure); this module only chooses the patients of a
selected cohort and writes the file whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netline.errors import InvalidInputError

if TYPE_CHECKING:
    from netline.registry.analytics.cohort import Cohort

__all__ = ["SwimmerPlot", "swimmer"]

_LINE_COLUMNS = ("patient_id", "agents", "kind", "start", "end", "first_progression")
_PATIENT_COLUMNS = ("patient_id", "death", "last_follow_up")
#: More lanes than this make a figure no one can read; choose patients instead.
MAX_LANES = 200


@dataclass(frozen=True)
class SwimmerPlot:
    """A drawn swimmer plot.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
    patients : tuple
        The patients shown, in the order they were asked for (the figure sorts lanes by
        length).
    n_cohort : int
        Patients in the cohort.
    how : str
        How the patients were chosen, in words.
    """

    figure: Any
    patients: tuple[object, ...]
    n_cohort: int
    how: str

    def describe(self) -> str:
        """Say in words what the figure shows."""
        return (
            f"Swimmer plot of {len(self.patients)} of {self.n_cohort} patients ({self.how}): "
            "one bar per line of therapy coloured by agent class, red dots at progression, a "
            "cross at death, an arrow while alive at last follow-up."
        )


def _table(frame: Any, columns: Sequence[str]) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]

    return pa.Table.from_pandas(frame.loc[:, list(columns)], preserve_index=False)


def swimmer(
    cohort: Cohort,
    patient_ids: Sequence[object] | None = None,
    limit: int = 30,
    path: str | Path | None = None,
) -> SwimmerPlot:
    """Draw a swimmer plot of patients of a cohort; save it if ``path`` is given.

    Parameters
    ----------
    cohort : Cohort
        From :func:`~netline.registry.select_cohort`.
    patient_ids : sequence, optional
        The patients to show; each must be in the cohort with at least one line. Default: the
        first ``limit`` patients of the cohort (by patient id) that have a line of therapy.
    limit : int
        How many patients to show when ``patient_ids`` is not given (1 to 200).
    path : str or Path, optional
        Where to write the figure (.png, .svg or .pdf); written whole or not at all.

    Returns
    -------
    SwimmerPlot

    Raises
    ------
    InvalidInputError
        For an unknown patient, a patient without lines, an empty cohort or a limit out of
        range; nothing is written.

    Examples
    --------
    >>> from netline.registry import load_demo_registry, select_cohort, swimmer
    >>> plot = swimmer(select_cohort(load_demo_registry(40)), limit=5)  # doctest: +SKIP
    >>> len(plot.patients)  # doctest: +SKIP
    5
    """
    if not 1 <= limit <= MAX_LANES:
        raise InvalidInputError.single(
            "limit", limit, f"a number of patients from 1 to {MAX_LANES}"
        )
    lines = cohort.lines
    treated = list(dict.fromkeys(lines["patient_id"].tolist()))
    if patient_ids is None:
        chosen = sorted(treated, key=str)[:limit]
        how = f"the first {len(chosen)} by patient id" if len(treated) > limit else "all treated"
        if not chosen:
            raise InvalidInputError.single(
                "cohort", cohort.describe(), "a cohort with at least one line of therapy"
            )
    else:
        # ids typed on a command line are strings: match them to the cohort's ids by text
        known = {str(p): p for p in treated}
        missing = [p for p in patient_ids if str(p) not in known]
        if missing:
            raise InvalidInputError.single(
                "patient", missing[0], "a patient of the cohort with at least one line of therapy"
            )
        if not 1 <= len(patient_ids) <= MAX_LANES:
            raise InvalidInputError.single(
                "patient", len(patient_ids), f"from 1 to {MAX_LANES} patients"
            )
        chosen, how = list(dict.fromkeys(known[str(p)] for p in patient_ids)), "chosen by id"
    from netline.registry._course import plot_swimmer_tables

    figure = plot_swimmer_tables(
        _table(lines, _LINE_COLUMNS), _table(cohort.patients, _PATIENT_COLUMNS), chosen
    )
    if path is not None:
        from netline._atomic import atomic_path

        with atomic_path(Path(path)) as temporary:
            figure.savefig(temporary, dpi=150)
    return SwimmerPlot(figure, tuple(chosen), cohort.n, how)
