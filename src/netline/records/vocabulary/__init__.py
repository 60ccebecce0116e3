"""Controlled vocabularies shared by the clinical record and everything built on it.

Each enumeration is a :class:`enum.StrEnum` whose values are the identifiers written in case
files and JSON (lower snake case). Agents carry their mode-of-action class here, because the
record layer validates agent names and every later layer (course, advise, simulate) needs the
class of an agent to reason about sequences.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AGENTS",
    "Agent",
    "AgentClass",
    "AgentInfo",
    "Analyte",
    "ComorbidityKind",
    "Differentiation",
    "DiseaseStatusValue",
    "FunctioningSyndrome",
    "HereditarySyndrome",
    "ImagingModality",
    "InvadedStructure",
    "LocalTherapyModality",
    "LocalTherapyTarget",
    "Margin",
    "MedicationDrug",
    "MedicationPurpose",
    "Organ",
    "PrimarySite",
    "ReasonStopped",
    "RecordedResponse",
    "Sex",
    "SurgeryIntent",
    "SurgicalProcedure",
    "ThrombusKind",
    "Vessel",
    "agent_info",
    "label",
    "resolve_agent",
    "resolve_medication",
]


class Sex(StrEnum):
    """Administrative sex."""

    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    UNKNOWN = "unknown"


class PrimarySite(StrEnum):
    """Site of the primary tumour (gastro-entero-pancreatic first)."""

    PANCREAS_HEAD = "pancreas_head"
    PANCREAS_UNCINATE = "pancreas_uncinate"
    PANCREAS_NECK = "pancreas_neck"
    PANCREAS_BODY = "pancreas_body"
    PANCREAS_TAIL = "pancreas_tail"
    PANCREAS_UNSPECIFIED = "pancreas_unspecified"
    DUODENUM = "duodenum"
    STOMACH = "stomach"
    JEJUNUM_ILEUM = "jejunum_ileum"
    APPENDIX = "appendix"
    COLON = "colon"
    RECTUM = "rectum"
    LUNG = "lung"
    UNKNOWN_PRIMARY = "unknown_primary"
    OTHER = "other"

    @property
    def is_pancreatic(self) -> bool:
        """Whether the site is in the pancreas."""
        return self.value.startswith("pancreas")


class Differentiation(StrEnum):
    """Morphological differentiation, which separates NET from NEC (WHO 2019/2022)."""

    WELL = "well"
    POORLY = "poorly"
    UNKNOWN = "unknown"


class FunctioningSyndrome(StrEnum):
    """Hormonal syndrome of a functioning tumour."""

    NONE = "none"
    INSULINOMA = "insulinoma"
    GASTRINOMA = "gastrinoma"
    GLUCAGONOMA = "glucagonoma"
    VIPOMA = "vipoma"
    SOMATOSTATINOMA = "somatostatinoma"
    CARCINOID_SYNDROME = "carcinoid_syndrome"
    OTHER = "other"
    UNKNOWN = "unknown"


class HereditarySyndrome(StrEnum):
    """Hereditary tumour syndrome."""

    NONE = "none"
    MEN1 = "men1"
    VHL = "vhl"
    NF1 = "nf1"
    TSC = "tsc"
    OTHER = "other"
    UNKNOWN = "unknown"


class InvadedStructure(StrEnum):
    """Structures a pancreatic primary may invade (drives the T category)."""

    PERIPANCREATIC_FAT = "peripancreatic_fat"
    DUODENUM = "duodenum"
    COMMON_BILE_DUCT = "common_bile_duct"
    STOMACH = "stomach"
    SPLEEN = "spleen"
    COLON = "colon"
    ADRENAL_GLAND = "adrenal_gland"
    VISCERAL_PERITONEUM = "visceral_peritoneum"
    COELIAC_AXIS = "coeliac_axis"
    SUPERIOR_MESENTERIC_ARTERY = "superior_mesenteric_artery"
    SUPERIOR_MESENTERIC_VEIN = "superior_mesenteric_vein"
    PORTAL_VEIN = "portal_vein"
    OTHER_ORGAN = "other_organ"


class Organ(StrEnum):
    """Organ of a lesion or metastasis."""

    LIVER = "liver"
    PANCREAS = "pancreas"
    REGIONAL_LYMPH_NODE = "regional_lymph_node"
    DISTANT_LYMPH_NODE = "distant_lymph_node"
    BONE = "bone"
    LUNG = "lung"
    PERITONEUM = "peritoneum"
    OVARY = "ovary"
    BRAIN = "brain"
    ADRENAL_GLAND = "adrenal_gland"
    SPLEEN = "spleen"
    OTHER = "other"

    @property
    def is_hepatic(self) -> bool:
        """Whether the organ is the liver."""
        return self is Organ.LIVER

    @property
    def is_distant(self) -> bool:
        """Whether a metastasis here counts as distant (M1): all but pancreas and regional nodes."""
        return self not in (Organ.PANCREAS, Organ.REGIONAL_LYMPH_NODE)


class ComorbidityKind(StrEnum):
    """Comorbidities that matter for NET treatment choices."""

    DIABETES = "diabetes"
    HYPERTENSION = "hypertension"
    CARDIAC = "cardiac"
    CARCINOID_HEART_DISEASE = "carcinoid_heart_disease"
    RENAL = "renal"
    HEPATIC = "hepatic"
    PULMONARY = "pulmonary"
    HAEMATOLOGICAL = "haematological"
    AUTOIMMUNE = "autoimmune"
    OTHER = "other"


class SurgicalProcedure(StrEnum):
    """Surgical procedures in NET care."""

    PANCREATODUODENECTOMY = "pancreatoduodenectomy"
    PYLORUS_PRESERVING_PANCREATODUODENECTOMY = "pylorus_preserving_pancreatoduodenectomy"
    DISTAL_PANCREATECTOMY = "distal_pancreatectomy"
    TOTAL_PANCREATECTOMY = "total_pancreatectomy"
    CENTRAL_PANCREATECTOMY = "central_pancreatectomy"
    ENUCLEATION = "enucleation"
    PARTIAL_HEPATECTOMY = "partial_hepatectomy"
    SEGMENTECTOMY = "segmentectomy"
    HEMIHEPATECTOMY = "hemihepatectomy"
    EXTENDED_HEPATECTOMY = "extended_hepatectomy"
    LIVER_TRANSPLANTATION = "liver_transplantation"
    LYMPHADENECTOMY = "lymphadenectomy"
    SMALL_BOWEL_RESECTION = "small_bowel_resection"
    OTHER = "other"

    @property
    def is_liver_resection(self) -> bool:
        """Whether the procedure removes liver tissue."""
        return self in {
            SurgicalProcedure.PARTIAL_HEPATECTOMY,
            SurgicalProcedure.SEGMENTECTOMY,
            SurgicalProcedure.HEMIHEPATECTOMY,
            SurgicalProcedure.EXTENDED_HEPATECTOMY,
            SurgicalProcedure.LIVER_TRANSPLANTATION,
        }


class SurgeryIntent(StrEnum):
    """Why a surgery was done."""

    CURATIVE = "curative"
    DEBULKING = "debulking"
    CONVERSION = "conversion"
    PALLIATIVE = "palliative"
    DIAGNOSTIC = "diagnostic"
    UNKNOWN = "unknown"


class Margin(StrEnum):
    """Resection margin (residual tumour classification)."""

    R0 = "R0"
    R1 = "R1"
    R2 = "R2"
    RX = "RX"


class LocalTherapyModality(StrEnum):
    """Liver-directed and other local therapies."""

    RFA = "rfa"
    MWA = "mwa"
    TACE = "tace"
    BLAND_EMBOLISATION = "bland_embolisation"
    TARE = "tare"
    EXTERNAL_BEAM_RADIOTHERAPY = "external_beam_radiotherapy"
    STEREOTACTIC_RADIOTHERAPY = "stereotactic_radiotherapy"
    ETHANOL_ABLATION = "ethanol_ablation"
    CRYOABLATION = "cryoablation"
    IRREVERSIBLE_ELECTROPORATION = "irreversible_electroporation"
    OTHER = "other"


class LocalTherapyTarget(StrEnum):
    """What a local therapy was aimed at."""

    PRIMARY = "primary"
    METASTASIS = "metastasis"
    REGIONAL_NODE = "regional_node"
    LOCAL_RECURRENCE = "local_recurrence"
    UNKNOWN = "unknown"


class Vessel(StrEnum):
    """Veins (and the rare artery) a tumour thrombus may fill."""

    PORTAL_VEIN = "portal_vein"
    SUPERIOR_MESENTERIC_VEIN = "superior_mesenteric_vein"
    SPLENIC_VEIN = "splenic_vein"
    INFERIOR_MESENTERIC_VEIN = "inferior_mesenteric_vein"
    HEPATIC_VEIN = "hepatic_vein"
    INFERIOR_VENA_CAVA = "inferior_vena_cava"
    RENAL_VEIN = "renal_vein"
    OTHER = "other"


class ThrombusKind(StrEnum):
    """Whether a thrombus is tumour (enhancing, continuous with the tumour) or bland clot."""

    TUMOUR = "tumour"
    BLAND = "bland"
    UNKNOWN = "unknown"


class MedicationPurpose(StrEnum):
    """Why a non-antitumour medication was given."""

    SYNDROME_CONTROL = "syndrome_control"
    SUPPORTIVE = "supportive"
    OTHER = "other"


class MedicationDrug(StrEnum):
    """Syndrome-control and supportive drugs (not antitumour therapy; never a line of therapy).

    Somatostatin analogues are antitumour agents (:class:`Agent`) even when given for a
    hormonal syndrome; record them as systemic therapy.
    """

    OMEPRAZOLE = "omeprazole"
    ESOMEPRAZOLE = "esomeprazole"
    PANTOPRAZOLE = "pantoprazole"
    LANSOPRAZOLE = "lansoprazole"
    RABEPRAZOLE = "rabeprazole"
    FAMOTIDINE = "famotidine"
    DIAZOXIDE = "diazoxide"
    TELOTRISTAT = "telotristat"
    HYDROCORTISONE = "hydrocortisone"
    PREDNISOLONE = "prednisolone"
    DEXAMETHASONE = "dexamethasone"
    GLUCOSE = "glucose"
    GLUCAGON = "glucagon"
    LOPERAMIDE = "loperamide"
    PANCREATIC_ENZYMES = "pancreatic_enzymes"
    INSULIN = "insulin"
    ANTICOAGULANT = "anticoagulant"
    OTHER = "other"

    @property
    def is_proton_pump_inhibitor(self) -> bool:
        """Whether the drug is a proton-pump inhibitor."""
        return self in _PPIS


_PPIS = frozenset(
    {
        MedicationDrug.OMEPRAZOLE,
        MedicationDrug.ESOMEPRAZOLE,
        MedicationDrug.PANTOPRAZOLE,
        MedicationDrug.LANSOPRAZOLE,
        MedicationDrug.RABEPRAZOLE,
    }
)


class ImagingModality(StrEnum):
    """Imaging modalities."""

    CT = "ct"
    MRI = "mri"
    SRS = "srs"
    SSTR_PET = "sstr_pet"
    FDG_PET = "fdg_pet"
    ULTRASOUND = "ultrasound"
    OTHER = "other"


class RecordedResponse(StrEnum):
    """A response category as recorded in a report (not computed)."""

    CR = "CR"
    PR = "PR"
    SD = "SD"
    PD = "PD"
    NON_CR_NON_PD = "non-CR/non-PD"
    NE = "NE"


class DiseaseStatusValue(StrEnum):
    """Clinician-recorded disease status (after mCODE CancerDiseaseStatus)."""

    NO_EVIDENCE_OF_DISEASE = "no_evidence_of_disease"
    RESPONDING = "responding"
    STABLE = "stable"
    PROGRESSING = "progressing"
    MIXED = "mixed"
    NOT_ASSESSED = "not_assessed"
    UNCERTAIN = "uncertain"


class ReasonStopped(StrEnum):
    """Why a systemic therapy stopped."""

    ONGOING = "ongoing"
    COMPLETED = "completed"
    PROGRESSION = "progression"
    TOXICITY = "toxicity"
    SURGERY = "surgery"
    PATIENT_CHOICE = "patient_choice"
    DEATH = "death"
    OTHER = "other"
    UNKNOWN = "unknown"


class Analyte(StrEnum):
    """Laboratory analytes with a canonical unit each (see :mod:`netline.records.units`)."""

    NEUTROPHILS = "neutrophils"
    PLATELETS = "platelets"
    LYMPHOCYTES = "lymphocytes"
    WHITE_CELLS = "white_cells"
    HAEMOGLOBIN = "haemoglobin"
    CREATININE = "creatinine"
    CREATININE_CLEARANCE = "creatinine_clearance"
    EGFR = "egfr"
    BILIRUBIN = "bilirubin"
    ALBUMIN = "albumin"
    INR = "inr"
    PROTHROMBIN_RATIO = "prothrombin_ratio"
    ALT = "alt"
    AST = "ast"
    ALKALINE_PHOSPHATASE = "alkaline_phosphatase"
    ICG_R15 = "icg_r15"
    CHROMOGRANIN_A = "chromogranin_a"
    GLUCOSE = "glucose"
    HBA1C = "hba1c"
    FIVE_HIAA = "five_hiaa"
    GASTRIN = "gastrin"
    INSULIN = "insulin"
    C_PEPTIDE = "c_peptide"
    PROINSULIN = "proinsulin"
    GLUCAGON = "glucagon"
    VIP = "vip"


class AgentClass(StrEnum):
    """Mode-of-action class of a systemic agent (the review's unit of sequencing)."""

    SSA = "ssa"
    MTOR_INHIBITOR = "mtor_inhibitor"
    TKI = "tki"
    ALKYLATING_CHEMOTHERAPY = "alkylating_chemotherapy"
    ANTIMETABOLITE_CHEMOTHERAPY = "antimetabolite_chemotherapy"
    ANTHRACYCLINE_CHEMOTHERAPY = "anthracycline_chemotherapy"
    PLATINUM_CHEMOTHERAPY = "platinum_chemotherapy"
    TOPOISOMERASE_INHIBITOR = "topoisomerase_inhibitor"
    RADIOLIGAND = "radioligand"
    INTERFERON = "interferon"
    SUPPORTIVE = "supportive"


class Agent(StrEnum):
    """Systemic agents used in advanced NET, by canonical identifier."""

    LANREOTIDE = "lanreotide"
    OCTREOTIDE_LAR = "octreotide_lar"
    OCTREOTIDE_SC = "octreotide_sc"
    PASIREOTIDE = "pasireotide"
    EVEROLIMUS = "everolimus"
    SUNITINIB = "sunitinib"
    CABOZANTINIB = "cabozantinib"
    PAZOPANIB = "pazopanib"
    SURUFATINIB = "surufatinib"
    LENVATINIB = "lenvatinib"
    CAPECITABINE = "capecitabine"
    TEMOZOLOMIDE = "temozolomide"
    STREPTOZOCIN = "streptozocin"
    FLUOROURACIL = "fluorouracil"
    DOXORUBICIN = "doxorubicin"
    DACARBAZINE = "dacarbazine"
    CISPLATIN = "cisplatin"
    CARBOPLATIN = "carboplatin"
    OXALIPLATIN = "oxaliplatin"
    ETOPOSIDE = "etoposide"
    IRINOTECAN = "irinotecan"
    LU177_DOTATATE = "lu177_dotatate"
    LU177_EDOTREOTIDE = "lu177_edotreotide"
    Y90_DOTATOC = "y90_dotatoc"
    Y90_DOTATATE = "y90_dotatate"
    INTERFERON_ALFA = "interferon_alfa"
    TELOTRISTAT = "telotristat"
    DIAZOXIDE = "diazoxide"
    PROTON_PUMP_INHIBITOR = "proton_pump_inhibitor"


class AgentInfo:
    """Fixed facts about an agent: its class and the names it is written under."""

    __slots__ = ("agent", "agent_class", "label", "synonyms")

    def __init__(
        self, agent: Agent, agent_class: AgentClass, label: str, synonyms: tuple[str, ...] = ()
    ) -> None:
        self.agent = agent
        self.agent_class = agent_class
        self.label = label
        self.synonyms = synonyms

    @property
    def is_radioligand(self) -> bool:
        """Whether the agent is a radioligand (PRRT) given in cycles with an activity."""
        return self.agent_class is AgentClass.RADIOLIGAND

    def __repr__(self) -> str:
        return f"AgentInfo({self.agent.value!r}, {self.agent_class.value!r})"


def _info(
    agent: Agent, agent_class: AgentClass, label: str, *synonyms: str
) -> tuple[Agent, AgentInfo]:
    return agent, AgentInfo(agent, agent_class, label, synonyms)


AGENTS: dict[Agent, AgentInfo] = dict(
    [
        _info(Agent.LANREOTIDE, AgentClass.SSA, "lanreotide", "lanreotide autogel", "somatuline"),
        _info(Agent.OCTREOTIDE_LAR, AgentClass.SSA, "octreotide LAR", "sandostatin lar"),
        _info(Agent.OCTREOTIDE_SC, AgentClass.SSA, "octreotide (short-acting)", "sandostatin"),
        _info(Agent.PASIREOTIDE, AgentClass.SSA, "pasireotide"),
        _info(Agent.EVEROLIMUS, AgentClass.MTOR_INHIBITOR, "everolimus", "afinitor"),
        _info(Agent.SUNITINIB, AgentClass.TKI, "sunitinib", "sutent"),
        _info(Agent.CABOZANTINIB, AgentClass.TKI, "cabozantinib", "cabometyx"),
        _info(Agent.PAZOPANIB, AgentClass.TKI, "pazopanib", "votrient"),
        _info(Agent.SURUFATINIB, AgentClass.TKI, "surufatinib"),
        _info(Agent.LENVATINIB, AgentClass.TKI, "lenvatinib"),
        _info(Agent.CAPECITABINE, AgentClass.ANTIMETABOLITE_CHEMOTHERAPY, "capecitabine"),
        _info(Agent.TEMOZOLOMIDE, AgentClass.ALKYLATING_CHEMOTHERAPY, "temozolomide"),
        _info(Agent.STREPTOZOCIN, AgentClass.ALKYLATING_CHEMOTHERAPY, "streptozocin", "stz"),
        _info(Agent.FLUOROURACIL, AgentClass.ANTIMETABOLITE_CHEMOTHERAPY, "5-FU", "5-fu", "5fu"),
        _info(Agent.DOXORUBICIN, AgentClass.ANTHRACYCLINE_CHEMOTHERAPY, "doxorubicin"),
        _info(Agent.DACARBAZINE, AgentClass.ALKYLATING_CHEMOTHERAPY, "dacarbazine", "dtic"),
        _info(Agent.CISPLATIN, AgentClass.PLATINUM_CHEMOTHERAPY, "cisplatin"),
        _info(Agent.CARBOPLATIN, AgentClass.PLATINUM_CHEMOTHERAPY, "carboplatin"),
        _info(Agent.OXALIPLATIN, AgentClass.PLATINUM_CHEMOTHERAPY, "oxaliplatin"),
        _info(Agent.ETOPOSIDE, AgentClass.TOPOISOMERASE_INHIBITOR, "etoposide"),
        _info(Agent.IRINOTECAN, AgentClass.TOPOISOMERASE_INHIBITOR, "irinotecan"),
        _info(
            Agent.LU177_DOTATATE,
            AgentClass.RADIOLIGAND,
            "177Lu-DOTATATE",
            "177lu-dotatate",
            "lutathera",
            "lutetium oxodotreotide",
        ),
        _info(
            Agent.LU177_EDOTREOTIDE,
            AgentClass.RADIOLIGAND,
            "177Lu-edotreotide",
            "177lu-edotreotide",
            "177lu-dotatoc",
        ),
        _info(Agent.Y90_DOTATOC, AgentClass.RADIOLIGAND, "90Y-DOTATOC", "90y-dotatoc"),
        _info(Agent.Y90_DOTATATE, AgentClass.RADIOLIGAND, "90Y-DOTATATE", "90y-dotatate"),
        _info(Agent.INTERFERON_ALFA, AgentClass.INTERFERON, "interferon-alpha", "ifn-alpha"),
        _info(Agent.TELOTRISTAT, AgentClass.SUPPORTIVE, "telotristat ethyl"),
        _info(Agent.DIAZOXIDE, AgentClass.SUPPORTIVE, "diazoxide"),
        _info(Agent.PROTON_PUMP_INHIBITOR, AgentClass.SUPPORTIVE, "proton-pump inhibitor"),
    ]
)


def _normalise(name: str) -> str:
    return " ".join(name.strip().lower().replace("_", " ").split())


_BY_NAME: dict[str, Agent] = {}
for _agent, _agent_info in AGENTS.items():
    for _name in (_agent.value, _agent_info.label, *_agent_info.synonyms):
        _BY_NAME[_normalise(_name)] = _agent


def resolve_agent(name: str) -> Agent | None:
    """Return the agent a name (identifier, label or brand synonym) refers to, or ``None``.

    Parameters
    ----------
    name : str
        Any spelling netline knows, case- and underscore-insensitive (``"Lutathera"``,
        ``"177Lu-DOTATATE"``, ``"lu177_dotatate"``).
    """
    return _BY_NAME.get(_normalise(name))


def agent_info(agent: Agent | str) -> AgentInfo:
    """Return the fixed facts about an agent.

    Raises
    ------
    UnknownKeyError
        If the name is not an agent netline knows.
    """
    resolved = agent if isinstance(agent, Agent) else resolve_agent(agent)
    if resolved is None:
        from netline.errors import UnknownKeyError

        raise UnknownKeyError("agent", str(agent), [a.value for a in Agent])
    return AGENTS[resolved]


_MEDICATION_SYNONYMS: dict[str, MedicationDrug] = {
    "prilosec": MedicationDrug.OMEPRAZOLE,
    "nexium": MedicationDrug.ESOMEPRAZOLE,
    "protonix": MedicationDrug.PANTOPRAZOLE,
    "proglycem": MedicationDrug.DIAZOXIDE,
    "telotristat ethyl": MedicationDrug.TELOTRISTAT,
    "xermelo": MedicationDrug.TELOTRISTAT,
    "pancrelipase": MedicationDrug.PANCREATIC_ENZYMES,
    "creon": MedicationDrug.PANCREATIC_ENZYMES,
    "dextrose": MedicationDrug.GLUCOSE,
}


def resolve_medication(name: str) -> MedicationDrug | None:
    """Return the syndrome-control or supportive drug a name refers to, or ``None``."""
    key = _normalise(name)
    for drug in MedicationDrug:
        if _normalise(drug.value) == key:
            return drug
    return _MEDICATION_SYNONYMS.get(key)


from netline.records.vocabulary.labels import label  # noqa: E402  (re-exported)
