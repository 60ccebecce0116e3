"""The ``patient-view`` CDS service: FHIR prefetch in, netline advice out as CDS cards.

The cards carry no advice of their own: they summarise :func:`netline.advise` on the record built
from the prefetched FHIR resources, name the evidence behind it, and link back to the app.

References
----------
HL7 CDS Hooks 2.0 (https://cds-hooks.hl7.org/2.0/): discovery, prefetch, card attributes
(``summary`` under 140 characters, ``indicator``, ``source``, ``links``), HTTP 412 when required
prefetch is missing and the service cannot fetch it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from netline.records import CaseRecord

SERVICE_ID = "netline-patient-view"
#: Prefetch templates the service asks the EHR for (all required).
PREFETCH = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "observations": "Observation?patient={{context.patientId}}",
    "medications": "MedicationAdministration?patient={{context.patientId}}",
    "procedures": "Procedure?patient={{context.patientId}}",
}
SUMMARY_LIMIT = 140

#: Converts the prefetched resources (key → resource or searchset Bundle) into a record.
PrefetchConverter = Callable[[Mapping[str, Any]], CaseRecord]


def discovery() -> dict[str, Any]:
    """Return the discovery document (``GET /cds-services``)."""
    return {
        "services": [
            {
                "hook": "patient-view",
                "id": SERVICE_ID,
                "title": "netline: treatment sequencing for neuroendocrine tumours",
                "description": (
                    "Lines of therapy so far and evidence-linked options for the next step, "
                    "for discussion at the tumour board."
                ),
                "prefetch": PREFETCH,
            }
        ]
    }


def missing_prefetch(request: Mapping[str, Any]) -> list[str]:
    """Names of the required prefetch entries the request does not carry."""
    prefetch = request.get("prefetch") or {}
    if not isinstance(prefetch, Mapping):
        return sorted(PREFETCH)
    return sorted(key for key in PREFETCH if prefetch.get(key) is None)


def _shorten(text: str, limit: int = SUMMARY_LIMIT) -> str:
    return text if len(text) < limit else text[: limit - 2].rstrip() + "…"


def content_version() -> str:
    """Name what decides the cards besides the prefetch: netline's rules and its knowledge base.

    The bundled knowledge base is loaded once per process (and cached by its loader), so this
    is read once per call at the cost of a dictionary lookup.
    """
    from netline._version import __version__
    from netline.evidence import load_knowledge_base

    return f"netline {__version__}; knowledge base {load_knowledge_base().version}"


class CardCache:
    """Cards by the digest of everything they were made from (same data, same cards).

    The key covers the prefetch (canonical JSON), netline's version (its rules) and the
    knowledge base's version (:func:`content_version`); the app's address, the only other
    input, is fixed per app and so per cache. Each answer gets fresh card ``uuid`` values and
    is a copy, so no caller can change what later callers get. Safe under concurrent requests:
    the table is changed under a lock; two simultaneous misses for one key both build the same
    content.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._cards: OrderedDict[str, tuple[str, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(prefetch: Mapping[str, Any]) -> str:
        """Return a digest of the prefetch (canonical JSON) and of :func:`content_version`."""
        text = json.dumps(prefetch, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(f"{content_version()}\n{text}".encode()).hexdigest()

    def get(
        self, key: str, build: Callable[[], tuple[str, dict[str, Any]]]
    ) -> tuple[str, dict[str, Any]]:
        """Return (record id, answer) for ``key``, built once, with new card ids."""
        with self._lock:
            entry = self._cards.get(key)
            if entry is not None:
                self._cards.move_to_end(key)
        if entry is None:
            entry = build()
            with self._lock:
                self._cards[key] = entry
                if len(self._cards) > self.size:
                    self._cards.popitem(last=False)
        record_id, answer = entry
        fresh = copy.deepcopy(answer)
        for card in fresh["cards"]:
            card["uuid"] = str(uuid.uuid4())
        return record_id, fresh


def cards_for(record: CaseRecord, app_url: str) -> dict[str, Any]:
    """Cards summarising netline's advice for ``record`` (one summary card).

    Reads the fields it shows straight from the :class:`~netline.advice.Advice` object; its
    full JSON form (``to_dict``, about 3 ms per patient) is not built.
    """
    import netline

    advice = netline.advise(record)
    ranked = sorted((o for o in advice.options if o.rank is not None), key=lambda o: o.rank or 0)
    top = [str(option.name or "").split(" (")[0] for option in ranked[:3]]
    summary = (
        "netline: options to discuss: " + "; ".join(top)
        if top
        else "netline: no option could be ranked; see the patient page"
    )
    unverified = any(
        match.status != "verified" for option in ranked[:3] for match in option.guideline
    )
    detail = [
        "For discussion at the tumour board; netline does not make the decision.",
        *[f"{o.rank}. {o.name}: {o.order_reason}" for o in ranked[:3]],
    ]
    if unverified:
        detail.append("The order rests partly on guideline wording not yet verified.")
    link = f"{app_url.rstrip('/')}/patients/{record.patient.id}"
    card = {
        "uuid": str(uuid.uuid4()),
        "summary": _shorten(summary),
        "detail": "\n\n".join(detail),
        "indicator": "warning" if unverified else "info",
        "source": {
            "label": "netline knowledge base (trials and guideline statements with references)",
            "url": f"{app_url.rstrip('/')}/evidence",
        },
        "links": [{"label": "Open the course in netline", "url": link, "type": "absolute"}],
    }
    return {"cards": [card]}
