"""Clinical calculators: pure functions that explain themselves.

Every calculator returns a :class:`Finding` holding the value, the rule and edition used, the
inputs it used, a one-line reason, the knowledge-base reference keys and whether the deciding
thresholds are verified against source text. Bad input raises
:class:`~netline.errors.InvalidInputError` listing every problem; valid but incomplete input
raises :class:`~netline.errors.InsufficientDataError`. Every calculator accepts enumeration
members and their public string values. The list of calculators with their sources is in
``docs/calculators.md``.

=================  ===========================================================================
module             calculators
=================  ===========================================================================
``grading``        :func:`mitoses_per_2mm2`, :func:`microscope_field_area`, :func:`who_grade`
``tnm``            :func:`t_category`, :func:`n_category`, :func:`m_category`,
                   :func:`stage_pnet`
``recist``         :func:`classify_lesion`, :func:`check_target_selection`,
                   :func:`choose_targets`, :func:`sum_of_diameters`, :func:`nadir`,
                   :func:`target_response`, :func:`non_target_response`,
                   :func:`overall_response`, :func:`best_overall_response`,
                   :func:`response_series`; ``recist.imaging_timepoints`` for record
                   scans; ``recist.vectorised`` for arrays (thresholds:
                   ``recist.thresholds``)
``choi``           :func:`choi_response`
``sstr``           :func:`krenning_score`, :func:`krenning_from_uptake`
``liver``          :func:`child_pugh`, :func:`albi_grade`
``makuuchi``       :func:`makuuchi_resection_limit` (``ascites``: one vocabulary for both)
``renal``          :func:`cockcroft_gault`
``toxicity``       :func:`ctcae_grade` (blood counts and chemistry)
=================  ===========================================================================
"""

from netline.clinical._result import Finding
from netline.clinical.choi import ChoiResponse, choi_response
from netline.clinical.grading import (
    Grade,
    MitosisUnit,
    WHOEdition,
    grade_histology,
    microscope_field_area,
    mitoses_per_2mm2,
    who_grade,
)
from netline.clinical.liver import (
    ALBIScore,
    AlbuminBands,
    Ascites,
    AscitesControl,
    ChildPughClass,
    ChildPughScore,
    Encephalopathy,
    ResectionExtent,
    albi_grade,
    child_pugh,
    makuuchi_resection_limit,
)
from netline.clinical.recist import (
    LesionCategory,
    LesionMeasurement,
    NewLesions,
    NonTargetResponse,
    OverallResponse,
    ResponseSeries,
    ScanAssessment,
    SeriesPoint,
    TargetResponse,
    TargetSelection,
    TimePoint,
    best_overall_response,
    check_target_selection,
    choose_targets,
    classify_lesion,
    nadir,
    non_target_response,
    overall_response,
    response_series,
    sum_of_diameters,
    target_response,
)
from netline.clinical.renal import cockcroft_gault
from netline.clinical.sstr import KrenningScore, Uptake, krenning_from_uptake, krenning_score
from netline.clinical.tnm import (
    Basis,
    MCategory,
    NCategory,
    StageGroup,
    TCategory,
    TNMStage,
    m_category,
    n_category,
    stage_pnet,
    t_category,
)
from netline.clinical.tnm import Edition as TNMEdition
from netline.clinical.toxicity import CTCAETerm, GlucoseIntervention, GradeRange, ctcae_grade
from netline.records.vocabulary import Differentiation, InvadedStructure, Organ

__all__ = [
    "ALBIScore",
    "AlbuminBands",
    "Ascites",
    "AscitesControl",
    "Basis",
    "CTCAETerm",
    "ChildPughClass",
    "ChildPughScore",
    "ChoiResponse",
    "Differentiation",
    "Encephalopathy",
    "Finding",
    "GlucoseIntervention",
    "Grade",
    "GradeRange",
    "InvadedStructure",
    "KrenningScore",
    "LesionCategory",
    "LesionMeasurement",
    "MCategory",
    "MitosisUnit",
    "NCategory",
    "NewLesions",
    "NonTargetResponse",
    "Organ",
    "OverallResponse",
    "ResectionExtent",
    "ResponseSeries",
    "ScanAssessment",
    "SeriesPoint",
    "StageGroup",
    "TCategory",
    "TNMEdition",
    "TNMStage",
    "TargetResponse",
    "TargetSelection",
    "TimePoint",
    "Uptake",
    "WHOEdition",
    "albi_grade",
    "best_overall_response",
    "check_target_selection",
    "child_pugh",
    "choi_response",
    "choose_targets",
    "classify_lesion",
    "cockcroft_gault",
    "ctcae_grade",
    "grade_histology",
    "krenning_from_uptake",
    "krenning_score",
    "m_category",
    "makuuchi_resection_limit",
    "microscope_field_area",
    "mitoses_per_2mm2",
    "n_category",
    "nadir",
    "non_target_response",
    "overall_response",
    "response_series",
    "stage_pnet",
    "sum_of_diameters",
    "t_category",
    "target_response",
    "who_grade",
]
