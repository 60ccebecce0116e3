"""Tumour response under RECIST 1.1 (knowledge base section A3).

RECIST 1.1 is built from small steps a reader can check one by one:

1. :func:`classify_lesion`, :func:`check_target_selection` and :func:`choose_targets` at
   baseline;
2. :func:`sum_of_diameters` and :func:`nadir` of the target lesions;
3. :func:`target_response` and :func:`non_target_response` at a time point, then
   :func:`overall_response` from the target, non-target and new-lesion assessments, each
   knowing the prior response (after CR, any reappearing lesion is PD);
4. :func:`best_overall_response` over the series, with or without confirmation;
5. :func:`response_series` for one line of treatment: all of the above scan by scan, with
   equivocal new lesions dated back when a later scan confirms them;
6. :func:`~netline.clinical.recist.vectorised.series_response_codes` for many series at once;
7. :func:`imaging_timepoints` for the scans of a patient record (baselines reset at treatment
   starts).

Every threshold lives in :mod:`netline.clinical.recist.thresholds`. Rows of the knowledge base
tagged [R] (the time-point response table, the best-response table with confirmation, the 5 mm
default for lesions too small to measure, the minimum duration of stable disease) mark a result
unverified when they decide it.
"""

from netline.clinical.recist._model import (
    LesionCategory,
    LesionMeasurement,
    NewLesions,
    NonTargetResponse,
    OverallResponse,
    TargetResponse,
    TargetSelection,
    TimePoint,
)
from netline.clinical.recist.baseline import (
    check_target_selection,
    choose_targets,
    classify_lesion,
    nadir,
    sum_of_diameters,
)
from netline.clinical.recist.best import best_overall_response
from netline.clinical.recist.imaging import (
    ScanResponse,
    imaging_timepoints,
    new_lesions_of,
    select_targets,
)
from netline.clinical.recist.series import (
    ResponseSeries,
    ScanAssessment,
    SeriesPoint,
    response_series,
)
from netline.clinical.recist.thresholds import (
    MAX_TARGETS,
    MAX_TARGETS_PER_ORGAN,
    TOO_SMALL_TO_MEASURE_MM,
)
from netline.clinical.recist.timepoint import (
    non_target_response,
    overall_response,
    target_response,
)

__all__ = [
    "MAX_TARGETS",
    "MAX_TARGETS_PER_ORGAN",
    "TOO_SMALL_TO_MEASURE_MM",
    "LesionCategory",
    "LesionMeasurement",
    "NewLesions",
    "NonTargetResponse",
    "OverallResponse",
    "ResponseSeries",
    "ScanAssessment",
    "ScanResponse",
    "SeriesPoint",
    "TargetResponse",
    "TargetSelection",
    "TimePoint",
    "best_overall_response",
    "check_target_selection",
    "choose_targets",
    "classify_lesion",
    "imaging_timepoints",
    "nadir",
    "new_lesions_of",
    "non_target_response",
    "overall_response",
    "response_series",
    "select_targets",
    "sum_of_diameters",
    "target_response",
]
