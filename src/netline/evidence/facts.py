"""The patient facts that knowledge-base conditions and criteria evaluate: one typed contract.

:class:`PatientFacts` is what ``advise`` hands to the evidence criteria. Every field is typed,
its unit is stated in its description below, and ``None`` means *unknown*: a condition or
criterion that needs an unknown fact answers ``None`` (possible), which lowers confidence and
never promotes an option.

The knowledge-base YAML names facts in words with their units (``platelets_10e9_l``,
``albumin_g_dl``). :data:`FACT_NAMES` maps each YAML name to its field, with the factor that
converts the field's unit to the unit the name states; it is the one place the names are read.
:data:`netline.evidence.schema.FIELDS` (the names eligibility tests may use) is derived from
it, so an unknown name in a profile is an error at knowledge-base load that names the file and
the entry.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, NamedTuple

from netline.evidence.vocab import Burden, DiseaseCourse, Grade, SiteGroup
from netline.records.units import to_canonical
from netline.records.vocabulary import (
    AgentClass,
    Analyte,
    Differentiation,
    FunctioningSyndrome,
)

__all__ = ["FACT_NAMES", "FactName", "PatientFacts", "as_facts", "fact_field", "fact_value"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientFacts:
    """A patient's facts on a decision date, as the knowledge base's criteria read them.

    Every field is ``None`` when unknown. Units are fixed per field (below); the knowledge
    base's YAML names (:data:`FACT_NAMES`) convert where they state another unit.

    Attributes
    ----------
    site : SiteGroup or None
        Primary-site group (``pancreas`` ...).
    differentiation : Differentiation or None
        Well or poorly differentiated.
    grade : Grade or None
        WHO grade (G1, G2, G3; NEC for a carcinoma).
    ki67 : float or None
        Ki-67 index, percent of tumour cells (the highest specimen).
    functioning : FunctioningSyndrome or None
        Hormonal syndrome (``none`` for non-functioning).
    symptomatic : bool or None
        Symptoms from tumour bulk.
    krenning_score : int or None
        Highest SSTR uptake score against liver and spleen, 0-4 (no unit).
    sstr_positive : bool or None
        SSTR uptake at least the knowledge base's positivity threshold.
    sstr_uptake_all_lesions : bool or None
        Uptake at least liver in every target lesion.
    fdg_sstr_discordant : bool or None
        An FDG-avid lesion without SSTR uptake.
    tumour_burden : Burden or None
        Guideline burden category (low, moderate, high).
    hepatic_burden : float or None
        Share of the liver involved by tumour, percent of liver volume.
    liver_lesions : int or None
        Liver metastases counted (the latest count recorded since the last liver resection).
    metastasis_count : int or None
        Distant metastatic lesions counted over every involved site (``None`` when a site has
        no count).
    extra_abdominal_metastases : bool or None
        Metastases outside the abdomen.
    diffuse_peritoneal_carcinomatosis, unresectable_nodal_disease : bool or None
        Peritoneal and nodal extent (liver-surgery criteria).
    primary_resected, primary_resected_or_resectable, primary_portal_drainage : bool or None
        The primary: removed; removed or removable; drained by the portal system.
    resectable : bool or None
        Resectable disease (a surgeon's judgement; netline does not infer it).
    advanced : bool or None
        Advanced disease: locoregional unresectable or metastatic, the population of the
        guidelines' systemic-therapy statements. ``False`` for a localised resectable primary or
        no evidence of disease after resection; ``None`` where the setting leaves it open
        (borderline resectability, a resected primary with no site of disease recorded). Set
        from the disease setting (:func:`netline.advice.setting.classify_setting`).
    metastatic : bool or None
        Distant metastases present (liver or beyond), from the disease setting; ``False`` for
        localised disease and no evidence of disease.
    disease_course : DiseaseCourse or None
        Latest course (stable, progressive ...).
    objective_response : bool or None
        A response (CR or PR) since the last progression.
    stable_disease : float or None
        Duration of stable disease, months.
    since_diagnosis : float or None
        Time from diagnosis to the decision date, months.
    prior_classes : frozenset of AgentClass or None
        Mode-of-action classes of the lines so far.
    prior_non_ssa_lines : int or None
        Lines with an antitumour agent other than an SSA (count).
    line : int or None
        Number of the next line (count).
    progression_on_ssa : bool or None
        Progression while on a somatostatin analogue.
    age : float or None
        Age on the decision date, years.
    ecog : int or None
        ECOG performance status, 0-5.
    karnofsky : int or None
        Karnofsky performance status, 0-100.
    life_expectancy : float or None
        Estimated life expectancy, months.
    pregnant, breastfeeding, severe_acute_illness, right_heart_insufficiency : bool or None
        Patient conditions that PRRT and surgery criteria name.
    platelets : float or None
        Platelets, 10^9/L.
    haemoglobin : float or None
        Haemoglobin, g/dL.
    white_cells : float or None
        White blood cells, 10^9/L.
    bilirubin : float or None
        Total bilirubin, mg/dL.
    bilirubin_to_uln : float or None
        Total bilirubin as a multiple of the upper limit of normal (ratio).
    albumin : float or None
        Serum albumin, g/L.
    prothrombin_ratio : float or None
        Prothrombin ratio, percent.
    prothrombin_time_normal : bool or None
        Prothrombin time (INR) within the normal limit.
    icg_r15 : float or None
        Indocyanine green retention at 15 minutes, percent.
    creatinine : float or None
        Serum creatinine, mg/dL.
    creatinine_clearance : float or None
        Creatinine clearance (measured or Cockcroft-Gault), mL/min.
    creatinine_rise : float or None
        Rise in serum creatinine against baseline, percent.
    creatinine_clearance_fall : float or None
        Fall in creatinine clearance against baseline, percent.
    ascites_uncontrolled : bool or None
        Ascites not controlled by diuretics.
    child_pugh_class : str or None
        Child-Pugh class (A, B, C).
    expected_debulking : float or None
        Share of the disease a resection would remove, percent.
    future_liver_remnant : float or None
        Future liver remnant, percent of standardised liver volume.
    expected_mortality : float or None
        Expected perioperative mortality, percent.
    ctcae_grade : int or None
        CTCAE grade of a toxicity, 1-5.
    """

    site: SiteGroup | None = None
    differentiation: Differentiation | None = None
    grade: Grade | None = None
    ki67: float | None = None
    functioning: FunctioningSyndrome | None = None
    symptomatic: bool | None = None
    krenning_score: int | None = None
    sstr_positive: bool | None = None
    sstr_uptake_all_lesions: bool | None = None
    fdg_sstr_discordant: bool | None = None
    tumour_burden: Burden | None = None
    hepatic_burden: float | None = None
    liver_lesions: int | None = None
    metastasis_count: int | None = None
    extra_abdominal_metastases: bool | None = None
    diffuse_peritoneal_carcinomatosis: bool | None = None
    unresectable_nodal_disease: bool | None = None
    primary_resected: bool | None = None
    primary_resected_or_resectable: bool | None = None
    primary_portal_drainage: bool | None = None
    resectable: bool | None = None
    advanced: bool | None = None
    metastatic: bool | None = None
    disease_course: DiseaseCourse | None = None
    objective_response: bool | None = None
    stable_disease: float | None = None
    since_diagnosis: float | None = None
    prior_classes: frozenset[AgentClass] | None = None
    prior_non_ssa_lines: int | None = None
    line: int | None = None
    progression_on_ssa: bool | None = None
    age: float | None = None
    ecog: int | None = None
    karnofsky: int | None = None
    life_expectancy: float | None = None
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    severe_acute_illness: bool | None = None
    right_heart_insufficiency: bool | None = None
    platelets: float | None = None
    haemoglobin: float | None = None
    white_cells: float | None = None
    bilirubin: float | None = None
    bilirubin_to_uln: float | None = None
    albumin: float | None = None
    prothrombin_ratio: float | None = None
    prothrombin_time_normal: bool | None = None
    icg_r15: float | None = None
    creatinine: float | None = None
    creatinine_clearance: float | None = None
    creatinine_rise: float | None = None
    creatinine_clearance_fall: float | None = None
    ascites_uncontrolled: bool | None = None
    child_pugh_class: str | None = None
    expected_debulking: float | None = None
    future_liver_remnant: float | None = None
    expected_mortality: float | None = None
    ctcae_grade: int | None = None

    def replace(self, **changes: object) -> PatientFacts:
        """Return a copy with some fields changed (another reading of an uncertain fact)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def value(self, name: str) -> object:
        """Return the fact a knowledge-base name refers to, in the unit that name states.

        Raises
        ------
        KeyError
            When ``name`` is not in :data:`FACT_NAMES`.
        """
        return fact_value(self, name)

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dictionary by field name (sets sorted, enums as values)."""
        return {f.name: _jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}


def _jsonable(value: object) -> object:
    if isinstance(value, frozenset | set):
        return sorted(str(getattr(v, "value", v)) for v in value)
    if hasattr(value, "value") and not isinstance(value, int | float | str | bool):
        return value.value
    return value


class FactName(NamedTuple):
    """One knowledge-base name of a fact: its field and the unit the name states.

    ``scale`` converts the field's value to the name's unit (value in the name's unit =
    field value × ``scale``).
    """

    field: str
    type: Literal["number", "bool", "category", "classes"]
    unit: str | None
    description: str
    scale: float = 1.0


#: µmol/L of creatinine per mg/dL (the records' unit table).
_CREATININE_UMOL_PER_MG = 1.0 / to_canonical(Analyte.CREATININE, 1.0, "umol/L").value

#: Every name the knowledge base (and a facts mapping) may use, by name. The one place.
FACT_NAMES: Mapping[str, FactName] = {
    # eligibility-test names (profiles.yaml): units in the names, converted here
    "krenning_score": FactName("krenning_score", "number", None, "highest SSTR uptake score (0-4)"),
    "sstr_uptake_all_lesions": FactName(
        "sstr_uptake_all_lesions", "bool", None, "uptake >= liver in all target lesions"
    ),
    "creatinine_clearance_ml_min": FactName(
        "creatinine_clearance", "number", "mL/min", "creatinine clearance"
    ),
    "serum_creatinine_umol_l": FactName(
        "creatinine", "number", "umol/L", "serum creatinine", _CREATININE_UMOL_PER_MG
    ),
    "creatinine_rise_percent": FactName(
        "creatinine_rise", "number", "percent", "rise in serum creatinine vs baseline"
    ),
    "creatinine_clearance_fall_percent": FactName(
        "creatinine_clearance_fall", "number", "percent", "fall in CrCl vs baseline"
    ),
    "haemoglobin_g_dl": FactName("haemoglobin", "number", "g/dL", "haemoglobin"),
    "wbc_10e9_l": FactName("white_cells", "number", "10^9/L", "white blood cells"),
    "platelets_10e9_l": FactName("platelets", "number", "10^9/L", "platelets"),
    "bilirubin_x_uln": FactName(
        "bilirubin_to_uln", "number", "x ULN", "total bilirubin as a multiple of the ULN"
    ),
    "bilirubin_mg_dl": FactName("bilirubin", "number", "mg/dL", "total bilirubin"),
    "albumin_g_dl": FactName("albumin", "number", "g/dL", "serum albumin", 0.1),
    "albumin_g_l": FactName("albumin", "number", "g/L", "serum albumin"),
    "prothrombin_ratio_percent": FactName(
        "prothrombin_ratio", "number", "percent", "prothrombin ratio"
    ),
    "prothrombin_time_normal": FactName(
        "prothrombin_time_normal", "bool", None, "prothrombin time within normal limits"
    ),
    "karnofsky": FactName("karnofsky", "number", None, "Karnofsky performance status (0-100)"),
    "ecog": FactName("ecog", "number", None, "ECOG performance status (0-5)"),
    "life_expectancy_months": FactName(
        "life_expectancy", "number", "months", "estimated life expectancy"
    ),
    "ki67_percent": FactName("ki67", "number", "percent", "Ki-67 index"),
    "grade": FactName("grade", "category", None, "WHO grade (G1, G2, G3, NEC)"),
    "differentiation": FactName("differentiation", "category", None, "well or poorly"),
    "site": FactName("site", "category", None, "primary-site group"),
    "progression_on_ssa": FactName(
        "progression_on_ssa", "bool", None, "progression while on a somatostatin analogue"
    ),
    "pregnant": FactName("pregnant", "bool", None, "pregnancy"),
    "breastfeeding": FactName("breastfeeding", "bool", None, "breastfeeding that is not stopped"),
    "severe_acute_illness": FactName(
        "severe_acute_illness", "bool", None, "severe acute concomitant illness"
    ),
    "ascites_uncontrolled": FactName(
        "ascites_uncontrolled", "bool", None, "ascites not controlled by diuretics"
    ),
    "icg_r15_percent": FactName(
        "icg_r15", "number", "percent", "indocyanine green retention at 15 min"
    ),
    "child_pugh_class": FactName("child_pugh_class", "category", None, "Child-Pugh class"),
    "expected_debulking_percent": FactName(
        "expected_debulking", "number", "percent", "share of disease removable"
    ),
    "future_liver_remnant_percent": FactName(
        "future_liver_remnant", "number", "percent", "FLR of standardised liver volume"
    ),
    "extra_abdominal_metastases": FactName(
        "extra_abdominal_metastases", "bool", None, "metastases outside the abdomen"
    ),
    "diffuse_peritoneal_carcinomatosis": FactName(
        "diffuse_peritoneal_carcinomatosis", "bool", None, "diffuse or unresectable peritoneal"
    ),
    "unresectable_nodal_disease": FactName(
        "unresectable_nodal_disease", "bool", None, "unresectable lymph-node disease"
    ),
    "primary_resected_or_resectable": FactName(
        "primary_resected_or_resectable", "bool", None, "primary resected or resectable"
    ),
    "right_heart_insufficiency": FactName(
        "right_heart_insufficiency", "bool", None, "right-heart failure (carcinoid heart)"
    ),
    "expected_mortality_percent": FactName(
        "expected_mortality", "number", "percent", "expected perioperative mortality"
    ),
    "primary_portal_drainage": FactName(
        "primary_portal_drainage", "bool", None, "primary drained by the portal system"
    ),
    "primary_resected": FactName("primary_resected", "bool", None, "primary removed"),
    "liver_involvement_percent": FactName(
        "hepatic_burden", "number", "percent", "share of liver involved by tumour"
    ),
    "stable_disease_months": FactName(
        "stable_disease", "number", "months", "duration of stable disease"
    ),
    "months_since_diagnosis": FactName(
        "since_diagnosis", "number", "months", "time from diagnosis to the decision date"
    ),
    "liver_lesion_count": FactName(
        "liver_lesions", "number", None, "liver metastases counted since the last liver resection"
    ),
    "metastasis_count": FactName(
        "metastasis_count", "number", None, "distant metastatic lesions counted, all sites"
    ),
    "age_years": FactName("age", "number", "years", "age"),
    "ctcae_grade": FactName("ctcae_grade", "number", None, "CTCAE grade of the toxicity (1-5)"),
    # guideline-condition names (the fields of netline.evidence.Condition)
    "functioning": FactName("functioning", "category", None, "hormonal syndrome"),
    "symptomatic": FactName("symptomatic", "bool", None, "symptoms from tumour bulk"),
    "sstr_positive": FactName("sstr_positive", "bool", None, "SSTR-positive disease"),
    "fdg_sstr_discordant": FactName(
        "fdg_sstr_discordant", "bool", None, "FDG-positive, SSTR-negative lesions"
    ),
    "tumour_burden": FactName("tumour_burden", "category", None, "tumour burden category"),
    "hepatic_burden_percent": FactName(
        "hepatic_burden", "number", "percent", "share of liver involved by tumour"
    ),
    "disease_course": FactName("disease_course", "category", None, "course of the disease"),
    "prior_classes": FactName("prior_classes", "classes", None, "classes of the lines so far"),
    "prior_non_ssa_lines": FactName(
        "prior_non_ssa_lines", "number", None, "earlier lines other than SSA"
    ),
    "line": FactName("line", "number", None, "number of the next line"),
    "resectable": FactName("resectable", "bool", None, "resectable disease"),
    "advanced": FactName(
        "advanced", "bool", None, "advanced disease (locoregional unresectable or metastatic)"
    ),
    "metastatic": FactName("metastatic", "bool", None, "distant metastases"),
    "objective_response": FactName(
        "objective_response", "bool", None, "response since the last progression"
    ),
}

_FIELDS = frozenset(f.name for f in dataclasses.fields(PatientFacts))


def fact_field(name: str) -> str:
    """Return the :class:`PatientFacts` field a knowledge-base name refers to.

    Raises
    ------
    KeyError
        When ``name`` is not in :data:`FACT_NAMES`.
    """
    return FACT_NAMES[name].field


def fact_value(facts: PatientFacts, name: str) -> object:
    """Return the fact a knowledge-base name refers to, in the unit the name states."""
    entry = FACT_NAMES[name]
    value = getattr(facts, entry.field)
    if entry.scale != 1.0 and isinstance(value, int | float) and not isinstance(value, bool):
        return value * entry.scale
    return value


def as_facts(facts: PatientFacts | Mapping[str, object]) -> PatientFacts:
    """Return ``facts`` as :class:`PatientFacts`; a mapping is read by knowledge-base name.

    A mapping's keys are knowledge-base names (:data:`FACT_NAMES`) or field names; values in
    the unit the name states are converted to the field's unit.

    Raises
    ------
    KeyError
        When a key is neither a knowledge-base name nor a field.
    """
    if isinstance(facts, PatientFacts):
        return facts
    values: dict[str, object] = {}
    for name, value in facts.items():
        entry = FACT_NAMES.get(name)
        if entry is None:
            if name not in _FIELDS:
                raise KeyError(f"unknown patient fact {name!r}: expected one of FACT_NAMES")
            values[name] = value
            continue
        if entry.scale != 1.0 and isinstance(value, int | float) and not isinstance(value, bool):
            value = value / entry.scale
        if entry.type == "classes" and value is not None:
            value = frozenset(AgentClass(v) for v in value)  # type: ignore[attr-defined]
        values[entry.field] = value
    return PatientFacts(**values)  # type: ignore[arg-type]
