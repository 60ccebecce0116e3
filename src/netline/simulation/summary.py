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
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
from numpy.typing import NDArray

from netline.errors import InvalidInputError
from netline.simulation.engine import RawResult

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

__all__ = ["SimulationResult", "finite_json"]

Metric = Literal["os", "qaly", "nmb", "cost", "tot"]


def finite_json(value: Any) -> Any:
    """Return ``value`` with every non-finite float replaced by ``None`` (JSON has no NaN)."""
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(v) for v in value]
    return value


def _nan_quantile(values: NDArray[np.float64], q: float) -> NDArray[np.float64]:
    """Quantile along axis 0 ignoring NaN, vectorised (numpy's 'linear' method)."""
    ordered = np.sort(values, axis=0)  # NaN sort last
    n = np.sum(~np.isnan(values), axis=0)
    pos = np.maximum(n - 1, 0) * q
    below = np.floor(pos).astype(np.intp)
    above = np.minimum(below + 1, np.maximum(n - 1, 0))
    a = np.take_along_axis(ordered, below[None, ...], axis=0)[0]
    b = np.take_along_axis(ordered, above[None, ...], axis=0)[0]
    out = a + (b - a) * (pos - below)
    return np.asarray(np.where(n > 0, out, np.nan), dtype=np.float64)


def _interval(values: NDArray[np.floating], axis: int = 0) -> tuple[NDArray[np.float64], ...]:
    """PSA mean and 2.5th / 97.5th percentiles over draws (NaN ignored)."""
    v = np.moveaxis(np.asarray(values, dtype=np.float64), axis, 0)
    n = np.sum(~np.isnan(v), axis=0)
    with np.errstate(all="ignore"):
        mean = np.where(n > 0, np.nansum(v, axis=0) / np.maximum(n, 1), np.nan)
    return np.asarray(mean), _nan_quantile(v, 0.025), _nan_quantile(v, 0.975)


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

    schema_version: ClassVar[str] = "1"

    raw: RawResult
    model_name: str
    therapy_labels: dict[str, str]

    # ------------------------------------------------------------------ protocol

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data: run size and one record per sequence."""
        table = self.sequences_table()
        data: dict[str, Any] = finite_json(
            {
                "schema_version": self.schema_version,
                "model": self.model_name,
                "draws": self.raw.draws,
                "patients_per_draw": self.raw.patients_per_draw,
                "sequences": [
                    {str(k): (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
                    for row in table.to_dict("records")
                ],
            }
        )
        return data

    def render(self, fmt: str) -> str:
        """Render the sequences table as ``text``, ``json``, ``markdown`` or ``html``.

        Raises
        ------
        ValueError
            For another format.
        """
        if fmt == "json":
            import json

            return json.dumps(self.to_dict(), indent=2, allow_nan=False)
        columns = ["sequence", "os_mean", "os_mean_lo", "os_mean_hi", "p_best_os"]
        table = self.sequences_table()
        table = table[[c for c in columns if c in table.columns]]
        if fmt == "text":
            head = f"{self.model_name}: {self.raw.draws} PSA draws x {self.raw.patients_per_draw}"
            text = table.to_string(index=False, float_format="%.1f")
            return f"{head} patients\n{text}"
        if fmt == "markdown":
            lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
            for row in table.itertuples(index=False):
                cells = [f"{v:.1f}" if isinstance(v, float) else str(v) for v in row]
                lines.append("| " + " | ".join(cells) + " |")
            return "\n".join(lines)
        if fmt == "html":
            return str(table.to_html(index=False, float_format="%.1f"))
        raise ValueError(f"unknown format {fmt!r}: text, json, markdown or html")

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
            os_mean, os_lo, os_hi = _interval(raw.os_curve)
            for q, sid in enumerate(raw.sequence_ids):
                mean, lo, hi = os_mean[q], os_lo[q], os_hi[q]
                frames.append(
                    pd.DataFrame(
                        {"sequence": sid, "month": raw.grid, "survival": mean, "lo": lo, "hi": hi}
                    )
                )
        else:
            pfs_mean, pfs_lo, pfs_hi = _interval(raw.pfs_curve)
            for q, nodes in enumerate(raw.lines):
                for line, k in enumerate(nodes):
                    mean, lo, hi = pfs_mean[k], pfs_lo[k], pfs_hi[k]
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
