"""Results of a simulation: tables with PSA intervals, rankings, curves, files.

Every figure is reported as the mean over PSA draws (the expected value) with the 2.5th and
97.5th percentiles over draws (the 95 % PSA interval). Per-draw values of medians are the
medians of that draw's simulated patients; with few patients per draw the interval therefore
also holds first-order (patient-sampling) noise, which shrinks as ``patients`` grows.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

from netline.errors import InvalidInputError
from netline.simulation.engine import RawResult

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

__all__ = ["SimulationResult"]

Metric = Literal["os", "qaly", "nmb", "cost", "tot"]


def _interval(values: NDArray[np.floating], axis: int = 0) -> tuple[NDArray[np.float64], ...]:
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(values, axis=axis)
            lo = np.nanpercentile(values, 2.5, axis=axis)
            hi = np.nanpercentile(values, 97.5, axis=axis)
    return np.asarray(mean), np.asarray(lo), np.asarray(hi)


@dataclass
class SimulationResult:
    """What :func:`netline.simulation.simulate` returns.

    Attributes
    ----------
    raw : RawResult
        Per-draw arrays (PSA draws lead).
    model_name : str
    therapy_labels : dict of str to str
    """

    raw: RawResult
    model_name: str
    therapy_labels: dict[str, str]

    # ------------------------------------------------------------------ basics

    @property
    def sequence_ids(self) -> tuple[str, ...]:
        """Sequence identifiers, in model order."""
        return self.raw.sequence_ids

    def metric(self, by: Metric = "os", wtp: float | None = None) -> NDArray[np.float64]:
        """Per-draw, per-sequence values of a metric, shape ``(draws, sequences)``.

        ``os`` mean overall survival (months), ``qaly``, ``cost``, ``tot`` (months on
        treatment), ``nmb`` net monetary benefit ``wtp × QALY - cost``.
        """
        raw = self.raw
        if by == "os":
            return raw.os_mean
        if by == "tot":
            return raw.tot_mean
        if by == "qaly" or by == "nmb":
            if raw.qaly is None:
                raise InvalidInputError.single("by", by, "a model with utilities")
            if by == "qaly":
                return raw.qaly
            if raw.cost is None or wtp is None:
                raise InvalidInputError.single("wtp", wtp, "costs in the model and a wtp")
            return wtp * raw.qaly - raw.cost
        if raw.cost is None:
            raise InvalidInputError.single("by", by, "a model with costs")
        return raw.cost

    def probability_best(self, by: Metric = "os", wtp: float | None = None) -> pd.Series:
        """Share of PSA draws in which each sequence is best (highest; lowest for cost).

        Sequences tied within a relative 1e-6 in a draw share that draw equally.
        """
        import pandas as pd  # type: ignore[import-untyped,unused-ignore]

        values = self.metric(by, wtp)
        signed = -values if by == "cost" else values
        best = np.nanmax(signed, axis=1, keepdims=True)
        # exact ties (e.g. two orders of history-free lines give the same OS, up to float
        # rounding) share the draw instead of going to whichever rounds up
        tied = signed >= best - 1e-6 * np.maximum(np.abs(best), 1.0)
        share = tied / tied.sum(axis=1, keepdims=True)
        counts = share.sum(axis=0) / values.shape[0]
        return pd.Series(counts, index=list(self.sequence_ids), name=f"p_best_{by}")

    def rank_probabilities(self, by: Metric = "os", wtp: float | None = None) -> pd.DataFrame:
        """Probability of each rank (1 = best) for each sequence, rows sequences."""
        import pandas as pd  # type: ignore[import-untyped,unused-ignore]

        values = self.metric(by, wtp)
        order = np.argsort(values if by == "cost" else -values, axis=1, kind="stable")
        ranks = np.empty_like(order)
        rows = np.arange(values.shape[0])[:, None]
        ranks[rows, order] = np.arange(values.shape[1])[None, :]
        q = values.shape[1]
        table = np.zeros((q, q))
        for s in range(q):
            table[s] = np.bincount(ranks[:, s], minlength=q) / values.shape[0]
        return pd.DataFrame(
            table, index=list(self.sequence_ids), columns=[f"rank {i + 1}" for i in range(q)]
        )

    # ------------------------------------------------------------------ tables

    def sequences_table(self, by: Metric = "os", wtp: float | None = None) -> pd.DataFrame:
        """One row per sequence: OS (mean, median, RMST), time on treatment, QALYs, costs.

        Each figure has ``*_lo`` and ``*_hi`` columns (95 % PSA interval).
        """
        import pandas as pd  # type: ignore[import-untyped,unused-ignore]

        raw = self.raw
        columns: dict[str, object] = {
            "sequence": list(raw.sequence_ids),
            "lines": [len(s) for s in raw.sequences],
        }

        def put(name: str, values: NDArray[np.floating]) -> None:
            mean, lo, hi = _interval(values)
            columns[name] = mean
            columns[f"{name}_lo"] = lo
            columns[f"{name}_hi"] = hi

        put("os_mean", raw.os_mean)
        put("os_median", raw.os_median)
        for h, months in enumerate(raw.rmst_months):
            put(f"rmst_{months:g}", raw.rmst[:, :, h])
        put("time_on_treatment", raw.tot_mean)
        if raw.qaly is not None:
            put("qaly", raw.qaly)
        if raw.cost is not None:
            put("cost", raw.cost)
        with contextlib.suppress(InvalidInputError):
            columns[f"p_best_{by}"] = self.probability_best(by, wtp).to_numpy()
        return pd.DataFrame(columns)

    def lines_table(self) -> pd.DataFrame:
        """One row per sequence and line: who starts it, PFS (mean, median), time on it."""
        import pandas as pd  # type: ignore[import-untyped,unused-ignore]

        raw = self.raw
        rows: list[dict[str, object]] = []
        for q, nodes in enumerate(raw.lines):
            for line, k in enumerate(nodes):
                therapy = raw.sequences[q][line]
                row: dict[str, object] = {
                    "sequence": raw.sequence_ids[q],
                    "line": line + 1,
                    "therapy": therapy,
                }
                for name, values in (
                    ("p_start", raw.line_start[:, k]),
                    ("pfs_mean", raw.pfs_mean[:, k]),
                    ("pfs_median", raw.pfs_median[:, k]),
                    ("time_on_treatment", raw.line_tot_mean[:, k]),
                    ("p_toxicity_stop", raw.line_tox[:, k]),
                    ("p_conversion_surgery", raw.line_surgery[:, k]),
                ):
                    mean, lo, hi = _interval(values)
                    row[name] = float(mean)
                    row[f"{name}_lo"] = float(lo)
                    row[f"{name}_hi"] = float(hi)
                rows.append(row)
        return pd.DataFrame(rows)

    def survival_table(self, kind: Literal["os", "pfs"] = "os") -> pd.DataFrame:
        """Survival curves in long form: sequence (and line), month, estimate, lo, hi."""
        import pandas as pd  # type: ignore[import-untyped,unused-ignore]

        raw = self.raw
        frames = []
        if kind == "os":
            for q, sid in enumerate(raw.sequence_ids):
                mean, lo, hi = _interval(raw.os_curve[:, q, :])
                frames.append(
                    pd.DataFrame(
                        {"sequence": sid, "month": raw.grid, "survival": mean, "lo": lo, "hi": hi}
                    )
                )
        else:
            for q, nodes in enumerate(raw.lines):
                for line, k in enumerate(nodes):
                    mean, lo, hi = _interval(raw.pfs_curve[:, k, :])
                    frames.append(
                        pd.DataFrame(
                            {
                                "sequence": raw.sequence_ids[q],
                                "line": line + 1,
                                "month": raw.grid,
                                "survival": mean,
                                "lo": lo,
                                "hi": hi,
                            }
                        )
                    )
        return pd.concat(frames, ignore_index=True)

    def draws_table(self, by: Metric = "os", wtp: float | None = None) -> pd.DataFrame:
        """Per-draw values of a metric, one column per sequence (for CEA tools)."""
        import pandas as pd  # type: ignore[import-untyped,unused-ignore]

        return pd.DataFrame(self.metric(by, wtp), columns=list(self.sequence_ids))

    def write(self, directory: str | Path, formats: tuple[str, ...] = ("csv",)) -> list[Path]:
        """Write the tables (``csv`` and/or ``parquet``) into a directory; return the paths."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        tables = {
            "sequences": self.sequences_table(),
            "lines": self.lines_table(),
            "os_curves": self.survival_table("os"),
            "draws_os": self.draws_table("os"),
        }
        if self.raw.qaly is not None:
            tables["draws_qaly"] = self.draws_table("qaly")
        if self.raw.cost is not None:
            tables["draws_cost"] = self.draws_table("cost")
        written: list[Path] = []
        for name, frame in tables.items():
            for fmt in formats:
                path = out / f"{name}.{fmt}"
                if fmt == "csv":
                    frame.to_csv(path, index=False)
                elif fmt == "parquet":
                    frame.to_parquet(path, index=False)
                else:
                    raise InvalidInputError.single("formats", fmt, "csv or parquet")
                written.append(path)
        return written
