"""Vocabularies of the evidence knowledge base: the enumerations its YAML files use."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

_ID_PATTERN = r"^[a-z0-9][a-z0-9_]*$"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------- vocabularies


class Verification(StrEnum):
    """How a fact was checked against its source (the knowledge file's [V]/[R]/[U] tags)."""

    VERIFIED = "verified"
    RECALLED = "recalled"
    UNCERTAIN = "uncertain"

    @property
    def rank(self) -> int:
        """Order from best (0, verified) to worst (2, uncertain)."""
        return {"verified": 0, "recalled": 1, "uncertain": 2}[self.value]

    @classmethod
    def worst(cls, statuses: list[Verification]) -> Verification:
        """Return the least certain of several statuses (``verified`` for none)."""
        return max(statuses, key=lambda s: s.rank, default=cls.VERIFIED)


class Unit(StrEnum):
    """Units of the numbers in the knowledge base."""

    MONTHS = "months"
    WEEKS = "weeks"
    DAYS = "days"
    HOURS = "hours"
    MINUTES = "minutes"
    YEARS = "years"
    PERCENT = "percent"
    RATIO = "ratio"
    P_VALUE = "p"
    PATIENTS = "patients"
    COUNT = "count"
    GBQ = "GBq"
    MEV = "MeV"
    KEV = "keV"
    MM = "mm"


class Qualifier(StrEnum):
    """How a stated number relates to the truth (``≈`` marks an approximate figure)."""

    EQ = "="
    APPROX = "≈"
    LT = "<"
    GT = ">"
    LE = "≤"
    GE = "≥"


class DoseUnit(StrEnum):
    """Units of a dose."""

    MG = "mg"
    MG_M2 = "mg/m2"
    GBQ = "GBq"
    MILLION_UNITS = "MU"
    AUC = "AUC"


class Route(StrEnum):
    """Route of administration or access of a therapy."""

    ORAL = "oral"
    INTRAMUSCULAR = "intramuscular"
    DEEP_SUBCUTANEOUS = "deep_subcutaneous"
    SUBCUTANEOUS = "subcutaneous"
    INTRAVENOUS = "intravenous"
    INTRA_ARTERIAL = "intra_arterial"
    PERCUTANEOUS_OR_OPERATIVE = "percutaneous_or_operative"
    SURGICAL = "surgical"


class TherapyKind(StrEnum):
    """What a therapy entry is."""

    SYSTEMIC = "systemic"
    REGIMEN = "regimen"
    LOCAL = "local"


class AgentCombination(StrEnum):
    """How the agents of a therapy combine: all given (a regimen) or any one of them."""

    ALL = "all"
    ANY = "any"


class SiteGroup(StrEnum):
    """Coarse primary-site groups used for trial populations and guideline conditions."""

    PANCREAS = "pancreas"
    MIDGUT = "midgut"
    FOREGUT_GI = "foregut_gi"
    HINDGUT = "hindgut"
    LUNG = "lung"
    UNKNOWN_PRIMARY = "unknown_primary"
    OTHER = "other"


class Grade(StrEnum):
    """WHO grade of a neuroendocrine neoplasm (NEC is poorly differentiated)."""

    G1 = "G1"
    G2 = "G2"
    G3 = "G3"
    NEC = "NEC"


class FunctioningScope(StrEnum):
    """Which tumours a population admits with respect to hormonal syndromes."""

    NON_FUNCTIONING = "non_functioning"
    FUNCTIONING = "functioning"
    ANY = "any"


class TrialDesign(StrEnum):
    """Study design."""

    RANDOMISED_CONTROLLED = "randomised_controlled"
    RANDOMISED_NON_COMPARATIVE = "randomised_non_comparative"
    SINGLE_ARM = "single_arm"
    RETROSPECTIVE = "retrospective"
    REGISTRY = "registry"


class ArmRole(StrEnum):
    """Role of an arm in its trial."""

    EXPERIMENTAL = "experimental"
    CONTROL = "control"
    SINGLE = "single"
    COHORT = "cohort"


class EndpointKind(StrEnum):
    """Kinds of endpoints; time endpoints are medians in months, rates are percentages."""

    PFS = "pfs"
    PFS2 = "pfs2"
    OS = "os"
    TTP = "ttp"
    TIME_TO_FURTHER_PROGRESSION = "time_to_further_progression"
    ORR = "orr"
    DCR = "dcr"
    CBR = "cbr"
    PFS_RATE = "pfs_rate"
    SD_RATE = "sd_rate"
    PR_RATE = "pr_rate"
    PD_RATE = "pd_rate"
    DEATH_RATE = "death_rate"

    @property
    def is_time(self) -> bool:
        """Whether the endpoint is a time (reported as a median in months)."""
        return self in _TIME_ENDPOINTS


_TIME_ENDPOINTS = frozenset(
    {
        EndpointKind.PFS,
        EndpointKind.PFS2,
        EndpointKind.OS,
        EndpointKind.TTP,
        EndpointKind.TIME_TO_FURTHER_PROGRESSION,
    }
)


class EffectMeasure(StrEnum):
    """Relative effect measures; below 1 favours the experimental arm."""

    HR = "hr"
    OR = "or"


class GradeBand(StrEnum):
    """CTCAE grade band of a safety figure."""

    ANY = "any"
    GRADE_3_4 = "grade_3_4"
    GRADE_3_PLUS = "grade_3_plus"


class SubgroupDimension(StrEnum):
    """What a subgroup is defined by."""

    PRIOR_THERAPY = "prior_therapy"
    PRIOR_SSA = "prior_ssa"
    PRIOR_LINES = "prior_lines"
    LINE = "line"
    SITE = "site"
    COHORT = "cohort"
    OTHER = "other"


class Burden(StrEnum):
    """Tumour burden as guidelines phrase it."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class DiseaseCourse(StrEnum):
    """Pace of the disease as guidelines phrase it."""

    STABLE = "stable"
    SLOWLY_PROGRESSIVE = "slowly_progressive"
    PROGRESSIVE = "progressive"
    RAPIDLY_PROGRESSIVE = "rapidly_progressive"


class Preference(StrEnum):
    """Strength with which a guideline statement offers an option."""

    PREFERRED = "preferred"
    ALTERNATIVE = "alternative"
    OPTION = "option"
    RESERVED = "reserved"
    NOT_RECOMMENDED = "not_recommended"


class Strategy(StrEnum):
    """Non-drug strategies a guideline statement can offer."""

    WATCH_AND_WAIT = "watch_and_wait"
    LIVER_DIRECTED_THERAPY = "liver_directed_therapy"
    SURGERY_IF_RESECTABLE = "surgery_if_resectable"
    LIVER_RESECTION = "liver_resection"
    DEBULKING = "debulking"
    REASSESS_RESECTABILITY = "reassess_resectability"
    SYNDROME_CONTROL_FIRST = "syndrome_control_first"
    GLUCOSE_CONTROL = "glucose_control"
    ACID_SUPPRESSION = "acid_suppression"
    SSA_PERIPROCEDURAL_COVER = "ssa_periprocedural_cover"
    ESCALATE_THERAPY = "escalate_therapy"


class ReferenceKind(StrEnum):
    """Kinds of sources."""

    JOURNAL_ARTICLE = "journal_article"
    CONGRESS_ABSTRACT = "congress_abstract"
    GUIDELINE = "guideline"
    DRUG_LABEL = "drug_label"
    REGISTRY_ENTRY = "registry_entry"
    WEB_PAGE = "web_page"
    STANDARD = "standard"


class Operator(StrEnum):
    """Comparison operators of a criterion: the criterion holds when ``value OP threshold``."""

    GE = "ge"
    GT = "gt"
    LE = "le"
    LT = "lt"
    EQ = "eq"
    NE = "ne"
    IN = "in"
    NOT_IN = "not_in"
    IS_TRUE = "is_true"
    IS_FALSE = "is_false"


class CriterionKind(StrEnum):
    """What failing a criterion means.

    ``hard``: the patient is ineligible (a contraindication or an entry criterion);
    ``relative``: use with caution (a relative contraindication);
    ``population``: the patient lies outside the population studied, so the evidence is
    extrapolated.
    """

    HARD = "hard"
    RELATIVE = "relative"
    POPULATION = "population"


class ProfileKind(StrEnum):
    """Kinds of eligibility and dosing profiles."""

    PRRT_ELIGIBILITY = "prrt_eligibility"
    DOSE_MODIFICATION = "dose_modification"
    LIVER_RESECTION = "liver_resection"
    LIVER_DEBULKING = "liver_debulking"
    HEPATECTOMY_EXTENT = "hepatectomy_extent"
    LIVER_TRANSPLANT = "liver_transplant"
    TUMOUR_BURDEN = "tumour_burden"


class ToxicityKind(StrEnum):
    """Toxicity categories of dose-modification rules."""

    THROMBOCYTOPENIA = "thrombocytopenia"
    ANAEMIA_OR_NEUTROPENIA = "anaemia_or_neutropenia"
    LYMPHOPENIA = "lymphopenia"
    RENAL = "renal"
    HEPATIC = "hepatic"
    HYPERSENSITIVITY = "hypersensitivity"
    OTHER = "other"


class DoseAction(StrEnum):
    """What a dose-modification rule tells the team to do."""

    WITHHOLD = "withhold"
    PREMEDICATE = "premedicate"
    DISCONTINUE = "discontinue"
    NO_MODIFICATION = "no_modification"


class CaseResponse(StrEnum):
    """Response categories as printed in the case report's Table 1."""

    CR = "CR"
    PR_CR = "PR-CR"
    PR = "PR"
    SD = "SD"
    PD = "PD"

    @property
    def is_objective_response(self) -> bool:
        """Whether the category is a complete or partial response (PR-CR counts)."""
        return self in (CaseResponse.CR, CaseResponse.PR_CR, CaseResponse.PR)


class StepKind(StrEnum):
    """Kinds of steps in a published case's pre-treatment."""

    RADIOLIGAND = "radioligand"
    SSA = "ssa"
    CHEMOTHERAPY = "chemotherapy"
    SURGERY = "surgery"
    LOCAL_THERAPY = "local_therapy"
