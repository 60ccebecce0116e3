r"""Background (all-cause) mortality from a period life table shipped as data.

The shipped table is the US Social Security Administration's *Period Life Table, 2020, as used
in the 2023 Trustees Report* (Office of the Chief Actuary, Actuarial Life Table, Table 4.C6),
ages 0-100 by sex; its source and provenance are written at the top of
``data/lifetable_us_ssa_2020.csv``. Other tables (national statistics offices, the Human
Mortality Database) can be loaded from a CSV with the same columns.

The hazard is constant within each year of age (:math:`\\mu_x = -\\ln(1 - q_x)`) and held at
the last tabulated value beyond it. A residual lifetime from age :math:`a_0` is drawn by
inverting the cumulative hazard: the age at death solves :math:`H(a) = H(a_0) + E` with
:math:`E` standard exponential. That is a forward (age) clock, drawn once per patient and
PSA draw, independent of treatment: it competes with the disease-specific hazards.

References
----------
.. [1] Social Security Administration, Office of the Chief Actuary. Actuarial Life Table:
   Period Life Table, 2020, as used in the 2023 Trustees Report.
   https://www.ssa.gov/oact/STATS/table4c6.html
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from netline.errors import InvalidInputError, Problem, UnknownKeyError

__all__ = ["LIFE_TABLES", "LifeTable", "load_life_table"]

#: Life tables shipped with netline: identifier -> (file name, citation).
LIFE_TABLES: dict[str, tuple[str, str]] = {
    "us_ssa_2020": (
        "lifetable_us_ssa_2020.csv",
        "Social Security Administration, Office of the Chief Actuary. Period Life Table, 2020, "
        "as used in the 2023 Trustees Report (Table 4.C6).",
    ),
}

_OPEN_END_YEARS = 400.0


@dataclass(frozen=True)
class LifeTable:
    """Single-year-of-age mortality probabilities by sex.

    Parameters
    ----------
    ages : ndarray of int
        Consecutive ages starting at 0.
    qx_male, qx_female : ndarray
        Probability of dying within the year at each exact age.
    source : str
        Citation of the table.
    """

    ages: NDArray[np.int64]
    qx_male: NDArray[np.float64]
    qx_female: NDArray[np.float64]
    source: str

    def _cumulative(self, female: bool) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        qx = self.qx_female if female else self.qx_male
        hazard = -np.log1p(-qx)
        cum = np.concatenate([[0.0], np.cumsum(hazard)])
        ages = np.concatenate([self.ages.astype(np.float64), [self.ages[-1] + 1.0]])
        # open-ended last interval at the last hazard, long enough to contain any draw
        ages = np.append(ages, ages[-1] + _OPEN_END_YEARS)
        cum = np.append(cum, cum[-1] + hazard[-1] * _OPEN_END_YEARS)
        return ages, cum

    def cumulative_hazard(
        self, age: NDArray[np.floating] | float, female: bool
    ) -> NDArray[np.float64]:
        """Cumulative hazard from birth to ``age`` (years)."""
        ages, cum = self._cumulative(female)
        return np.asarray(np.interp(age, ages, cum), dtype=np.float64)

    def survival(
        self, start_age: float, years: NDArray[np.floating], female: bool
    ) -> NDArray[np.float64]:
        """Probability of surviving ``years`` from ``start_age``."""
        h0 = self.cumulative_hazard(start_age, female)
        h1 = self.cumulative_hazard(start_age + np.asarray(years), female)
        return np.asarray(np.exp(-(h1 - h0)))

    def life_expectancy(self, age: float, female: bool) -> float:
        """Remaining life expectancy at ``age`` (years), by numerical integration."""
        grid = np.linspace(0.0, 130.0 - min(age, 120.0), 26_001)
        surv = self.survival(age, grid, female)
        return float(np.sum((surv[1:] + surv[:-1]) * np.diff(grid)) / 2.0)

    def residual_months(
        self,
        start_age: NDArray[np.floating],
        female: NDArray[np.bool_],
        exp_variates: NDArray[np.floating],
        hazard_multiplier: float = 1.0,
    ) -> NDArray[np.float64]:
        """Draw residual lifetimes in months by inverting the cumulative hazard.

        Parameters
        ----------
        start_age : ndarray, shape (patients,)
            Age in years at time zero.
        female : ndarray of bool, shape (patients,)
        exp_variates : ndarray, shape (draws, patients)
            Standard exponential variates.
        hazard_multiplier : float
            Multiplies the table's hazard (e.g. a standardised mortality ratio).

        Returns
        -------
        ndarray, shape (draws, patients)
            Months from time zero to death from background causes.
        """
        out = np.empty(np.broadcast_shapes(exp_variates.shape, start_age.shape))
        target_e = np.asarray(exp_variates, dtype=np.float64) / hazard_multiplier
        for is_female in (False, True):
            mask = female == is_female
            if not np.any(mask):
                continue
            ages, cum = self._cumulative(is_female)
            h0 = np.interp(start_age[mask], ages, cum)
            death_age = np.interp(h0 + target_e[..., mask], cum, ages)
            out[..., mask] = (death_age - start_age[mask]) * 12.0
        return out


def _read_csv(path: Path | str, text: str, source: str) -> LifeTable:
    rows = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    reader = csv.DictReader(rows)
    problems: list[Problem] = []
    ages: list[int] = []
    male: list[float] = []
    female: list[float] = []
    for i, row in enumerate(reader):
        try:
            age = int(row["age"])
            qm = float(row["qx_male"])
            qf = float(row["qx_female"])
        except (KeyError, TypeError, ValueError):
            problems.append(Problem(f"row {i + 1}", row, "columns age, qx_male, qx_female"))
            continue
        if age != len(ages):
            problems.append(Problem(f"row {i + 1}.age", age, f"consecutive ages from 0 ({i})"))
        for name, q in (("qx_male", qm), ("qx_female", qf)):
            if not 0.0 <= q < 1.0:
                problems.append(Problem(f"row {i + 1}.{name}", q, "a probability in [0, 1)"))
        ages.append(age)
        male.append(qm)
        female.append(qf)
    if not ages:
        problems.append(Problem("", str(path), "a life table with at least one row"))
    if problems:
        raise InvalidInputError(problems, source=str(path))
    return LifeTable(
        np.asarray(ages, dtype=np.int64),
        np.asarray(male, dtype=np.float64),
        np.asarray(female, dtype=np.float64),
        source,
    )


@cache
def load_life_table(name_or_path: str = "us_ssa_2020") -> LifeTable:
    """Load a shipped life table by identifier, or a CSV file by path.

    Parameters
    ----------
    name_or_path : str
        An identifier from :data:`LIFE_TABLES` or a path to a CSV with columns
        ``age, qx_male, qx_female`` (lines starting with ``#`` are comments).

    Raises
    ------
    UnknownKeyError
        If the identifier is neither shipped nor an existing file.
    InvalidInputError
        If the file is malformed (every problem listed).
    """
    if name_or_path in LIFE_TABLES:
        filename, citation = LIFE_TABLES[name_or_path]
        text = resources.files("netline.simulation").joinpath("data", filename).read_text("utf-8")
        return _read_csv(filename, text, citation)
    path = Path(name_or_path)
    if path.suffix.lower() == ".csv" and path.is_file():
        return _read_csv(path, path.read_text("utf-8"), f"file {path}")
    raise UnknownKeyError("life table", name_or_path, LIFE_TABLES)
