"""Line-of-therapy rules: one configuration object with documented, tested defaults.

The rules follow the published rule-based line-of-therapy algorithms (a regimen window, a gap
rule, advancement on a new agent; Hess et al. 2021, Meng et al. 2019) and add what a pNET
course needs: a somatostatin analogue (SSA) carried as a backbone into the next line, PRRT
given in cycles, and advancement on documented progression (as in Onconova). ``docs/course.md``
explains every rule with an example; ``tests/course/test_rules_table.py`` holds one hand-built
history per rule.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AssessmentSource", "ClassSwitch", "LineRules", "ProcedureKind"]

ProcedureKind = Literal["surgery", "local_therapy"]
AssessmentSource = Literal["recist", "recorded", "clinician", "stop_reason"]
ClassSwitch = Literal["never", "claims_only", "always"]

_DEFAULT_SOURCES: frozenset[AssessmentSource] = frozenset({"recist", "recorded", "clinician"})


class LineRules(BaseModel):
    """How therapy episodes become lines of therapy, and how outcomes are measured.

    Every threshold is in days. The defaults are the ones netline is tested with; a registry
    study should report the rules it used (:meth:`to_dict`).

    Parameters
    ----------
    regimen_window_days : int
        Agents started within this many days of a line's first agent belong to its regimen
        (combinations such as capecitabine + temozolomide), default 28 (Hess et al. 2021;
        Meng et al. 2019).
    restart_gap_days : int
        A therapy started more than this many days after every earlier therapy stopped opens a
        new line, even when it is the same agent; episodes of one agent separated by no more
        than this are one continuous course. Default 90: three missed monthly SSA injections
        (published rules use 60-180 days by tumour type, Hess et al. 2021).
    prrt_max_interval_days : int
        Radioligand (PRRT) cycles given no more than this many days apart are one course and
        one line; a later radioligand is a retreatment. Default 168: the planned 8-week
        interval plus the longest dose delay (16 weeks) after which the label stops treatment
        (Lutathera prescribing information, section 2.4).
    procedures_as_lines : frozenset of {"surgery", "local_therapy"}
        Kinds of procedure counted as lines of their own (each opens a line, and the next
        systemic therapy opens another). Default: none; procedures are timeline events and
        limit the response window.
    assessment_sources : frozenset of str
        Which assessments count, for progression and response: ``"recist"`` (time-point
        responses computed from lesion measurements with RECIST 1.1), ``"recorded"`` (a
        response written in an imaging report), ``"clinician"`` (clinician-recorded disease
        status) and, opt-in, ``"stop_reason"`` (a therapy stopped for progression, dated at
        its stop). May be empty: claims-only data (drug exposures without response
        assessments, e.g. OMOP ``drug_exposure``); then no line ends in progression and PFS
        is censored (see ``class_switch_opens_line``).
    class_switch_opens_line : {"claims_only", "never", "always"}
        Whether a switch to another agent of the same class (lanreotide to octreotide,
        sunitinib to cabozantinib, CAPTEM to streptozocin/5-FU) opens a new line when it
        starts after the regimen window, like a new class. Such switches are usually made at
        progression, which claims data cannot show. ``"claims_only"`` (default): only when
        ``assessment_sources`` is empty; ``"never"``; ``"always"``.
    next_therapy_procedures : frozenset of {"surgery", "local_therapy"}
        Procedures that count as the next anticancer therapy: the first one after a line's
        start censors its PFS (with ``pfs_censor_at_next_line``) and ends its time to next
        treatment. Default both, as new anticancer therapy in FDA guidance (2018).
    sd_min_days : int
        Stable disease (and non-CR/non-PD, clinician "stable" or "mixed") counts as the best
        response only when assessed at least this many days after the line start, otherwise
        it is not evaluable. Default 42, the usual protocol minimum of 6 weeks (RECIST 1.1,
        Eisenhauer et al. 2009).
    end_grace_days : int
        Progression found up to this many days after a line's last dose still ends that line
        as "progression" (scans are often read after the last dose). Default 30.
    pfs_censor_at_next_line : bool
        Censor progression-free survival at the start of the next anticancer therapy (the
        next line, or a procedure of ``next_therapy_procedures``; at the last assessment on or
        before it) instead of following the patient through later lines. Default ``True``, as
        for new anticancer therapy in FDA guidance on clinical trial endpoints (2018).
    pfs_censor_date : {"last_assessment", "last_follow_up"}
        Without an event, PFS is censored at the last assessment (default; RECIST practice)
        or at the end of follow-up (or the next line start).
    response_window_ends_at_procedure : bool
        The best response of a line is read from its start until progression, the next line,
        and (default ``True``) the first surgery or local therapy after its start, since a
        resection changes what imaging can show.

    References
    ----------
    .. [1] Hess LM et al. Line-of-therapy rules by tumour type. Future Oncol
       2021;17(15):1865-1877. doi:10.2217/fon-2020-1041.
    .. [2] Meng W et al. A rule-based line-of-therapy algorithm (Merck). J Biomed Inform
       2019. PMID 31689549.
    .. [3] Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised
       RECIST guideline (version 1.1). Eur J Cancer 2009;45:228-247.
    .. [4] US FDA. Clinical trial endpoints for the approval of cancer drugs and biologics.
       Guidance for industry, 2018.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    regimen_window_days: int = Field(default=28, ge=0, le=365)
    restart_gap_days: int = Field(default=90, ge=1, le=3650)
    prrt_max_interval_days: int = Field(default=168, ge=1, le=3650)
    procedures_as_lines: frozenset[ProcedureKind] = frozenset()
    assessment_sources: frozenset[AssessmentSource] = _DEFAULT_SOURCES
    class_switch_opens_line: ClassSwitch = "claims_only"
    next_therapy_procedures: frozenset[ProcedureKind] = frozenset({"surgery", "local_therapy"})
    sd_min_days: int = Field(default=42, ge=0, le=365)
    end_grace_days: int = Field(default=30, ge=0, le=365)
    pfs_censor_at_next_line: bool = True
    pfs_censor_date: Literal["last_assessment", "last_follow_up"] = "last_assessment"
    response_window_ends_at_procedure: bool = True

    def to_dict(self) -> dict[str, object]:
        """Return the rules as a JSON-ready dictionary (sets become sorted lists)."""
        out: dict[str, object] = {}
        for name, value in self.model_dump().items():
            out[name] = sorted(value) if isinstance(value, frozenset | set) else value
        return out

    @property
    def switch_within_class_opens_line(self) -> bool:
        """Whether, under these rules, a switch of agent within a class may open a line."""
        if self.class_switch_opens_line == "claims_only":
            return not self.assessment_sources
        return self.class_switch_opens_line == "always"

    def describe_pfs(self) -> str:
        """Say in one line how progression-free survival is measured under these rules."""
        sources = ", ".join(sorted(self.assessment_sources)) or "no assessment source"
        censor = (
            "the last assessment" if self.pfs_censor_date == "last_assessment" else "follow-up end"
        )
        therapies = ["the next line", *sorted(self.next_therapy_procedures)]
        bound = f" before {' or '.join(therapies)}" if self.pfs_censor_at_next_line else ""
        return (
            f"event: first progression after line start ({sources}) or death; "
            f"otherwise censored at {censor}{bound}"
        )
