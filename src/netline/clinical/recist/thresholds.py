"""Every RECIST 1.1 threshold, in one place (knowledge base section A3).

Each constant is cited in :data:`THRESHOLD_SOURCES` with the knowledge-base reference key and its
verification tag: ``"verified"`` where the knowledge base checked the number against source text,
``"recalled"`` where it did not. Other packages (the course engine, synthetic cohorts) import these
names; they never restate the numbers.

References
----------
.. [1] Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST
   guideline (version 1.1). Eur J Cancer 2009;45:228-247 [eisenhauer2009].
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from netline.clinical._values import EPS, at_least

__all__ = [
    "DEFAULT_MIN_SD_DAYS",
    "MAX_TARGETS",
    "MAX_TARGETS_PER_ORGAN",
    "MEASURABLE_MIN_MM",
    "MIN_CONFIRMATION_DAYS",
    "NODE_NORMAL_BELOW_MM",
    "NODE_TARGET_MIN_MM",
    "PD_ABSOLUTE_MM",
    "PD_INCREASE_FRACTION",
    "PR_DECREASE_FRACTION",
    "THRESHOLD_SOURCES",
    "TOO_SMALL_TO_MEASURE_MM",
    "at_least",
    "at_least_array",
]

#: PR: a sum of diameters at least 30 % below the baseline sum.
PR_DECREASE_FRACTION: Final = 0.30
#: PD: a sum at least 20 % above the nadir (smallest sum on study, baseline included) ...
PD_INCREASE_FRACTION: Final = 0.20
#: ... and at least 5 mm above it.
PD_ABSOLUTE_MM: Final = 5.0
#: A lymph node whose short axis is below 10 mm is normal (counts as gone for a CR).
NODE_NORMAL_BELOW_MM: Final = 10.0
#: A lymph node is measurable (may be a target) from a 15 mm short axis.
NODE_TARGET_MIN_MM: Final = 15.0
#: A non-nodal lesion is measurable from a 10 mm longest diameter (CT/MRI, slices ≤ 5 mm).
MEASURABLE_MIN_MM: Final = 10.0
#: Nominal diameter of a lesion still present but too small to measure.
TOO_SMALL_TO_MEASURE_MM: Final = 5.0
#: Most target lesions in total, and per organ (all lymph nodes together count as one organ).
MAX_TARGETS: Final = 5
MAX_TARGETS_PER_ORGAN: Final = 2
#: A CR or PR is confirmed by an assessment at least 4 weeks later.
MIN_CONFIRMATION_DAYS: Final = 28.0
#: Minimum time from the start of treatment for SD to count: protocol-defined ("commonly
#: 6-8 weeks"); 6 weeks is netline's default, configurable wherever it is used.
DEFAULT_MIN_SD_DAYS: Final = 42.0

#: Name of each threshold -> (knowledge-base reference key, verification tag).
THRESHOLD_SOURCES: Final[dict[str, tuple[str, str]]] = {
    "PR_DECREASE_FRACTION": ("eisenhauer2009", "verified"),
    "PD_INCREASE_FRACTION": ("eisenhauer2009", "verified"),
    "PD_ABSOLUTE_MM": ("eisenhauer2009", "verified"),
    "NODE_NORMAL_BELOW_MM": ("eisenhauer2009", "verified"),
    "NODE_TARGET_MIN_MM": ("eisenhauer2009", "verified"),
    "MEASURABLE_MIN_MM": ("eisenhauer2009", "verified"),
    "TOO_SMALL_TO_MEASURE_MM": ("eisenhauer2009", "recalled"),
    "MAX_TARGETS": ("eisenhauer2009", "verified"),
    "MAX_TARGETS_PER_ORGAN": ("eisenhauer2009", "verified"),
    "MIN_CONFIRMATION_DAYS": ("eisenhauer2009", "verified"),
    "DEFAULT_MIN_SD_DAYS": ("eisenhauer2009", "recalled"),
}


def at_least_array(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """Elementwise :func:`at_least`: ``a >= b`` tolerant of floating-point error at a boundary.

    Parameters
    ----------
    a, b : ndarray of float
        Values to compare (broadcast together).

    Returns
    -------
    ndarray of bool
        ``a >= b - EPS * max(1, |b|)``, the rule :func:`at_least` applies to one pair.

    References
    ----------
    Eisenhauer EA et al., Eur J Cancer 2009;45:228-247 [eisenhauer2009] (the boundaries are
    inclusive: "at least 30 %", "at least 20 %", "at least 5 mm").
    """
    result: npt.NDArray[np.bool_] = a >= b - EPS * np.maximum(1.0, np.abs(b))
    return result
