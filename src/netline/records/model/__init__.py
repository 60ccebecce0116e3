"""The clinical record of one patient's NET course (pydantic v2 models).

A :class:`CaseRecord` holds the patient, the primary tumour, the metastases found and a dated
timeline of events (surgery, local therapy, systemic therapy, other medications, imaging, labs,
adverse events and clinician-recorded disease status). Field-level rules (ranges, units, a stop
before its start, finite numbers) are checked by each model; rules that span events (nothing
after death, no duplicate event ids, follow-up after the last event) are checked once the whole
record is built, and every problem is reported together.

Build records from case files with :func:`netline.records.load_case`; building them in Python
with :meth:`CaseRecord.model_validate` applies the same rules.
"""

from netline.records.model._base import Identifier, LiverInvolvement, Millimetres, Percent
from netline.records.model.events import (
    Cycle,
    Dose,
    KnownAgent,
    KnownDrug,
    LocalTherapy,
    Medication,
    Surgery,
    SurgicalPathology,
    SystemicTherapy,
)
from netline.records.model.observations import (
    AdverseEvent,
    DiseaseStatus,
    Imaging,
    LabPanel,
    LabResult,
    Lesion,
)
from netline.records.model.patient import BodyMeasurement, Comorbidity, Patient, PerformanceStatus
from netline.records.model.record import (
    EVENT_TYPES,
    CaseRecord,
    Event,
    integrity_problems,
    involved_organs,
    involvement_changes,
    no_evidence_of_disease_since,
)
from netline.records.model.tumour import (
    Histology,
    Metastasis,
    MitoticCount,
    PrimaryTumour,
    RegionalNodes,
    ReportedGrade,
    VascularThrombus,
)

__all__ = [
    "EVENT_TYPES",
    "AdverseEvent",
    "BodyMeasurement",
    "CaseRecord",
    "Comorbidity",
    "Cycle",
    "DiseaseStatus",
    "Dose",
    "Event",
    "Histology",
    "Identifier",
    "Imaging",
    "KnownAgent",
    "KnownDrug",
    "LabPanel",
    "LabResult",
    "Lesion",
    "LiverInvolvement",
    "LocalTherapy",
    "Medication",
    "Metastasis",
    "Millimetres",
    "MitoticCount",
    "Patient",
    "Percent",
    "PerformanceStatus",
    "PrimaryTumour",
    "RegionalNodes",
    "ReportedGrade",
    "Surgery",
    "SurgicalPathology",
    "SystemicTherapy",
    "VascularThrombus",
    "integrity_problems",
    "involved_organs",
    "involvement_changes",
    "no_evidence_of_disease_since",
]
