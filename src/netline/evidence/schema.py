"""Pydantic models of the evidence knowledge base (the schema of ``data/*.yaml``).

Every model is frozen and forbids unknown keys, so a typo in a YAML file is an error and a
loaded knowledge base cannot be changed by accident.

Provenance
----------
Every fact carries a reference key (``ref``) and a verification status (``status``):

* ``verified``: checked against the text of the cited source (the ``[V]`` tag of the project's
  knowledge file);
* ``recalled``: from the named source as recalled, text not checked (``[R]``);
* ``uncertain``: could not be confirmed, or conflicting (``[U]``).

A figure that was read in a *secondary* document (the review or the case report that netline is
built from) names the primary paper in ``ref`` and the document it was read in in
``reported_in``; its status then says how it was checked against ``reported_in``.

Provenance attaches to the smallest sourced unit: a :class:`Quantity` (one number, its
confidence interval and its alternatives), or a block whose numbers all come from one place
(a trial population, a dose specification, an eligibility criterion, a published case).

The models live in modules of one job each (:mod:`~netline.evidence.vocab`,
:mod:`~netline.evidence.provenance`, :mod:`~netline.evidence.criteria`,
:mod:`~netline.evidence.models`, :mod:`~netline.evidence.rules`); this module re-exports them
under the names other packages import.
"""

from netline.evidence.criteria import (
    FIELDS,
    Condition,
    Criterion,
    FieldSpec,
    IntRange,
    Range,
    SubgroupCriteria,
    Test,
    describe_criteria,
    prior_classes_match,
)
from netline.evidence.models import (
    Arm,
    ArmValue,
    CaseSeries,
    CasesFile,
    Comparison,
    DoseSpec,
    Endpoint,
    FactorLevel,
    Guideline,
    GuidelinesFile,
    GuidelineStatement,
    ModeOfAction,
    MonitoringItem,
    Option,
    Population,
    PretreatmentStep,
    PrognosticFactor,
    PublishedCase,
    ResponseCriteria,
    SafetyItem,
    StatementSource,
    Subgroup,
    Surgery,
    TherapiesFile,
    Therapy,
    Toxicity,
    Trial,
    TrialsFile,
)
from netline.evidence.provenance import (
    Characteristic,
    Quantity,
    Reference,
    ReferencesFile,
    Report,
    Sourced,
)
from netline.evidence.rules import (
    AdministrationRule,
    DecisionRule,
    DoseModificationRule,
    Profile,
    ProfilesFile,
)
from netline.evidence.vocab import (
    AgentCombination,
    ArmRole,
    Burden,
    CaseResponse,
    CriterionKind,
    DiseaseCourse,
    DoseAction,
    DoseUnit,
    EffectMeasure,
    EndpointKind,
    FunctioningScope,
    Grade,
    GradeBand,
    Operator,
    Preference,
    ProfileKind,
    Qualifier,
    ReferenceKind,
    Route,
    SiteGroup,
    StepKind,
    Strategy,
    SubgroupDimension,
    TherapyKind,
    ToxicityKind,
    TrialDesign,
    Unit,
    Verification,
)

__all__ = [
    "FIELDS",
    "AdministrationRule",
    "AgentCombination",
    "Arm",
    "ArmRole",
    "ArmValue",
    "Burden",
    "CaseResponse",
    "CaseSeries",
    "CasesFile",
    "Characteristic",
    "Comparison",
    "Condition",
    "Criterion",
    "CriterionKind",
    "DecisionRule",
    "DiseaseCourse",
    "DoseAction",
    "DoseModificationRule",
    "DoseSpec",
    "DoseUnit",
    "EffectMeasure",
    "Endpoint",
    "EndpointKind",
    "FactorLevel",
    "FieldSpec",
    "FunctioningScope",
    "Grade",
    "GradeBand",
    "Guideline",
    "GuidelineStatement",
    "GuidelinesFile",
    "IntRange",
    "ModeOfAction",
    "MonitoringItem",
    "Operator",
    "Option",
    "Population",
    "Preference",
    "PretreatmentStep",
    "Profile",
    "ProfileKind",
    "ProfilesFile",
    "PrognosticFactor",
    "PublishedCase",
    "Qualifier",
    "Quantity",
    "Range",
    "Reference",
    "ReferenceKind",
    "ReferencesFile",
    "Report",
    "ResponseCriteria",
    "Route",
    "SafetyItem",
    "SiteGroup",
    "Sourced",
    "StatementSource",
    "StepKind",
    "Strategy",
    "Subgroup",
    "SubgroupCriteria",
    "SubgroupDimension",
    "Surgery",
    "Test",
    "TherapiesFile",
    "Therapy",
    "TherapyKind",
    "Toxicity",
    "ToxicityKind",
    "Trial",
    "TrialDesign",
    "TrialsFile",
    "Unit",
    "Verification",
    "describe_criteria",
    "prior_classes_match",
]
