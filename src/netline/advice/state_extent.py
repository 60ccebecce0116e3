"""Reading grade, SSTR status and the extent of disease from the record cut at a date."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

from netline._time import DAYS_PER_MONTH
from netline.advice._kb import KBIndex
from netline.advice._points import count_words
from netline.advice.resection import ResectionHistory, resection_history
from netline.advice.state_types import (
    _BAND_BURDEN,
    _BANDS,
    _EXTRA_ABDOMINAL,
    _GRADE_RANK,
    _LOCOREGIONAL,
    _MEASURING,
    _SSTR_MODALITIES,
    _UNCERTAIN_LOCATION,
    _WHO_TO_GRADE,
    SpecimenKi67,
    Unknown,
)
from netline.clinical import grade_histology, krenning_score
from netline.errors import InsufficientDataError
from netline.evidence.facts import PatientFacts
from netline.evidence.schema import Burden, Grade
from netline.records.model import (
    CaseRecord,
    Imaging,
    Surgery,
)
from netline.records.vocabulary import (
    Differentiation,
    ImagingModality,
    Organ,
)

# --------------------------------------------------------------------------- building the state


class _Builder:
    def __init__(self, record: CaseRecord, at: dt.date, index: KBIndex) -> None:
        self.record = record
        self.at = at
        self.index = index
        self.unknowns: list[Unknown] = []
        self.notes: list[str] = []
        self.facts: dict[str, object] = {}
        self.alternatives: dict[str, tuple[object, ...]] = {}
        self._history: ResectionHistory | None = None

    @property
    def history(self) -> ResectionHistory:
        """The periods without evidence of disease in the view (worked out once)."""
        if self._history is None:
            self._history = resection_history(self.record)
        return self._history

    def missing(self, item: str, affects: str) -> None:
        self.unknowns.append(Unknown(item, affects))


def _months(start: dt.date, end: dt.date) -> float:
    return (end - start).days / DAYS_PER_MONTH


def _grading(b: _Builder) -> dict[str, Any]:
    graded: list[tuple[Grade, float | None, dt.date | None, SpecimenKi67]] = []
    differentiations: set[Differentiation] = set()
    for histology, when in b.record.specimens:
        differentiations.add(histology.differentiation)
        try:
            _, finding = grade_histology(histology)
        except InsufficientDataError:
            continue
        specimen_grade = _WHO_TO_GRADE[finding.value]
        graded.append(
            (
                specimen_grade,
                histology.ki67_percent,
                when,
                SpecimenKi67(
                    histology.specimen,
                    when,
                    histology.ki67_percent,
                    finding.value.value,
                    finding.reason,
                ),
            )
        )
    if Differentiation.POORLY in differentiations:
        differentiation: Differentiation | None = Differentiation.POORLY
    elif Differentiation.WELL in differentiations:
        differentiation = Differentiation.WELL
    else:
        differentiation = None
    grade: Grade | None = None
    ki67: float | None = None
    source: str | None = None
    if graded:
        best = max(
            graded,
            key=lambda g: (
                _GRADE_RANK[g[0]],
                g[1] if g[1] is not None else -1.0,
                g[2] or dt.date.min,
            ),
        )
        grade = best[0]
        with_ki67 = [g for g in graded if g[1] is not None]
        if with_ki67:
            top = max(with_ki67, key=lambda g: (g[1] or 0.0, g[2] or dt.date.min))
            ki67 = top[1]
            source = f"{top[3].specimen}" + (f", {top[2].isoformat()}" if top[2] else "")
            if len({g[1] for g in with_ki67}) > 1:
                b.notes.append(
                    "Ki-67 differs between specimens ("
                    + ", ".join(
                        f"{str(g[3].specimen).replace('_', ' ')} {g[1]:g} %"
                        for g in with_ki67
                        if g[1] is not None
                    )
                    + "): the highest is used."
                )
    if differentiation is None:
        b.missing("differentiation", "NET versus NEC, and every grade-based statement")
    if grade is None:
        b.missing("grade (Ki-67 or mitotic count)", "grade-based statements and entry criteria")
    if ki67 is None:
        b.missing("Ki-67 index", "Ki-67 thresholds (10 %, 20 %, 55 %) of statements and profiles")
    b.facts.update(differentiation=differentiation, grade=grade, ki67=ki67)
    return {
        "differentiation": None if differentiation is None else differentiation.value,
        "grade": None if grade is None else grade.value,
        "ki67_percent": ki67,
        "ki67_source": source,
        "specimens": tuple(g[3] for g in graded),
    }


def _sstr(b: _Builder) -> dict[str, Any]:
    threshold = b.index.sstr_threshold
    scans = [
        s
        for s in b.record.of_type(Imaging)
        if s.modality in _SSTR_MODALITIES
        and (s.sstr_uptake_score is not None or any(x.sstr_uptake is not None for x in s.lesions))
    ]
    score: int | None = None
    modality = description = None
    when: dt.date | None = None
    positive: bool | None = None
    all_lesions: bool | None = None
    uptake_by_lesion: dict[str, int] = {}
    for scan in b.record.of_type(Imaging):
        for lesion in scan.lesions:
            if lesion.sstr_uptake is not None:
                uptake_by_lesion[lesion.id] = lesion.sstr_uptake
    if scans:
        latest = scans[-1]
        lesion_scores = [x.sstr_uptake for x in latest.lesions if x.sstr_uptake is not None]
        score = (
            latest.sstr_uptake_score
            if latest.sstr_uptake_score is not None
            else max(s for s in lesion_scores if s is not None)
        )
        modality = latest.modality.value
        when = latest.date
        description = str(krenning_score(score, latest.modality).value)
        positive = score >= threshold
        if lesion_scores:
            all_lesions = all(s is not None and s >= threshold for s in lesion_scores)
        elif not positive:
            all_lesions = False
        age = _months(latest.date, b.at)
        if age >= 12:
            b.notes.append(
                f"The latest SSTR imaging is from {latest.date.isoformat()} "
                f"({age:.0f} months before the decision)."
            )
    else:
        b.missing(
            "SSTR imaging (SRS or SSTR-PET)",
            "SSTR status: SSA and PRRT rationale, PRRT eligibility (uptake at least liver)",
        )
    if scans and all_lesions is None:
        b.missing(
            "SSTR uptake per lesion",
            "PRRT eligibility: uptake at least liver in all target lesions",
        )
    fdg_scans = [s for s in b.record.of_type(Imaging) if s.modality is ImagingModality.FDG_PET]
    discordant: bool | None = None
    for scan in b.record.of_type(Imaging):
        for lesion in scan.lesions:
            if (
                lesion.fdg_avid
                and lesion.sstr_uptake is not None
                and lesion.sstr_uptake < threshold
            ):
                discordant = True
    if discordant is None and fdg_scans:
        avid = [x for s in fdg_scans for x in s.lesions if x.fdg_avid]
        uptakes = [uptake_by_lesion.get(x.id, x.sstr_uptake) for x in avid]
        if any(u is not None and u < threshold for u in uptakes):
            discordant = True
        elif all(u is not None for u in uptakes):
            discordant = False
    if discordant is None:
        b.missing(
            "FDG-PET" if not fdg_scans else "SSTR uptake of the FDG-positive lesions",
            "FDG-positive/SSTR-negative lesions, which make PRRT unsuitable",
        )
    b.facts.update(
        krenning_score=score,
        sstr_positive=positive,
        sstr_uptake_all_lesions=all_lesions,
        fdg_sstr_discordant=discordant,
    )
    return {
        "krenning_score": score,
        "sstr_modality": modality,
        "sstr_date": when,
        "sstr_description": description,
        "sstr_positive": positive,
        "sstr_uptake_all_lesions": all_lesions,
        "fdg_pet_done": bool(fdg_scans),
        "fdg_sstr_discordant": discordant,
    }


def _site_history(
    record: CaseRecord, scans: list[Imaging]
) -> tuple[dict[Organ, dt.date], list[dt.date]]:
    """Date each organ was first involved and the dates new distant sites appeared."""
    first_seen: dict[Organ, dt.date] = {}
    for met in record.metastases:
        first_seen[met.organ] = min(first_seen.get(met.organ, met.found), met.found)
    new_site_dates: list[dt.date] = []
    previous: set[Organ] | None = None
    for scan in scans:
        organs = set(scan.organs_involved)
        for organ in organs:
            if organ not in first_seen or scan.date < first_seen[organ]:
                first_seen[organ] = scan.date
        extra_now = {o for o in organs if o not in _LOCOREGIONAL}
        if previous is not None and extra_now - previous:
            new_site_dates.append(scan.date)
        previous = extra_now | (previous or set())
    return first_seen, new_site_dates


def _current_organs(
    b: _Builder, scans: list[Imaging], cleared: Any, primary_resected: bool
) -> tuple[set[Organ], dt.date | None]:
    """Organs involved now and the date that picture rests on."""
    record = b.record
    current: set[Organ]
    basis_date: dt.date | None
    if cleared is not None:
        current = set()
        basis_date = cleared.start
        b.notes.append("No evidence of disease: " + cleared.reason + ".")
    elif scans:
        current = set(scans[-1].organs_involved)
        basis_date = scans[-1].date
    else:
        current = {m.organ for m in record.metastases}
        basis_date = None
        if not primary_resected:
            current.add(Organ.PANCREAS)
    return current, basis_date


def _lesion_counts(
    record: CaseRecord, current: set[Organ]
) -> tuple[int | None, int | None, dt.date | None]:
    """Liver and total distant lesion counts now, and the date of the latest count used.

    A count is the latest ``lesion_count`` recorded for an organ, unless the organ was operated
    on after it was counted. The total is ``None`` unless every involved distant organ has a
    count (regional nodes and the pancreas are not counted).
    """
    operated: dict[Organ, dt.date] = {}
    for surgery in record.of_type(Surgery):
        for organ in surgery.organs:
            operated[organ] = max(operated.get(organ, surgery.date), surgery.date)
    counts: dict[Organ, tuple[dt.date, int]] = {}
    for met in record.metastases:
        if met.lesion_count is None:
            continue
        cut = operated.get(met.organ)
        if cut is not None and met.found <= cut:
            continue
        previous = counts.get(met.organ)
        if previous is None or met.found >= previous[0]:
            counts[met.organ] = (met.found, met.lesion_count)
    distant = sorted(o for o in current if o not in (Organ.PANCREAS, Organ.REGIONAL_LYMPH_NODE))
    used = [counts[o] for o in distant if o in counts]
    liver = counts.get(Organ.LIVER) if Organ.LIVER in current else None
    total = sum(n for _, n in used) if distant and len(used) == len(distant) else None
    latest = max((d for d, _ in used), default=None)
    return (None if liver is None else liver[1]), total, latest


_NEXT_BURDEN = {Burden.LOW: Burden.MODERATE, Burden.MODERATE: Burden.HIGH}


def _burden_from_count(b: _Builder, current: set[Organ]) -> Burden | None:
    """Read a burden category from lesion counts by the knowledge base's rules, if any hold."""
    liver, total, when = _lesion_counts(b.record, current)
    b.facts.update(liver_lesions=liver, metastasis_count=total)
    profile = b.index.burden
    if profile is None or (liver is None and total is None):
        return None
    facts = PatientFacts(liver_lesions=liver, metastasis_count=total)
    rule = next((r for r in profile.decision_rules if r.evaluate(facts) is True), None)
    if rule is None:
        return None
    burden = Burden(rule.outcome)
    if burden in _NEXT_BURDEN:
        b.alternatives["tumour_burden"] = (_NEXT_BURDEN[burden],)
    counted = (
        count_words(liver, "liver metastasis", "liver metastases") if liver is not None else ""
    ) + (
        f"{', ' if liver is not None else ''}"
        + count_words(total, "distant lesion", "distant lesions")
        + " in all"
        if total is not None and total != liver
        else ""
    )
    b.notes.append(
        f"Tumour burden read as {burden.value} from the count ({counted}, recorded "
        f"{when.isoformat() if when else 'undated'}): {rule.label} [{rule.ref}, "
        f"{rule.status.value}]. Reading it as a burden category is netline's, not the "
        "source's; a count is not a share of the liver, so a higher burden stays possible."
    )
    return burden


def _hepatic_burden(
    b: _Builder, cleared: Any, current: set[Organ], liver: bool
) -> tuple[Any, dt.date | None, Burden | None]:
    """Record hepatic and overall tumour burden; return band, its date and burden."""
    band_scans = [
        s
        for s in b.record.of_type(Imaging)
        if s.liver_involvement is not None and (cleared is None or s.date > cleared.start)
    ]
    band = band_scans[-1].liver_involvement if band_scans and liver else None
    band_date = band_scans[-1].date if band_scans else None
    burden: Burden | None = None
    if band is not None:
        value, edges = _BANDS[band]
        b.facts["hepatic_burden"] = value
        b.alternatives["hepatic_burden"] = edges
        burden, other = _BAND_BURDEN[band]
        if other:
            b.alternatives["tumour_burden"] = other
    elif liver:
        burden = _burden_from_count(b, current)
        b.missing(
            "hepatic tumour burden (share of liver involved)",
            "percent-based statements (> 50 % hepatic involvement), Milan-NET"
            if burden is not None
            else "burden-based statements (low burden, > 50 % hepatic involvement), Milan-NET",
        )
    elif cleared is not None:
        b.facts["hepatic_burden"] = 0.0
    elif current == {Organ.PANCREAS}:
        # the burden categories of the statements (low / moderate / high) describe metastatic
        # disease; a primary in place without distant disease is not read as "low burden"
        b.facts["hepatic_burden"] = 0.0
        b.notes.append(
            "Tumour burden not read as a category: no distant metastasis, and the low, "
            "moderate and high burden of the guideline statements describe metastatic disease "
            "(the size and vessels of the primary are in the setting)"
        )
    elif not current - {Organ.PANCREAS}:
        burden = Burden.LOW
        b.facts["hepatic_burden"] = 0.0
    else:
        b.facts["hepatic_burden"] = 0.0
        burden = _burden_from_count(b, current)
        if burden is None:
            b.missing("extrahepatic tumour burden", "burden-based statements")
    if burden is not None:
        b.facts["tumour_burden"] = burden
    return band, band_date, burden


def _location_facts(b: _Builder, current: set[Organ], primary_resected: bool) -> None:
    """Record extra-abdominal, peritoneal, nodal and primary-resection facts."""
    organs_set = set(current)
    extra_abdominal: bool | None
    if organs_set & _EXTRA_ABDOMINAL:
        extra_abdominal = True
    elif organs_set & _UNCERTAIN_LOCATION:
        extra_abdominal = None
        b.missing(
            "location of the distant nodal or other metastases",
            "whether disease is extra-abdominal (liver-surgery criteria)",
        )
    else:
        extra_abdominal = False
    nodes = {Organ.REGIONAL_LYMPH_NODE, Organ.DISTANT_LYMPH_NODE} & organs_set
    b.facts.update(
        extra_abdominal_metastases=extra_abdominal,
        diffuse_peritoneal_carcinomatosis=None if Organ.PERITONEUM in organs_set else False,
        unresectable_nodal_disease=None if nodes else False,
        primary_resected=primary_resected,
        primary_resected_or_resectable=True if primary_resected else None,
    )


def _extrahepatic_stability(
    b: _Builder,
    extra: Sequence[Organ],
    since: dict[str, dt.date],
    new_site_dates: list[dt.date],
    basis_date: dt.date | None,
) -> tuple[bool | None, str]:
    """Judge whether distant extrahepatic disease is stable, with the basis for it."""
    # extrahepatic stability: organ-level (no new extrahepatic site) unless lesions measured
    measured_growth = _extrahepatic_lesion_growth(b.record)
    stable: bool | None
    distant_extra = [o for o in extra if o not in _LOCOREGIONAL]
    if not distant_extra:
        stable = None
        basis = "no distant extrahepatic disease"
    elif measured_growth:
        stable = False
        basis = "extrahepatic lesion new or growing on measured scans"
    elif new_site_dates and new_site_dates[-1] == (basis_date or b.at):
        stable = False
        basis = f"new extrahepatic site on {new_site_dates[-1].isoformat()}"
    else:
        distant_since = [v for k, v in since.items() if Organ(k) not in _LOCOREGIONAL]
        earliest = min(distant_since) if distant_since else None
        last_new = new_site_dates[-1] if new_site_dates else earliest
        basis = (
            "organ-level imaging: no new extrahepatic site"
            + (f" since {last_new.isoformat()}" if last_new else "")
            + "; growth of the known extrahepatic lesions is not measured in the record"
        )
        stable = True
    return stable, basis


def _extent(b: _Builder) -> dict[str, Any]:
    """Work out the current extent of disease, recording facts and gaps on ``b``."""
    record = b.record
    scans = [s for s in record.of_type(Imaging) if s.organs_involved]
    first_seen, new_site_dates = _site_history(record, scans)
    primary_resected = any(
        Organ.PANCREAS in s.organs and s.intent.value != "diagnostic"
        for s in record.of_type(Surgery)
    )
    cleared = b.history.ned
    current, basis_date = _current_organs(b, scans, cleared, primary_resected)
    liver = Organ.LIVER in current
    extra = sorted(o for o in current if o not in (Organ.LIVER, Organ.PANCREAS))
    primary_in_place = Organ.PANCREAS in current or (not primary_resected and not scans)
    if not scans and cleared is None:
        b.missing(
            "imaging with the organs involved",
            "current extent of disease (taken from the metastases recorded instead)",
        )
    band, band_date, burden = _hepatic_burden(b, cleared, current, liver)
    _location_facts(b, current, primary_resected)
    since = {o.value: first_seen[o] for o in extra if o in first_seen}
    stable, basis = _extrahepatic_stability(b, extra, since, new_site_dates, basis_date)
    b.facts["primary_portal_drainage"] = True if b.record.primary.site.is_pancreatic else None
    return {
        "liver_involvement": band,
        "liver_involvement_date": band_date,
        "organs": tuple(sorted(o.value for o in current)),
        "liver_metastases": liver,
        "extrahepatic_sites": tuple(o.value for o in extra),
        "extrahepatic_since": MappingProxyType(since),
        "extrahepatic_stable_organ_level": stable,
        "extrahepatic_basis": basis,
        "primary_in_place": primary_in_place,
        "primary_resected": primary_resected,
        "new_site_on": (
            new_site_dates[-1]
            if new_site_dates and new_site_dates[-1] == (basis_date or b.at)
            else None
        ),
        "tumour_burden": None if burden is None else burden.value,
    }


def _extrahepatic_lesion_growth(record: CaseRecord) -> bool:
    sizes: dict[str, float] = {}
    for scan in record.of_type(Imaging):
        if scan.modality not in _MEASURING:
            continue
        for lesion in scan.lesions:
            if lesion.organ in (Organ.LIVER, Organ.PANCREAS):
                continue
            if lesion.new:
                return True
            if lesion.diameter_mm is None:
                continue
            before = sizes.get(lesion.id)
            # growth by the RECIST 1.1 progression fraction (20 %) of one lesion
            if before is not None and before > 0 and (lesion.diameter_mm - before) >= 0.2 * before:
                return True
            sizes[lesion.id] = lesion.diameter_mm
    return False


def _growth_rate(record: CaseRecord) -> tuple[float | None, str | None]:
    """Tumour growth rate (% per month) between the last two measured CT/MRI scans."""
    measured = [
        s
        for s in record.of_type(Imaging)
        if s.modality in _MEASURING and any(x.diameter_mm is not None for x in s.lesions)
    ]
    if len(measured) < 2:
        return None, None
    first, second = measured[-2], measured[-1]
    a = {x.id: x.diameter_mm for x in first.lesions if x.diameter_mm is not None}
    c = {x.id: x.diameter_mm for x in second.lesions if x.diameter_mm is not None}
    shared = sorted(set(a) & set(c))
    d1 = sum(a[i] or 0.0 for i in shared)
    d2 = sum(c[i] or 0.0 for i in shared)
    months = _months(first.date, second.date)
    if not shared or d1 <= 0 or d2 <= 0 or months <= 0:
        return None, None
    rate = 100.0 * (math.exp(3.0 * math.log(d2 / d1) / months) - 1.0)
    basis = (
        f"sum of diameters {d1:g} → {d2:g} mm over {len(shared)} lesion(s), "
        f"{first.date.isoformat()} to {second.date.isoformat()} ({months:.1f} months); "
        "TGR = 100 × (exp(3 × ln(D2/D1) / Δt) − 1), volume-based, % per month"
    )
    return rate, basis
