"""The evidence knowledge base: trials, guideline statements, profiles, cases, references.

Evidence is data, not code: everything lives in versioned YAML under ``netline/evidence/data``,
validated by a schema and by integrity rules. Every number carries a reference key and a
verification status (verified / recalled / uncertain), and disagreements between sources are
kept side by side and shown as conflicts.

Examples
--------
>>> from netline.evidence import format_quantity, load_knowledge_base
>>> kb = load_knowledge_base()
>>> trial = kb.trial("RADIANT-3")
>>> hr = trial.endpoint("pfs").hazard_ratio.estimate
>>> format_quantity(hr)
'0.35 (95 % CI 0.27–0.45) [verified]'
"""

from netline.evidence._format import format_quantity, status_tag
from netline.evidence.asof import EvidenceAsOf, StatementSourceView
from netline.evidence.cases import CaseSeriesSummary, CountRange, summarise_case_series
from netline.evidence.forest import forest_rows, write_forest_plot
from netline.evidence.loader import load_knowledge_base, read_knowledge_base_data
from netline.evidence.query import ConflictRecord, KnowledgeBase, SearchHit, site_groups
from netline.evidence.schema import (
    Condition,
    Criterion,
    Guideline,
    GuidelineStatement,
    Profile,
    PublishedCase,
    Quantity,
    Reference,
    StatementSource,
    Subgroup,
    Therapy,
    Trial,
    Verification,
)
from netline.evidence.validate import validate_knowledge_base

__all__ = [
    "CaseSeriesSummary",
    "Condition",
    "ConflictRecord",
    "CountRange",
    "Criterion",
    "EvidenceAsOf",
    "Guideline",
    "GuidelineStatement",
    "KnowledgeBase",
    "Profile",
    "PublishedCase",
    "Quantity",
    "Reference",
    "SearchHit",
    "StatementSource",
    "StatementSourceView",
    "Subgroup",
    "Therapy",
    "Trial",
    "Verification",
    "forest_rows",
    "format_quantity",
    "load_knowledge_base",
    "read_knowledge_base_data",
    "site_groups",
    "status_tag",
    "summarise_case_series",
    "validate_knowledge_base",
    "write_forest_plot",
]
