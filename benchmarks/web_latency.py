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

Run: ``.venv/bin/python benchmarks/web_latency.py [--seconds 60] [--clients 50]``.
"""

from __future__ import annotations

import argparse
import asyncio
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


async def _run(make_request: Any, clients: int, seconds: float) -> tuple[list[float], int]:
    import httpx

    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            method, url, kwargs = make_request()
            started = time.perf_counter()
            try:
                response = await client.request(method, url, **kwargs)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - started)
            errors += 0 if ok else 1

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(clients)))
    return latencies, errors


def _report(name: str, latencies: list[float], errors: int, seconds: float) -> float:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000
    print(
        f"{name:9s} n={len(ordered):6d}  p50 {statistics.median(ordered) * 1000:7.1f} ms  "
        f"p99 {p99:7.1f} ms  max {ordered[-1] * 1000:7.1f} ms  "
        f"{len(ordered) / seconds:7.1f} req/s  errors {errors}"
    )
    return p99


def main() -> None:
    import httpx
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec
    from jwt.algorithms import ECAlgorithm

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()

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
