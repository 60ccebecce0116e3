"""Latency of the web app under 50 concurrent clients on loopback (issue: web, performance).

Three workloads, each run for ``--seconds`` with ``--clients`` concurrent clients against one
uvicorn process started by this script:

* baseline   - ``GET /healthz``, a bare FastAPI endpoint behind the same middleware;
* cds        - ``POST /cds-services/netline-patient-view`` with a fresh ES384 client JWT per call
               (signature, audience, expiry and replay checks on every call);
* page       - ``GET /patients/<seed case>`` for a signed-in user (session lookup, audit row,
               the patient page).

Prints p50, p99, maximum, throughput and errors for each, and the ratios of the p99s to the
baseline's. Targets: CDS p99 <= 100 ms with no errors; patient page p99 <= 300 ms.

First it prints the CPU time per request of the security-header middleware on a bare app, driven
in process (no network, so the figure does not depend on the load of the machine): no
middleware, the former ``BaseHTTPMiddleware`` version, and the pure ASGI one.

Run: ``.venv/bin/python benchmarks/web_latency.py [--seconds 60] [--clients 50]
[--middleware-only]``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import multiprocessing
import re
import socket
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "benchmark password"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve(data: str, port: int, jwk: dict[str, Any]) -> None:
    import uvicorn

    from netline.records import load_case
    from netline.registry import open_registry
    from netline.web.app import create_app
    from netline.web.patients import RegistryRepository
    from netline.web.security.accounts import Role
    from netline.web.settings import WebSettings

    seed = load_case(ROOT / "examples" / "seed-case.yaml")
    settings = WebSettings(
        registry=Path(data) / "registry.duckdb",
        accounts=Path(data) / "web.duckdb",
        public_url=f"http://127.0.0.1:{port}",
        trusted_cds_clients={"https://ehr.bench": {"keys": [jwk]}},
        login_attempts=10_000,
    )
    patients = RegistryRepository(open_registry(settings.registry))
    patients.save(seed, "benchmark")
    app = create_app(settings, patients, prefetch_converter=lambda _: seed)
    app.state.netline.accounts.add_user("bench", PASSWORD, Role.VIEWER)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error")


async def _run(
    make_request: Any, clients: int, seconds: float
) -> tuple[list[float], collections.Counter[str]]:
    import httpx

    latencies: list[float] = []
    errors: collections.Counter[str] = collections.Counter()
    stop = time.perf_counter() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        while time.perf_counter() < stop:
            method, url, kwargs = make_request()
            started = time.perf_counter()
            try:
                response = await client.request(method, url, **kwargs)
                problem = "" if response.status_code == 200 else f"HTTP {response.status_code}"
            except httpx.HTTPError as error:
                problem = type(error).__name__
            latencies.append(time.perf_counter() - started)
            if problem:
                errors[problem] += 1

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(clients)))
    return latencies, errors


def _report(
    name: str, latencies: list[float], errors: collections.Counter[str], seconds: float
) -> float:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000
    print(
        f"{name:9s} n={len(ordered):6d}  p50 {statistics.median(ordered) * 1000:7.1f} ms  "
        f"p99 {p99:7.1f} ms  max {ordered[-1] * 1000:7.1f} ms  "
        f"{len(ordered) / seconds:7.1f} req/s  errors {errors.total()}"
        + (f" ({', '.join(f'{k}: {v}' for k, v in sorted(errors.items()))})" if errors else "")
    )
    return p99


def _old_headers_middleware() -> Any:
    """The security-header middleware as it was before (``BaseHTTPMiddleware``), for comparison."""
    from starlette.middleware.base import BaseHTTPMiddleware

    from netline.web.security.headers import _COMMON

    class OldSecurityHeaders(BaseHTTPMiddleware):
        async def dispatch(self, request: Any, call_next: Any) -> Any:
            response = await call_next(request)
            for name, value in _COMMON:
                response.headers[name.decode()] = value.decode()
            return response

    return OldSecurityHeaders


async def _drive(app: Any, requests: int) -> float:
    """CPU seconds per request of ``GET /healthz`` sent straight to the ASGI app (no network)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/healthz",
        "raw_path": b"/healthz",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        return None

    for _ in range(200):  # warm-up
        await app(dict(scope), receive, send)
    started = time.process_time()
    for _ in range(requests):
        await app(dict(scope), receive, send)
    return (time.process_time() - started) / requests


def middleware_overhead(requests: int = 5000) -> None:
    """Print the CPU cost per request of the header middleware, old and new, on a bare app."""
    from fastapi import FastAPI

    from netline.web.security.headers import SecurityHeaders

    def bare(middleware: Any = None) -> Any:
        app = FastAPI()

        @app.get("/healthz")
        def healthz() -> dict[str, str]:
            return {"status": "ok"}

        if middleware is SecurityHeaders:
            app.add_middleware(SecurityHeaders, https=False)
        elif middleware is not None:
            app.add_middleware(middleware)
        return app

    costs = {
        "no middleware": asyncio.run(_drive(bare(), requests)),
        "BaseHTTPMiddleware (before)": asyncio.run(
            _drive(bare(_old_headers_middleware()), requests)
        ),
        "pure ASGI (now)": asyncio.run(_drive(bare(SecurityHeaders), requests)),
    }
    floor = costs["no middleware"]
    print(f"header middleware, {requests} in-process requests each (CPU time per request):")
    for name, cost in costs.items():
        print(f"  {name:28s} {cost * 1e6:7.1f} us  x{cost / floor:.2f} the bare app")


def main() -> None:
    import httpx
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec
    from jwt.algorithms import ECAlgorithm

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--middleware-only",
        action="store_true",
        help="only the in-process CPU cost of the header middleware (old and new)",
    )
    args = parser.parse_args()
    middleware_overhead()
    if args.middleware_only:
        return

    key = ec.generate_private_key(ec.SECP384R1())
    jwk = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    jwk["kid"] = "bench"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data:
        server = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(data, port, jwk), daemon=True
        )
        server.start()
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        with httpx.Client(base_url=base, follow_redirects=False, timeout=300) as browser:
            token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text)
            assert token is not None
            browser.post(
                "/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token[1]}
            )
            cookie = browser.cookies["netline_session"]
            browser.get("/patients/seed-case")  # warm the page cache

        audience = f"{base}/cds-services/netline-patient-view"
        body = {
            "hook": "patient-view",
            "hookInstance": "bench",
            "context": {"userId": "Practitioner/1", "patientId": "seed"},
            "prefetch": {
                k: {"resourceType": "Bundle"}
                for k in ("patient", "conditions", "observations", "medications", "procedures")
            },
        }

        def cds() -> tuple[str, str, dict[str, Any]]:
            now = int(time.time())
            claims = {
                "iss": "https://ehr.bench",
                "aud": audience,
                "iat": now,
                "exp": now + 300,
                "jti": str(uuid.uuid4()),
            }
            signed = jwt.encode(claims, key, algorithm="ES384", headers={"kid": "bench"})
            headers = {"Authorization": f"Bearer {signed}"}
            return "POST", f"{audience}", {"json": body, "headers": headers}

        workloads = {
            "baseline": lambda: ("GET", f"{base}/healthz", {}),
            "cds": cds,
            "page": lambda: (
                "GET",
                f"{base}/patients/seed-case",
                {"headers": {"Cookie": f"netline_session={cookie}"}},
            ),
        }
        print(f"{args.clients} clients, {args.seconds:g} s per workload, one uvicorn process")
        p99s = {}
        for name, make in workloads.items():
            latencies, errors = asyncio.run(_run(make, args.clients, args.seconds))
            p99s[name] = _report(name, latencies, errors, args.seconds)
        server.terminate()
        server.join()
    print(
        f"p99 ratio to baseline: cds x{p99s['cds'] / p99s['baseline']:.1f}, "
        f"page x{p99s['page'] / p99s['baseline']:.1f}"
    )


if __name__ == "__main__":
    main()
