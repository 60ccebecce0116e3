"""Plain-language labels of the vocabulary identifiers (one label function for all output)."""

from __future__ import annotations

from enum import StrEnum

from netline.records.vocabulary import AGENTS, Agent

__all__ = ["label"]


# Plain words for the identifiers people read in assess output; everything else reads as its
# identifier with spaces for underscores.
_LABELS: dict[str, str] = {
    "pancreas_head": "pancreatic head",
    "pancreas_uncinate": "uncinate process of the pancreas",
    "pancreas_neck": "pancreatic neck",
    "pancreas_body": "pancreatic body",
    "pancreas_tail": "pancreatic tail",
    "pancreas_unspecified": "pancreas (part not stated)",
    "jejunum_ileum": "jejunum or ileum",
    "unknown_primary": "unknown primary",
    "regional_lymph_node": "regional lymph nodes",
    "distant_lymph_node": "distant lymph nodes",
    "adrenal_gland": "adrenal gland",
    "peripancreatic_fat": "peripancreatic fat",
    "common_bile_duct": "common bile duct",
    "visceral_peritoneum": "visceral peritoneum",
    "coeliac_axis": "coeliac axis",
    "superior_mesenteric_artery": "superior mesenteric artery",
    "superior_mesenteric_vein": "superior mesenteric vein",
    "inferior_mesenteric_vein": "inferior mesenteric vein",
    "inferior_vena_cava": "inferior vena cava",
    "other_organ": "another organ",
    "pylorus_preserving_pancreatoduodenectomy": "pylorus-preserving pancreatoduodenectomy",
    "rfa": "radiofrequency ablation",
    "mwa": "microwave ablation",
    "tace": "transarterial chemoembolisation (TACE)",
    "bland_embolisation": "transarterial bland embolisation",
    "tare": "transarterial radioembolisation (TARE)",
    "external_beam_radiotherapy": "external-beam radiotherapy",
    "stereotactic_radiotherapy": "stereotactic radiotherapy",
    "ct": "CT",
    "mri": "MRI",
    "srs": "somatostatin receptor scintigraphy",
    "sstr_pet": "somatostatin receptor PET",
    "fdg_pet": "FDG PET",
    "men1": "MEN1",
    "vhl": "von Hippel-Lindau",
    "nf1": "neurofibromatosis type 1",
    "tsc": "tuberous sclerosis",
    "unknown": "not known",
    "no_evidence_of_disease": "no evidence of disease",
    "not_assessed": "not assessed",
    "ssa": "somatostatin analogue",
    "mtor_inhibitor": "mTOR inhibitor",
    "tki": "tyrosine kinase inhibitor",
    "alkylating_chemotherapy": "alkylating chemotherapy",
    "antimetabolite_chemotherapy": "antimetabolite chemotherapy",
    "anthracycline_chemotherapy": "anthracycline chemotherapy",
    "platinum_chemotherapy": "platinum chemotherapy",
    "topoisomerase_inhibitor": "topoisomerase inhibitor",
    "patient_choice": "patient choice",
    "syndrome_control": "syndrome control",
    "pancreatic_enzymes": "pancreatic enzymes",
    "local_recurrence": "local recurrence",
    "regional_node": "regional lymph node",
    "c_peptide": "C-peptide",
    "vip": "VIP",
    "chromogranin_a": "chromogranin A",
    "five_hiaa": "5-HIAA",
}


def label(value: StrEnum | str) -> str:
    """Return the plain-language label of a vocabulary identifier.

    ``label(PrimarySite.PANCREAS_HEAD)`` is ``"pancreatic head"``; identifiers without a
    special label read with spaces for underscores (``"partial_hepatectomy"`` →
    ``"partial hepatectomy"``). Agents read as their label (``"177Lu-DOTATATE"``).
    """
    key = str(value.value if isinstance(value, StrEnum) else value)
    if isinstance(value, Agent):
        return AGENTS[value].label
    return _LABELS.get(key, key.replace("_", " "))
