"""TNM staging of pancreatic NET in AJCC 8, UICC 8 and ENETS 2006 (knowledge base A2)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netline.clinical.tnm import (
    Basis,
    Edition,
    MCategory,
    NCategory,
    StageGroup,
    TCategory,
    m_category,
    n_category,
    stage_pnet,
    t_category,
)
from netline.errors import InvalidInputError
from netline.records.vocabulary import InvadedStructure as S
from netline.records.vocabulary import Organ

AJCC, UICC, ENETS = Edition.AJCC_8, Edition.UICC_8, Edition.ENETS_2006


def locations(error: InvalidInputError) -> dict[str, object]:
    return {p.location: p.value for p in error.problems}


# --------------------------------------------------------------------------- T


@pytest.mark.parametrize(
    ("size", "ajcc", "uicc"),
    [
        (5.0, TCategory.T1, TCategory.T1),
        (19.9, TCategory.T1, TCategory.T1),
        (20.0, TCategory.T2, TCategory.T1),  # "< 2 cm" vs "2 cm or less"
        (20.1, TCategory.T2, TCategory.T2),
        (40.0, TCategory.T2, TCategory.T2),
        (40.1, TCategory.T3, TCategory.T3),
        (120.0, TCategory.T3, TCategory.T3),
    ],
)
def test_t_by_size(size: float, ajcc: TCategory, uicc: TCategory) -> None:
    assert t_category(size, edition=AJCC).value is ajcc
    assert t_category(size, edition=ENETS).value is ajcc  # ENETS wording = AJCC
    assert t_category(size, edition=UICC).value is uicc


@pytest.mark.parametrize(
    ("size", "invaded", "edition", "expected"),
    [
        (10.0, [S.DUODENUM], AJCC, TCategory.T3),
        (10.0, [S.COMMON_BILE_DUCT], UICC, TCategory.T3),
        (None, [S.DUODENUM], ENETS, TCategory.T3),
        (10.0, [S.STOMACH], AJCC, TCategory.T4),
        (10.0, [S.SPLEEN], ENETS, TCategory.T4),
        (10.0, [S.COLON], UICC, TCategory.T4),
        (10.0, [S.ADRENAL_GLAND], AJCC, TCategory.T4),
        (10.0, [S.OTHER_ORGAN], AJCC, TCategory.T4),
        (10.0, [S.COELIAC_AXIS], AJCC, TCategory.T4),
        (None, [S.SUPERIOR_MESENTERIC_ARTERY, S.DUODENUM], UICC, TCategory.T4),
        (10.0, [S.VISCERAL_PERITONEUM], UICC, TCategory.T4),
        (10.0, [S.VISCERAL_PERITONEUM], AJCC, TCategory.T1),  # UICC only
        (10.0, [S.VISCERAL_PERITONEUM], ENETS, TCategory.T1),
        (10.0, [S.PERIPANCREATIC_FAT], AJCC, TCategory.T1),  # fat does not change T
        (30.0, [S.SUPERIOR_MESENTERIC_VEIN], AJCC, TCategory.T2),
        (30.0, [S.PORTAL_VEIN], ENETS, TCategory.T2),
        (None, [], AJCC, TCategory.TX),
        (None, [S.PERIPANCREATIC_FAT], UICC, TCategory.TX),
    ],
)
def test_t_by_invasion(
    size: float | None, invaded: list[S], edition: Edition, expected: TCategory
) -> None:
    assert t_category(size, invaded, edition=edition).value is expected


def test_fat_decides_t_only_with_recalled_rule() -> None:
    decided = t_category(15, [S.PERIPANCREATIC_FAT], edition=AJCC)
    assert not decided.verified
    assert any("peripancreatic fat" in n for n in decided.notes)
    not_deciding = t_category(15, [S.PERIPANCREATIC_FAT, S.DUODENUM], edition=AJCC)
    assert not_deciding.value is TCategory.T3
    assert not_deciding.verified


def test_venous_invasion_is_flagged() -> None:
    ajcc = t_category(30, [S.PORTAL_VEIN], edition=AJCC)
    assert ajcc.verified
    assert any("portal vein" in n for n in ajcc.notes)
    uicc = t_category(30, [S.PORTAL_VEIN], edition=UICC)
    assert not uicc.verified
    assert any("adjacent structures" in n for n in uicc.notes)


def test_peritoneum_note_outside_uicc() -> None:
    finding = t_category(10, [S.VISCERAL_PERITONEUM], edition=AJCC)
    assert any("UICC 8 only" in n for n in finding.notes)


@pytest.mark.parametrize(
    ("size", "invaded", "location"),
    [
        (0, [], "size_mm"),
        (-5, [], "size_mm"),
        (301, [], "size_mm"),
        ("35", [], "size_mm"),
        (10, ["liver"], "invaded"),
        (10, "duodenum", "invaded"),
    ],
)
def test_invalid_t(size: object, invaded: object, location: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        t_category(size, invaded, edition=AJCC)  # type: ignore[arg-type]
    assert location in locations(info.value)


def test_unknown_edition() -> None:
    with pytest.raises(InvalidInputError) as info:
        t_category(10, edition="AJCC 9")
    assert locations(info.value) == {"edition": "AJCC 9"}


# --------------------------------------------------------------------------- N


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, NCategory.NX),
        ({"positive_nodes": 0}, NCategory.N0),
        ({"positive_nodes": 0, "examined_nodes": 12}, NCategory.N0),
        ({"positive_nodes": 0, "examined_nodes": 0}, NCategory.NX),
        ({"positive_nodes": 1, "examined_nodes": 12}, NCategory.N1),
        ({"positive_nodes": 3}, NCategory.N1),
        ({"examined_nodes": 5}, NCategory.NX),
        ({"status": "N1"}, NCategory.N1),
        ({"status": NCategory.N0, "positive_nodes": 0, "examined_nodes": 8}, NCategory.N0),
    ],
)
def test_n(kwargs: dict[str, object], expected: NCategory) -> None:
    assert n_category(edition=AJCC, **kwargs).value is expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "location", "value"),
    [
        ({"positive_nodes": -1}, "positive_nodes", -1),
        ({"positive_nodes": 1.5}, "positive_nodes", 1.5),
        ({"positive_nodes": 3, "examined_nodes": 2}, "positive_nodes", 3),
        ({"examined_nodes": -2}, "examined_nodes", -2),
        ({"status": "N2"}, "status", "N2"),
        ({"status": "N0", "positive_nodes": 2}, "status", "N0"),
    ],
)
def test_invalid_n(kwargs: dict[str, object], location: str, value: object) -> None:
    with pytest.raises(InvalidInputError) as info:
        n_category(edition=AJCC, **kwargs)  # type: ignore[arg-type]
    assert locations(info.value)[location] == value


# --------------------------------------------------------------------------- M


@pytest.mark.parametrize(
    ("organs", "ajcc", "enets"),
    [
        ([], MCategory.M0, MCategory.M0),
        ([Organ.LIVER], MCategory.M1A, MCategory.M1),
        ([Organ.BONE], MCategory.M1B, MCategory.M1),
        ([Organ.LUNG, Organ.PERITONEUM, Organ.DISTANT_LYMPH_NODE], MCategory.M1B, MCategory.M1),
        ([Organ.OVARY], MCategory.M1B, MCategory.M1),
        (["liver", "bone"], MCategory.M1C, MCategory.M1),
    ],
)
def test_m(organs: list[Organ | str], ajcc: MCategory, enets: MCategory) -> None:
    assert m_category(organs, edition=AJCC).value is ajcc
    assert m_category(organs, edition=ENETS).value is enets
    uicc = m_category(organs, edition=UICC)
    assert uicc.value is ajcc
    # The a/b/c split is verified for AJCC 8 only.
    assert uicc.verified is (ajcc is MCategory.M0)


@pytest.mark.parametrize("organ", [Organ.REGIONAL_LYMPH_NODE, Organ.PANCREAS, "brain_stem"])
def test_invalid_m(organ: object) -> None:
    with pytest.raises(InvalidInputError) as info:
        m_category([Organ.LIVER, organ], edition=AJCC)  # type: ignore[list-item]
    assert locations(info.value) == {"distant_metastases": getattr(organ, "value", organ)}


# --------------------------------------------------------------------------- stage


SEED = {"size_mm": 35, "invaded": [S.DUODENUM, S.COMMON_BILE_DUCT], "positive_nodes": 0}


@pytest.mark.parametrize(
    ("edition", "group", "verified"),
    [(AJCC, StageGroup.II, True), (ENETS, StageGroup.IIB, True), (UICC, StageGroup.II, False)],
)
def test_seed_case_at_diagnosis(edition: Edition, group: StageGroup, verified: bool) -> None:
    # 35 mm head tumour invading duodenum and CBD, 0 positive nodes, no metastases.
    finding = stage_pnet(**SEED, edition=edition, basis="p")  # type: ignore[arg-type]
    stage = finding.value
    assert (stage.t, stage.n, stage.m) == (TCategory.T3, NCategory.N0, MCategory.M0)
    assert stage.code == "pT3 N0 M0"
    assert stage.stage_group is group
    assert finding.verified is verified
    assert finding.edition == edition.value
    if edition is UICC:
        assert any("UICC 8 stage groups are not in the knowledge base" in n for n in finding.notes)


@pytest.mark.parametrize(
    ("edition", "m", "verified"),
    [(AJCC, MCategory.M1C, True), (ENETS, MCategory.M1, True), (UICC, MCategory.M1C, False)],
)
def test_seed_case_with_liver_and_bone_metastases(
    edition: Edition, m: MCategory, verified: bool
) -> None:
    finding = stage_pnet(
        **SEED,  # type: ignore[arg-type]
        distant_metastases=[Organ.LIVER, Organ.BONE],
        edition=edition,
        basis=Basis.PATHOLOGICAL,
    )
    assert finding.value.m is m
    assert finding.value.stage_group is StageGroup.IV
    assert finding.verified is verified


@pytest.mark.parametrize(
    ("t_size", "invaded", "positive", "organs", "ajcc", "enets"),
    [
        (10, [], 0, [], StageGroup.I, StageGroup.I),
        (30, [], 0, [], StageGroup.II, StageGroup.IIA),
        (50, [], 0, [], StageGroup.II, StageGroup.IIB),
        (10, [S.SPLEEN], 0, [], StageGroup.III, StageGroup.IIIA),
        (10, [], 2, [], StageGroup.III, StageGroup.IIIB),
        (50, [S.STOMACH], 1, [], StageGroup.III, StageGroup.IIIB),
        (10, [], 0, [Organ.LIVER], StageGroup.IV, StageGroup.IV),
        (None, [], None, [Organ.LUNG], StageGroup.IV, StageGroup.IV),  # TX NX M1
        (None, [], 3, [], StageGroup.III, StageGroup.IIIB),  # TX N1 M0: any T N1
        (10, [S.COLON], None, [], StageGroup.III, None),  # T4 NX: AJCC III either way
        (None, [], 0, [], None, None),  # TX N0 M0
        (10, [], None, [], None, None),  # T1 NX M0
    ],
)
def test_stage_groups(
    t_size: float | None,
    invaded: list[S],
    positive: int | None,
    organs: list[Organ],
    ajcc: StageGroup | None,
    enets: StageGroup | None,
) -> None:
    common = {
        "size_mm": t_size,
        "invaded": invaded,
        "positive_nodes": positive,
        "distant_metastases": organs,
        "basis": "c",
    }
    assert stage_pnet(**common, edition=AJCC).value.stage_group is ajcc  # type: ignore[arg-type]
    assert stage_pnet(**common, edition=ENETS).value.stage_group is enets  # type: ignore[arg-type]
    assert stage_pnet(**common, edition=UICC).value.stage_group is ajcc  # type: ignore[arg-type]


def test_twenty_millimetre_tumour_differs_by_edition() -> None:
    ajcc = stage_pnet(size_mm=20, positive_nodes=0, edition=AJCC, basis="p").value
    uicc = stage_pnet(size_mm=20, positive_nodes=0, edition=UICC, basis="p").value
    assert (ajcc.t, ajcc.stage_group) == (TCategory.T2, StageGroup.II)
    assert (uicc.t, uicc.stage_group) == (TCategory.T1, StageGroup.I)


def test_unassignable_stage_says_why() -> None:
    finding = stage_pnet(size_mm=None, edition=ENETS, basis="c")
    assert finding.value.stage_group is None
    assert "stage not assignable" in finding.reason
    assert str(finding.value) == "cTX NX M0, stage not assignable"


def test_multiple_primaries_suffix() -> None:
    finding = stage_pnet(size_mm=25, positive_nodes=1, edition=AJCC, basis="p", multiple=True)
    assert finding.value.code == "pT2(m) N1 M0"
    assert not finding.verified
    assert any("(m)" in n for n in finding.notes)


def test_stage_serialises_to_json() -> None:
    finding = stage_pnet(
        **SEED,  # type: ignore[arg-type]
        distant_metastases=["liver", "bone"],
        edition=AJCC,
        basis="p",
    )
    data = json.loads(json.dumps(finding.to_dict()))
    assert data["value"]["stage_group"] == "IV"
    assert data["value"]["text"] == "pT3 N0 M1c, stage IV"
    assert data["inputs"]["distant_metastases"] == ["liver", "bone"]
    assert data["references"] == ["ajcc8"]


def test_stage_collects_every_problem() -> None:
    with pytest.raises(InvalidInputError) as info:
        stage_pnet(
            size_mm=-1,
            invaded=["x"],
            positive_nodes=3,
            examined_nodes=2,
            distant_metastases=["regional_lymph_node"],
            edition="AJCC 9",
            basis="q",
        )
    assert [p.location for p in info.value.problems] == [
        "size_mm",
        "invaded",
        "positive_nodes",
        "distant_metastases",
        "edition",
        "basis",
    ]


# --------------------------------------------------------------------------- properties

_T_ORDER = [TCategory.T1, TCategory.T2, TCategory.T3, TCategory.T4]
sizes = st.floats(min_value=0.1, max_value=300, allow_nan=False)
structures = st.sets(st.sampled_from(list(S)))
editions = st.sampled_from(list(Edition))


@given(a=sizes, b=sizes, invaded=structures, edition=editions)
def test_t_is_monotone_in_size(a: float, b: float, invaded: set[S], edition: Edition) -> None:
    low, high = sorted((a, b))
    t_low = t_category(low, invaded, edition=edition).value
    t_high = t_category(high, invaded, edition=edition).value
    assert _T_ORDER.index(t_low) <= _T_ORDER.index(t_high)


@given(size=sizes, invaded=structures, extra=st.sampled_from(list(S)), edition=editions)
def test_more_invasion_never_lowers_t(
    size: float, invaded: set[S], extra: S, edition: Edition
) -> None:
    before = t_category(size, invaded, edition=edition).value
    after = t_category(size, invaded | {extra}, edition=edition).value
    assert _T_ORDER.index(before) <= _T_ORDER.index(after)


@given(
    size=st.one_of(st.none(), sizes),
    invaded=structures,
    positive=st.one_of(st.none(), st.integers(min_value=0, max_value=30)),
    organs=st.sets(st.sampled_from([o for o in Organ if o.is_distant])),
    edition=editions,
)
def test_metastases_always_stage_iv(
    size: float | None,
    invaded: set[S],
    positive: int | None,
    organs: set[Organ],
    edition: Edition,
) -> None:
    finding = stage_pnet(
        size_mm=size,
        invaded=invaded,
        positive_nodes=positive,
        distant_metastases=organs,
        edition=edition,
        basis="c",
    )
    assert (finding.value.stage_group is StageGroup.IV) is bool(organs)
