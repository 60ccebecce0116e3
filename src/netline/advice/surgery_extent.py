"""Extent-of-disease findings for the liver-surgery assessment (liver share, nodes, sites)."""

from __future__ import annotations

from netline.advice._points import Point
from netline.advice.eligibility import ProfileCheck
from netline.advice.state import DecisionState
from netline.advice.surgery_checks import _criterion, _iso
from netline.advice.surgery_types import _Findings
from netline.evidence.schema import Profile


def _liver_share(f: _Findings, state: DecisionState, profiles: dict[str, Profile]) -> None:
    """Note the share of liver involved and block extensive (> 50 %) involvement."""
    band = state.liver_involvement
    if band is None:
        f.to_assess.append(Point("Share of liver involved (not recorded)", (), "check"))
    else:
        f.extent.append(
            Point(
                f"Hepatic involvement {band} (imaging {_iso(state.liver_involvement_date)})",
                (),
                "info",
            )
        )
    if band == ">50%":
        notes = []
        debulk70 = profiles.get("liver_debulking_70")
        if debulk70 is not None:
            notes = [n for n in debulk70.notes if "type 3" in n]
        f.blockers.append(
            Point(
                "Extensive hepatic involvement (> 50 %): netline reads this as the extensive "
                "bilobar pattern for which ≥ 70 % debulking is usually not feasible (confirm "
                "with the surgeons). " + " ".join(notes),
                ("jcm2023", "mazzaferro2007"),
                "exclusion",
                "recalled",
            )
        )


def _regional_nodes(
    f: _Findings, state: DecisionState, cur: ProfileCheck | None
) -> tuple[bool, tuple[str, ...]]:
    """Caution on regional nodes; return whether present and the other extrahepatic sites."""
    extra = state.extrahepatic_sites
    nodes = "regional_lymph_node" in extra
    extra = tuple(s for s in extra if s != "regional_lymph_node")
    if nodes:
        node_check = None if cur is None else _criterion(cur, "nodes")
        f.caveats.append(
            Point(
                "Regional lymph-node disease: resectable nodal disease is compatible with "
                "resection, unresectable nodal disease is not — for the surgeons to judge",
                (node_check[1] if node_check else "pavel2016",),
                "caution",
                node_check[2] if node_check else "recalled",
            )
        )
    return nodes, extra


def _extrahepatic_disease(
    f: _Findings,
    state: DecisionState,
    cur: ProfileCheck | None,
    extra: tuple[str, ...],
    own_case: bool,
) -> None:
    """Weigh extrahepatic disease: its sites, stability and extra-abdominal location."""
    sites = ", ".join(
        f"{s} (since {state.extrahepatic_since[s].isoformat()})"
        if s in state.extrahepatic_since
        else s
        for s in extra
    )
    f.extent.append(Point(f"Extrahepatic disease: {sites}", (), "info"))
    extra_abdominal = state.facts.extra_abdominal_metastases
    curative_extra = None if cur is None else _criterion(cur, "extra_abdominal")
    ref = curative_extra[1] if curative_extra else "pavel2016"
    status = curative_extra[2] if curative_extra else "recalled"
    if state.extrahepatic_stable is True:
        f.extent.append(
            Point("Extrahepatic disease stable: " + state.extrahepatic_basis, (), "support")
        )
        if extra_abdominal:
            f.caveats.append(
                Point(
                    "Extra-abdominal metastasis ("
                    + ", ".join(s for s in extra if s in ("bone", "lung", "brain"))
                    + "): the ENETS criteria for curative-intent resection and for "
                    "debulking require no extra-abdominal metastases, so a resection would "
                    "not be curative by those criteria"
                    + (
                        ""
                        if own_case
                        else "; conversion surgery of the liver disease with a stable "
                        "extrahepatic metastasis has been reported (umino2024)"
                    )
                    + " — an individual decision for the board",
                    (ref,) if own_case else (ref, "umino2024"),
                    "conflict",
                    status,
                )
            )
        elif extra_abdominal is None:
            f.caveats.append(
                Point(
                    "Whether the extrahepatic disease is extra-abdominal is not recorded",
                    (ref,),
                    "check",
                    status,
                )
            )
        else:
            f.caveats.append(
                Point(
                    "Extrahepatic abdominal disease (" + ", ".join(extra) + "): its "
                    "resectability (nodes, peritoneum) must be judged by the surgeons",
                    (ref,),
                    "caution",
                    status,
                )
            )
    elif state.extrahepatic_stable is False:
        f.blockers.append(
            Point(
                "Extrahepatic disease is not stable: " + state.extrahepatic_basis,
                (ref,),
                "exclusion",
                status,
            )
        )
    else:
        f.insufficient = True
        f.to_assess.append(
            Point(
                "Whether the extrahepatic disease is stable: " + state.extrahepatic_basis,
                (ref,),
                "check",
                status,
            )
        )


def _extent_findings(
    f: _Findings,
    state: DecisionState,
    profiles: dict[str, Profile],
    cur: ProfileCheck | None,
    own_case: bool,
) -> tuple[str, ...]:
    """Gather the extent-of-disease findings; return the extrahepatic sites other than nodes."""
    _liver_share(f, state, profiles)
    nodes, extra = _regional_nodes(f, state, cur)
    if not extra:
        f.extent.append(
            Point(
                "Disease confined to the liver"
                + (" and regional nodes" if nodes else "")
                + " at the decision date",
                (),
                "support",
            )
        )
    else:
        _extrahepatic_disease(f, state, cur, extra, own_case)
    if cur is not None:
        for criterion_id in ("cardiac",):
            found = _criterion(cur, criterion_id)
            if found is not None and found[0] == "failed":
                check = next(c for c in cur.checks if c.id == criterion_id)
                f.blockers.append(Point(check.label, (found[1],), "exclusion", found[2]))
        primary = _criterion(cur, "primary")
        if primary is not None and primary[0] != "met":
            f.to_assess.append(
                Point(
                    "Primary tumour resectable (the primary is in place)",
                    (primary[1],),
                    "check",
                    primary[2],
                )
            )

    return extra
