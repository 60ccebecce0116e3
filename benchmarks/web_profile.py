"""CPU per part of a CDS Hooks call and of a patient page, in process (issue 14).

``benchmarks/web_latency.py --profile`` runs :func:`profile`: the app is built in this process
over a temporary registry and requests are sent straight to its ASGI interface (no network),
each part timed alone on the same data. It also prints the pause of a full garbage
collection before and after ``netline serve``'s ``settle()``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from benchmarks.web_latency import (
    PREFETCH_KEY,
    _app,
    _cds_bodies,
    _client_key,
    _patients,
    _server_stack,
    _tokens,
    _versioned,
)


async def _asgi(app: Any, method: str, path: str, headers: dict[str, str], body: bytes) -> int:
    """Send one request straight to the ASGI app (no network); return the status."""
    headers_ = [(k.lower().encode(), v.encode()) for k, v in {"Host": "x", **headers}.items()]
    scope: dict[str, Any] = {"type": "http", "http_version": "1.1", "method": method}
    scope |= {"path": path, "raw_path": path.encode(), "query_string": b"", "scheme": "http"}
    scope |= {"headers": headers_, "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def _each(function: Callable[..., Any], items: Sequence[Any]) -> list[Callable[[], Any]]:
    return [functools.partial(function, item) for item in items]


def _cpu_ms(label: str, calls: Sequence[Callable[[], Any]]) -> float:
    """Print and return the CPU milliseconds per call of ``calls`` (one warm-up call first).

    Calls that return awaitables (requests sent to the app) run in one event loop.
    """

    async def in_loop(warm_up: Awaitable[Any]) -> float:
        await warm_up
        started = time.process_time()
        for call in calls[1:]:
            await call()
        return time.process_time() - started

    first = calls[0]()  # the warm-up call
    if isinstance(first, Awaitable):
        spent = asyncio.run(in_loop(first))
    else:
        started = time.process_time()
        for call in calls[1:]:
            call()
        spent = time.process_time() - started
    cost = spent / max(1, len(calls) - 1) * 1000
    print(f"  {label:58s} {cost:7.2f} ms")
    return cost


@dataclasses.dataclass
class _Bench:
    """An app in process, its data and the callables the profile times."""

    app: Any
    url: str
    audience: str
    cookie: str
    records: list[Any]
    bodies: list[bytes]
    tokens: list[str]

    def cds(self, i: int, body: bytes) -> Callable[[], Awaitable[int]]:
        auth = {"Authorization": f"Bearer {self.tokens[i]}", "Content-Type": "application/json"}
        return lambda: _asgi(self.app, "POST", self.audience.split("8000")[1], auth, body)

    def page(self, i: int) -> Callable[[], Awaitable[int]]:
        path, cookie = f"/patients/{self.records[i].patient.id}", f"netline_session={self.cookie}"
        return lambda: _asgi(self.app, "GET", path, {"Cookie": cookie}, b"")


def _collection(prefetch: dict[str, Any]) -> dict[str, Any]:
    """The prefetch's resources as one collection Bundle (how the mapping read it before)."""
    resources = [prefetch["patient"]]
    resources += [e["resource"] for k in PREFETCH_KEY.values() for e in prefetch[k]["entry"]]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }


def _profile_cds(bench: _Bench, count: int) -> None:

    import netline
    from netline.course import derive_course
    from netline.registry.fhir import prefetch_record, record_from_bundle
    from netline.web.cds.service import CardCache, cards_for

    ctx, n = bench.app.state.netline, range(count + 1)
    prefetches = [json.loads(body)["prefetch"] for body in bench.bodies]
    records = [prefetch_record(p) for p in prefetches]
    tokens = bench.tokens[2 * count + 2 :]
    print(" CDS patient-view:")
    total = _cpu_ms(
        "whole call, new prefetch each time (no cache hit)",
        [bench.cds(i, _versioned(bench.bodies[i], i)) for i in n],
    )
    _cpu_ms(
        "whole call, the same prefetch again (card cache hit)",
        [bench.cds(count + 1 + i, _versioned(bench.bodies[0], 0)) for i in n],
    )
    verify = functools.partial(ctx.cds.verifier.verify, audience=bench.audience)
    _cpu_ms(
        "JWT check (ES384 signature, claims, replay)",
        _each(verify, [f"Bearer {t}" for t in tokens]),
    )
    _cpu_ms("request body JSON parse", _each(json.loads, bench.bodies))
    _cpu_ms("card cache key", _each(CardCache.key, prefetches))
    _cpu_ms("FHIR prefetch -> record (each resource validated)", _each(prefetch_record, prefetches))
    _cpu_ms(
        "  the same as one collection Bundle validated (before)",
        _each(
            functools.partial(record_from_bundle, source="b"), [_collection(p) for p in prefetches]
        ),
    )
    course = _cpu_ms("  course derivation", _each(derive_course, records))
    advice = _cpu_ms("  advice (netline.advise, course included)", _each(netline.advise, records))
    cards = _cpu_ms(
        "cards (advice included)", _each(functools.partial(cards_for, app_url=bench.url), records)
    )
    _cpu_ms(
        "audit row (SQLite)", [lambda: ctx.cds.state.audit("cds:x", "cds_patient_view", "p")] * 41
    )
    print(
        f"  course + advice: {cards / total:.0%} of a CDS call (course alone "
        f"{course / total:.0%}); advice without the course: {advice - course:.1f} ms"
    )


def _profile_page(bench: _Bench, count: int) -> None:
    import netline
    from netline.web.views import patient_view

    ctx, n, ids = bench.app.state.netline, range(count + 1), [r.patient.id for r in bench.records]
    print(" patient page:")
    _cpu_ms("first view, through the app", [bench.page(i) for i in n])
    # the cached pass cycles over the patients the first pass left in the view cache (its
    # last ``size``): cycling over more patients than the cache holds would miss every time
    cached = [bench.page(count - i % min(count, ctx.views.size)) for i in n]
    _cpu_ms("whole page, view cached (session, audit row, render)", cached)
    _cpu_ms("session lookup", [lambda: ctx.accounts.session(bench.cookie)] * (count + 1))
    _cpu_ms("record version", _each(ctx.patients.version, ids))
    _cpu_ms("record read (on a cache miss only)", _each(ctx.patients.get, ids))
    _cpu_ms(
        "first view of a patient (assess, advise, timeline)", _each(patient_view, bench.records)
    )
    _cpu_ms("  assessment (course included)", _each(netline.assess, bench.records))


def _gc_pause() -> None:
    """Print the pause of a full garbage collection before and after ``settle()`` (kept)."""
    import gc

    from netline.web.serve import settle

    started = time.perf_counter()
    gc.collect()
    before = time.perf_counter() - started
    frozen = settle()  # left in place for the rest of the profile, as in the server
    started = time.perf_counter()
    gc.collect()
    after = time.perf_counter() - started
    print(
        f" full garbage collection: {before * 1000:.1f} ms; after netline serve's settle() "
        f"({frozen:,} start-up objects frozen): {after * 1000:.1f} ms"
    )


def profile(count: int = 40) -> None:
    """Print the CPU time per call of each part of a CDS call and of a patient page."""
    key, jwk = _client_key()
    url = "http://127.0.0.1:8000"
    audience = f"{url}/cds-services/netline-patient-view"
    with tempfile.TemporaryDirectory() as data:
        records = _patients(count + 1, 11)
        app, registry = _app(data, url, jwk, records)
        accounts = app.state.netline.accounts
        cookie, _ = accounts.open_session("bench")
        bodies, tokens = _cds_bodies(count + 1), _tokens(key, audience, 3 * count + 3)
        bench = _Bench(app, url, audience, cookie, records, bodies, tokens)
        print(f"CPU per call, in process, {count} synthetic patients (ms); {_server_stack()}")
        _gc_pause()
        _profile_cds(bench, count)
        _profile_page(bench, count)
        accounts.close()
        registry.close()
