"""Site groups: how primary sites of the record map to the coarse groups of trials."""

from __future__ import annotations

from netline.errors import UnknownKeyError
from netline.evidence.vocab import SiteGroup
from netline.records.vocabulary import PrimarySite

__all__ = ["site_groups"]


_PRIMARY_TO_GROUP: dict[PrimarySite, tuple[SiteGroup, ...]] = {
    PrimarySite.DUODENUM: (SiteGroup.FOREGUT_GI,),
    PrimarySite.STOMACH: (SiteGroup.FOREGUT_GI,),
    PrimarySite.JEJUNUM_ILEUM: (SiteGroup.MIDGUT,),
    PrimarySite.APPENDIX: (SiteGroup.MIDGUT,),
    PrimarySite.COLON: (SiteGroup.MIDGUT, SiteGroup.HINDGUT),
    PrimarySite.RECTUM: (SiteGroup.HINDGUT,),
    PrimarySite.LUNG: (SiteGroup.LUNG,),
    PrimarySite.UNKNOWN_PRIMARY: (SiteGroup.UNKNOWN_PRIMARY,),
    PrimarySite.OTHER: (SiteGroup.OTHER,),
}


_GROUP_BY_NAME: dict[str, SiteGroup] = {g.value: g for g in SiteGroup}
_PRIMARY_BY_NAME: dict[str, PrimarySite] = {p.value: p for p in PrimarySite}


def site_groups(site: SiteGroup | PrimarySite | str) -> frozenset[SiteGroup]:
    """Return the site groups a site belongs to.

    Parameters
    ----------
    site : SiteGroup, PrimarySite or str
        A site group (``"pancreas"``, ``"midgut"`` ...) or a primary site of the clinical
        record (``"pancreas_head"``, ``"jejunum_ileum"`` ...). The colon maps to both midgut
        and hindgut.

    Raises
    ------
    UnknownKeyError
        If the name is neither.
    """
    if isinstance(site, SiteGroup):
        return frozenset({site})
    if isinstance(site, PrimarySite):
        primary = site
    else:
        text = site.strip().lower()
        group = _GROUP_BY_NAME.get(text)
        if group is not None:
            return frozenset({group})
        found = _PRIMARY_BY_NAME.get(text)
        if found is None:
            known = [g.value for g in SiteGroup] + [p.value for p in PrimarySite]
            raise UnknownKeyError("site", site, known)
        primary = found
    if primary.is_pancreatic:
        return frozenset({SiteGroup.PANCREAS})
    return frozenset(_PRIMARY_TO_GROUP[primary])
