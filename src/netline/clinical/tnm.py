"""TNM staging of well-differentiated pancreatic NET (knowledge base section A2).

Three editions: AJCC 8th (2017), UICC 8th (2017) and ENETS 2006 (Rindi 2006). They differ in
three places that this module keeps apart: T1 is < 20 mm in AJCC 8 and ENETS but ≤ 20 mm in
UICC 8 (a 20 mm tumour is T2 in AJCC 8 and T1 in UICC 8); UICC 8 also counts perforation of
the visceral peritoneum as T4; ENETS has M0/M1 only and the stage groups I, IIA, IIB, IIIA,
IIIB, IV, where AJCC 8 splits M1 into a/b/c and has stage groups I-IV only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from netline.clinical._result import Finding
from netline.clinical._tnm_model import (
    _MAX_SIZE_MM,
    _REFERENCES,
    Basis,
    Edition,
    MCategory,
    NCategory,
    StageGroup,
    TCategory,
    TNMStage,
)
from netline.clinical._tnm_rules import (
    _m_finding,
    _n_finding,
    _n_from_counts,
    _stage_group,
    _t_finding,
)
from netline.clinical._validation import Checks
from netline.records.vocabulary import InvadedStructure, Organ

__all__ = [
    "Basis",
    "Edition",
    "MCategory",
    "NCategory",
    "StageGroup",
    "TCategory",
    "TNMStage",
    "m_category",
    "n_category",
    "stage_pnet",
    "t_category",
]


def t_category(
    size_mm: float | None,
    invaded: Iterable[InvadedStructure | str] = (),
    *,
    edition: Edition | str,
) -> Finding[TCategory]:
    """Return the T category of a pancreatic NET.

    * T4: invasion of an adjacent organ (stomach, spleen, colon, adrenal gland, other organ) or
      of the wall of a large vessel (coeliac axis, superior mesenteric artery); UICC 8 also
      counts perforation of the visceral peritoneum.
    * T3: invasion of the duodenum or common bile duct (any size), or size > 40 mm.
    * T2: size ≥ 20 mm (AJCC 8, ENETS) or > 20 mm (UICC 8), up to 40 mm.
    * T1: size < 20 mm (AJCC 8, ENETS) or ≤ 20 mm (UICC 8).
    * TX: size unknown and no invasion that decides the category.

    Extension into peripancreatic fat does not change T. Invasion of the superior mesenteric
    or portal vein is not a listed T4 criterion and does not change T either (a note says so).
    With several primaries, pass the size of the largest (see :func:`stage_pnet`).

    Parameters
    ----------
    size_mm : float or None
        Greatest dimension of the (largest) primary in mm; ``None`` if unknown.
    invaded : iterable of InvadedStructure or str, default ()
        Structures the primary invades.
    edition : Edition or str
        ``"AJCC 8"``, ``"UICC 8"`` or ``"ENETS 2006"``.

    Returns
    -------
    Finding[TCategory]
        The T category.

    Raises
    ------
    InvalidInputError
        For a size that is not in (0, 300] mm, an unknown structure or edition.

    References
    ----------
    AJCC Cancer Staging Manual, 8th ed. (2017), Neuroendocrine Tumors of the Pancreas [ajcc8];
    Brierley JD et al., TNM Classification of Malignant Tumours, 8th ed. (UICC 2017) [uicc8];
    Rindi G et al., Virchows Arch 2006;449:395-401 [rindi2006].
    """
    checks = Checks()
    size, structures = _check_t(checks, size_mm, invaded)
    ed = checks.member("edition", edition, Edition)
    checks.done()
    assert ed is not None
    return _t_finding(size, structures, ed)


def n_category(
    *,
    positive_nodes: int | None = None,
    examined_nodes: int | None = None,
    status: NCategory | str | None = None,
    edition: Edition | str,
) -> Finding[NCategory]:
    """Return the N category from node counts or an explicit status.

    Any positive node → N1. No positive node → N0 (if ``examined_nodes`` is 0, no node was
    assessed → NX). Nothing known → NX. An explicit ``status`` is used as given, and must agree
    with the counts when both are given.

    Parameters
    ----------
    positive_nodes : int, optional
        Number of regional nodes with metastasis.
    examined_nodes : int, optional
        Number of regional nodes examined.
    status : NCategory or str, optional
        ``"NX"``, ``"N0"`` or ``"N1"`` as recorded (e.g. clinical N from imaging).
    edition : Edition or str
        The edition (N is defined alike in all three).

    Returns
    -------
    Finding[NCategory]
        The N category.

    Raises
    ------
    InvalidInputError
        For negative counts, more positive than examined nodes, an unknown status or edition,
        or a status that contradicts the counts.

    References
    ----------
    AJCC Cancer Staging Manual, 8th ed. (2017) [ajcc8]; UICC TNM 8th ed. (2017) [uicc8];
    Rindi G et al., Virchows Arch 2006;449:395-401 [rindi2006].
    """
    checks = Checks()
    positive, examined, given = _check_n(
        checks, positive_nodes, examined_nodes, status, location="status"
    )
    ed = checks.member("edition", edition, Edition)
    checks.done()
    assert ed is not None
    return _n_finding(positive, examined, given, ed)


def m_category(
    distant_metastases: Iterable[Organ | str],
    *,
    edition: Edition | str,
) -> Finding[MCategory]:
    """Return the M category from the organs with distant metastases.

    No organ → M0. AJCC 8 and UICC 8: liver only → M1a; extrahepatic only (lung, bone,
    peritoneum, ovary, distant lymph nodes, ...) → M1b; both → M1c. ENETS 2006: M1.

    Parameters
    ----------
    distant_metastases : iterable of Organ or str
        Organs with distant metastases (empty for none). Regional lymph nodes and the pancreas
        are not distant sites and are rejected.
    edition : Edition or str
        ``"AJCC 8"``, ``"UICC 8"`` or ``"ENETS 2006"``.

    Returns
    -------
    Finding[MCategory]
        The M category.

    Raises
    ------
    InvalidInputError
        For an unknown organ or edition, or a site that is not distant.

    References
    ----------
    AJCC Cancer Staging Manual, 8th ed. (2017) [ajcc8]; UICC TNM 8th ed. (2017) [uicc8];
    Rindi G et al., Virchows Arch 2006;449:395-401 [rindi2006].
    """
    checks = Checks()
    organs = _check_m(checks, distant_metastases)
    ed = checks.member("edition", edition, Edition)
    checks.done()
    assert ed is not None
    return _m_finding(organs, ed)


def stage_pnet(
    *,
    size_mm: float | None,
    invaded: Iterable[InvadedStructure | str] = (),
    positive_nodes: int | None = None,
    examined_nodes: int | None = None,
    n_status: NCategory | str | None = None,
    distant_metastases: Iterable[Organ | str] = (),
    edition: Edition | str,
    basis: Basis | str,
    multiple: bool = False,
) -> Finding[TNMStage]:
    """Stage a well-differentiated pancreatic NET: T, N, M and the stage group.

    Stage groups, AJCC 8 (and UICC 8, see below): I = T1 N0 M0; II = T2-T3 N0 M0;
    III = T4 N0 M0 or any T N1 M0; IV = any M1. ENETS 2006: I = T1 N0 M0; IIA = T2 N0 M0;
    IIB = T3 N0 M0; IIIA = T4 N0 M0; IIIB = any T N1 M0; IV = any M1. With TX or NX the group is
    assigned only when every possible value of the unknown category gives the same group
    (e.g. any T N1 M0 is AJCC stage III); otherwise ``stage_group`` is ``None``.

    The UICC 8 stage groups are not in the knowledge base: they are taken to be the AJCC 8
    groups (the seed case report's UICC 8 "pT3N0M0 stage II" agrees) and every UICC 8 result is
    marked unverified.

    Parameters
    ----------
    size_mm : float or None
        Greatest dimension of the primary in mm (of the largest one if ``multiple``).
    invaded : iterable of InvadedStructure or str, default ()
        Structures the primary invades.
    positive_nodes, examined_nodes : int, optional
        Regional node counts (see :func:`n_category`).
    n_status : NCategory or str, optional
        Explicit N category, e.g. clinical N from imaging.
    distant_metastases : iterable of Organ or str, default ()
        Organs with distant metastases.
    edition : Edition or str
        ``"AJCC 8"``, ``"UICC 8"`` or ``"ENETS 2006"``.
    basis : Basis or str
        ``"p"`` (pathological) or ``"c"`` (clinical).
    multiple : bool, default False
        Multiple primary tumours: adds the ``(m)`` suffix to T.

    Returns
    -------
    Finding[TNMStage]
        The classification; ``inputs`` holds every input and the three categories.

    Raises
    ------
    InvalidInputError
        With every problem found in any of the inputs.

    References
    ----------
    AJCC Cancer Staging Manual, 8th ed. (2017) [ajcc8]; UICC TNM 8th ed. (2017) [uicc8];
    Rindi G et al., Virchows Arch 2006;449:395-401 [rindi2006].
    """
    checks = Checks()
    size, structures = _check_t(checks, size_mm, invaded)
    positive, examined, given = _check_n(
        checks, positive_nodes, examined_nodes, n_status, location="n_status"
    )
    organs = _check_m(checks, distant_metastases)
    ed = checks.member("edition", edition, Edition)
    resolved_basis = checks.member("basis", basis, Basis)
    if not isinstance(multiple, bool):
        checks.add("multiple", multiple, "True or False")
    checks.done()
    assert ed is not None
    assert resolved_basis is not None

    t = _t_finding(size, structures, ed)
    n = _n_finding(positive, examined, given, ed)
    m = _m_finding(organs, ed)
    group, group_reason = _stage_group(t.value, n.value, m.value, ed)

    verified, notes = _stage_notes(t, n, m, ed, multiple=multiple)

    stage = TNMStage(
        t=t.value,
        n=n.value,
        m=m.value,
        basis=resolved_basis,
        stage_group=group,
        multiple=multiple,
        edition=ed,
    )
    inputs: dict[str, object] = {**t.inputs, **n.inputs, **m.inputs}
    inputs.update(basis=resolved_basis, multiple=multiple, t=t.value, n=n.value, m=m.value)
    return Finding(
        value=stage,
        rule="TNM (pancreatic NET)",
        edition=ed.value,
        inputs=inputs,
        reason=f"{t.reason}; {n.reason}; {m.reason}; {group_reason}",
        references=_REFERENCES[ed],
        verified=verified,
        notes=tuple(notes),
    )


def _stage_notes(
    t: Finding[TCategory],
    n: Finding[NCategory],
    m: Finding[MCategory],
    ed: Edition,
    *,
    multiple: bool,
) -> tuple[bool, list[str]]:
    """Collect the notes of the three categories and the staging caveats."""
    notes: list[str] = []
    for finding in (t, n, m):
        notes.extend(note for note in finding.notes if note not in notes)
    verified = t.verified and n.verified and m.verified
    if ed is Edition.UICC_8:
        verified = False
        notes.append(
            "UICC 8 stage groups are not in the knowledge base; the AJCC 8 grouping is used "
            "(consistent with the seed case report: UICC 8 pT3N0M0 = stage II). Unverified."
        )
    if multiple:
        verified = False
        notes.append(
            "Multiple primaries: the largest tumour is staged and '(m)' is added to T "
            "(recalled convention, not checked against the manual)."
        )
    notes.append(
        "For well-differentiated NET; NEC and MiNEN are staged with the exocrine pancreas system."
    )

    return verified, notes


# --------------------------------------------------------------------------- checks


def _check_t(
    checks: Checks,
    size_mm: object,
    invaded: Iterable[object],
) -> tuple[float | None, frozenset[InvadedStructure]]:
    size = checks.optional_number(
        "size_mm",
        size_mm,
        low=0,
        high=_MAX_SIZE_MM,
        low_open=True,
        expected=f"a size in mm, 0 < size ≤ {_MAX_SIZE_MM:g}",
    )
    structures = _members(checks, "invaded", invaded, InvadedStructure)
    return size, structures


def _check_n(
    checks: Checks,
    positive_nodes: object,
    examined_nodes: object,
    status: object,
    *,
    location: str,
) -> tuple[int | None, int | None, NCategory | None]:
    positive = examined = None
    if positive_nodes is not None:
        positive = checks.integer(
            "positive_nodes", positive_nodes, low=0, expected="a whole number ≥ 0"
        )
    if examined_nodes is not None:
        examined = checks.integer(
            "examined_nodes", examined_nodes, low=0, expected="a whole number ≥ 0"
        )
    if positive is not None and examined is not None and 0 <= examined < positive:
        checks.add("positive_nodes", positive, f"at most the {examined} nodes examined")
    given = None if status is None else checks.member(location, status, NCategory)
    if given is not None and positive is not None and positive >= 0:
        derived = _n_from_counts(positive, examined)[0]
        if derived is not given and derived is not NCategory.NX:
            checks.add(
                location, status, f"{derived.value}, as the node counts give, or no status at all"
            )
    return positive, examined, given


def _check_m(checks: Checks, distant_metastases: Iterable[object]) -> frozenset[Organ]:
    organs = _members(checks, "distant_metastases", distant_metastases, Organ)
    for organ in sorted(organs):
        if not organ.is_distant:
            checks.add(
                "distant_metastases",
                organ.value,
                "a distant site (regional lymph nodes belong to N; the pancreas is the primary)",
            )
    return organs


_E = TypeVar("_E", InvadedStructure, Organ)


def _members(
    checks: Checks, location: str, values: Iterable[object], enum: type[_E]
) -> frozenset[_E]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        checks.add(location, values, f"a collection of {enum.__name__} values")
        return frozenset()
    found: set[_E] = set()
    for value in values:
        member = checks.member(location, value, enum)
        if member is not None:
            found.add(member)
    return frozenset(found)
