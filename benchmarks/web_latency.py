"""Latency of the web app under concurrent clients on loopback (issue 14, performance).

The server and the load generator (this process) are separate processes. The server is either
``netline serve`` (``--service app``: one uvicorn process, configured as the command runs it)
or ``netline serve-cds --workers N`` (``--service cds``: the CDS Hooks service alone, N
processes). The load generator is a lean asyncio HTTP/1.1 client over raw sockets with
keep-alive: every request is built as bytes (CDS JWTs signed) before the run, and a latency
runs from writing the request to reading the answer's last byte.

Workloads, all in the same run:

* ``baseline`` - ``GET /healthz``, a bare FastAPI endpoint behind the same middleware;
* ``cds``      - ``POST /cds-services/netline-patient-view`` with a fresh ES384 client JWT per
  call (signature, audience, expiry, replay checks, an audit row). The prefetch is real FHIR
  (``bundle_from_record`` of ``--cds-patients`` synthetic patients, read by the app's FHIR
  mapping ``prefetch_record``), and every call carries its own Patient ``meta.versionId``, so
  no call's prefetch has been seen before, by any process: every call builds its cards and no
  cache hit can fake the figure;
* ``page``     - ``GET /patients/<id>`` for a signed-in user (session lookup, audit row, the
  page rendered) over ``--page-patients`` patients whose views were built before the run (the
  view cache holds one view per patient and record version: the tumour-board case, where the
  same few patients are opened again and again). The cost of a first view is in ``--profile``.
  ``--service app`` only.

Two load models:

* **closed loop** (the issue's figure, the saturation case): ``--clients`` clients, each sending
  its next request as soon as the last is answered (zero think time), ``--seconds`` after an
  uncounted ``--warmup``. Mean latency = clients / throughput (Little's law): it measures capacity;
* **open loop** (``--rate R``, a second, labelled figure): Poisson arrivals at R per second over
  ``--clients`` connections, each latency counted from the moment the request was due (waiting
  for a free connection included: no coordinated omission).

Prints p50, p95, p99, maximum, throughput, errors, the p99 ratios to the baseline, the CPU use
of the load generator and of the server (and the server's CPU per request), and the load
average.

``--profile`` prints, in process, the CPU time of each part of a CDS call and of a patient page
(so the share of the course engine and of the advice can be read off) and the pause of a full
garbage collection.

Run: ``.venv/bin/python benchmarks/web_latency.py [--seconds 60] [--clients 50] [--rate 20]
[--workloads baseline,cds,page] [--service cds --workers 2] [--loop asyncio --http h11]
[--profile]``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import dataclasses
import json
import multiprocessing
import os
import random
import re
import socket
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "benchmark password"
ISSUER = "https://ehr.bench"
QS = (0.50, 0.95, 0.99)
#: Placeholder of the Patient's ``meta.versionId`` in a prebuilt CDS body (16 bytes).
VERSION_SLOT = b"v-call-number---"
#: Prefetch key of each FHIR resource type (the service's prefetch templates).
PREFETCH_KEY = dict(Condition="conditions", Observation="observations", Procedure="procedures") | {
    "MedicationAdministration": "medications"
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _patients(count: int, seed: int) -> list[Any]:
    from netline.registry.datasets import demo_records

    return list(demo_records(count, seed))


def _app(data: str, url: str, jwk: dict[str, Any], records: list[Any]) -> tuple[Any, Any]:
    """The app over a new registry holding ``records``, with the user and CDS client of the run."""
    from netline.registry import open_registry
    from netline.registry.fhir import prefetch_record
    from netline.web.app import create_app
    from netline.web.patients import RegistryRepository
    from netline.web.security.accounts import Role
    from netline.web.settings import WebSettings

    settings = WebSettings(
        registry=Path(data) / "registry.duckdb",
        accounts=Path(data) / "web.duckdb",
        public_url=url,
        trusted_cds_clients={ISSUER: {"keys": [jwk]}},
        login_attempts=10_000,
    )
    registry = open_registry(settings.registry)
    registry.import_records([(r.patient.id, r) for r in records], source="benchmark", who="b")
    app = create_app(settings, RegistryRepository(registry), prefetch_converter=prefetch_record)
    app.state.netline.accounts.add_user("bench", PASSWORD, Role.VIEWER)
    return app, registry


def _serve(
    data: str, port: int, jwk: dict[str, Any], page_patients: int, stack: dict[str, Any]
) -> None:
    import uvicorn

    from netline.records import load_case
    from netline.web.serve import settle

    records = [load_case(ROOT / "examples" / "seed-case.yaml"), *_patients(page_patients, 11)]
    app, _ = _app(data, f"http://127.0.0.1:{port}", jwk, records)
    settle()  # as ``netline serve`` does
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False, **stack)


def _serve_cds(data: str, port: int, jwk: dict[str, Any], args: argparse.Namespace) -> Any:
    """Start ``netline serve-cds --workers N`` as its own process tree; return the process."""
    import subprocess
    import sys

    clients = Path(data) / "clients.json"
    clients.write_text(json.dumps({ISSUER: {"keys": [jwk]}}))
    call = (
        "from pathlib import Path; from netline.web.serve import serve_cds; "
        f"serve_cds(Path({data!r}), '127.0.0.1', {port}, workers={args.workers}, "
        f"clients=Path({str(clients)!r}), uvicorn_options={_stack(args)!r})"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    return subprocess.Popen([sys.executable, "-c", call], env=env, stdout=subprocess.DEVNULL)


def _stack(args: argparse.Namespace) -> dict[str, Any]:
    """uvicorn's event loop and HTTP parser settings of this run (``auto`` picks the fastest)."""
    return {"loop": args.loop, "http": args.http}


def _server_stack(loop: str = "auto", http: str = "auto") -> str:
    """Which event loop and HTTP parser uvicorn picks here for ``loop`` and ``http``."""
    from importlib.util import find_spec

    if loop == "auto":
        loop = "uvloop" if find_spec("uvloop") else "asyncio"
    if http == "auto":
        http = "httptools" if find_spec("httptools") else "h11"
    return f"loop {loop}, HTTP parser {http}"


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` and its children alive (Linux ``/proc``)."""
    total, parents = 0.0, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    tree, grew = {pid}, True
    while grew:
        more = {p for p, (parent, _) in parents.items() if parent in tree} - tree
        tree, grew = tree | more, bool(more)
    total = sum(parents[p][1] for p in tree if p in parents)
    return total / os.sysconf("SC_CLK_TCK")


def _raw(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _prefetch(record: Any) -> dict[str, Any]:
    """CDS prefetch for ``record``: its Patient and a searchset Bundle per template."""
    from netline.registry.fhir import bundle_from_record

    resources = [entry["resource"] for entry in bundle_from_record(record)["entry"]]
    prefetch: dict[str, Any] = {
        key: {"resourceType": "Bundle", "type": "searchset", "entry": []}
        for key in PREFETCH_KEY.values()
    }
    for resource in resources:
        kind = resource["resourceType"]
        if kind == "Patient":
            # the EHR's version of the Patient resource: set per call (_versioned)
            resource["meta"] = {**resource.get("meta", {}), "versionId": VERSION_SLOT.decode()}
            prefetch["patient"] = resource
        else:
            prefetch[PREFETCH_KEY.get(kind, "observations")]["entry"].append({"resource": resource})
    return prefetch


def _versioned(body: bytes, call: int) -> bytes:
    """``body`` with the Patient's ``meta.versionId`` set to ``call`` (same length).

    Every call then carries a prefetch the service has not seen, whatever the number of
    processes and their card caches: the cards are built on every call.
    """
    return body.replace(VERSION_SLOT, f"v{call:015d}".encode(), 1)


def _cds_bodies(count: int) -> list[bytes]:
    hook = {"hook": "patient-view", "hookInstance": str(uuid.uuid4())}

    def body(record: Any) -> bytes:
        context = {"userId": "Practitioner/1", "patientId": record.patient.id}
        return json.dumps(hook | {"context": context, "prefetch": _prefetch(record)}).encode()

    return [body(record) for record in _patients(count, 23)]


def _client_key() -> tuple[Any, dict[str, Any]]:
    """A CDS client's ES384 private key and its public JWK."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from jwt.algorithms import ECAlgorithm

    key = ec.generate_private_key(ec.SECP384R1())
    return key, {**json.loads(ECAlgorithm.to_jwk(key.public_key())), "kid": "bench"}


def _tokens(key: Any, audience: str, count: int) -> list[str]:
    import jwt

    now = int(time.time())
    claims = {"iss": ISSUER, "aud": audience, "iat": now, "exp": now + 900}
    return [
        jwt.encode({**claims, "jti": str(uuid.uuid4())}, key, "ES384", headers={"kid": "bench"})
        for _ in range(count)
    ]


def _cycle(make: Callable[[int], bytes]) -> Callable[[], bytes]:
    counter = iter(range(1 << 62))
    return lambda: make(next(counter))


class _Connection:
    """One keep-alive HTTP/1.1 connection over raw asyncio streams."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def send(self, request: bytes) -> int:
        """Send ``request``; return the answer's status after reading its whole body."""
        reused = self.streams is not None
        if self.streams is None:
            self.streams = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self.streams
        writer.write(request)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            partial = getattr(error, "partial", b"")
            if not reused or partial:
                raise
            self.close()  # the server closed the idle connection: resend, as clients do
            return await self.send(request)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])
        }
        if "content-length" not in headers:
            raise ValueError("an answer without Content-Length")  # none of the app's are
        await reader.readexactly(int(headers["content-length"]))
        if headers.get("connection") == "close":
            self.close()
        return status

    def close(self) -> None:
        """Close the connection (the next request opens a new one)."""
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


@dataclasses.dataclass
class _Result:
    latencies: list[float] = dataclasses.field(default_factory=list)
    errors: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)

    async def timed(self, connection: _Connection, request: bytes, due: float, keep: bool) -> None:
        try:
            status = await connection.send(request)
            problem = "" if status == 200 else f"HTTP {status}"
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            connection.close()
            problem = type(error).__name__
        if keep:
            self.latencies.append(time.perf_counter() - due)
            if problem:
                self.errors[problem] += 1


async def _closed_loop(
    port: int, next_request: Callable[[], bytes], args: argparse.Namespace
) -> _Result:
    result, clients, start = _Result(), args.clients, time.perf_counter()
    counted, stop = start + args.warmup, start + args.warmup + args.seconds

    async def client() -> None:
        connection = _Connection(port)
        while (now := time.perf_counter()) < stop:
            await result.timed(connection, next_request(), now, now >= counted)
        connection.close()

    await asyncio.gather(*(client() for _ in range(clients)))
    return result


async def _open_loop(
    port: int, next_request: Callable[[], bytes], args: argparse.Namespace, rate: float
) -> _Result:
    result, warmup = _Result(), args.warmup
    # The most recently used connection first (LIFO: few connections stay warm), or in turn
    # (--spread: every connection used, so with several server processes every process gets
    # calls; a connection is bound to the process that accepted it).
    pool: asyncio.Queue[_Connection] = asyncio.Queue() if args.spread else asyncio.LifoQueue()
    for _ in range(args.clients):
        pool.put_nowait(_Connection(port))
    arrivals, clock, draw = [], 0.0, random.Random(14)
    while clock < warmup + args.seconds:
        arrivals.append(clock)
        clock += draw.expovariate(rate)
    start = time.perf_counter()

    async def one(due: float) -> None:
        connection = await pool.get()
        await result.timed(connection, next_request(), due, due >= start + warmup)
        pool.put_nowait(connection)

    tasks = []
    for offset in arrivals:
        await asyncio.sleep(max(0.0, start + offset - time.perf_counter()))
        tasks.append(asyncio.create_task(one(start + offset)))
    await asyncio.gather(*tasks)
    while not pool.empty():
        pool.get_nowait().close()
    return result


def _report(name: str, result: _Result, seconds: float) -> float:
    ordered, errors = sorted(result.latencies) or [float("nan")], result.errors
    p50, p95, p99 = (ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e3 for q in QS)
    detail = f" ({', '.join(f'{k}: {v}' for k, v in sorted(errors.items()))})" if errors else ""
    print(
        f"  {name:9s} n={len(result.latencies):6d}  p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  "
        f"p99 {p99:8.1f} ms  max {ordered[-1] * 1000:8.1f} ms  "
        f"{len(result.latencies) / seconds:7.1f} req/s  errors {errors.total()}{detail}"
    )
    return p99


def _run_model(
    label: str, workloads: dict[str, Callable[[], bytes]], args: argparse.Namespace, rate: float
) -> None:
    """Run each workload, closed loop (``rate`` 0) or open loop at ``rate`` requests/s."""
    port, server_pid = args.port, args.server_pid
    print(
        f"{label}, {args.clients} connections, {args.seconds:g} s per workload after a "
        f"{args.warmup:g} s warm-up; load average {os.getloadavg()[0]:.2f}"
    )
    p99s: dict[str, float] = {}
    for name, next_request in workloads.items():
        client_cpu, server_cpu = time.process_time(), _cpu_seconds(server_pid)
        if not rate:
            run = _closed_loop(port, next_request, args)
        else:
            run = _open_loop(port, next_request, args, rate)
        result = asyncio.run(run)
        p99s[name] = _report(name, result, args.seconds)
        span = args.seconds + args.warmup
        server_used = _cpu_seconds(server_pid) - server_cpu
        # warm-up included in both: server CPU over the whole span, requests scaled to it
        per_request = server_used / max(1, len(result.latencies)) * args.seconds / span * 1e3
        print(
            f"  {'':9s} CPU: load generator {(time.process_time() - client_cpu) / span:.0%}, "
            f"server {server_used / span:.0%} of one core, about {per_request:.1f} ms per "
            f"request; load average {os.getloadavg()[0]:.2f}"
        )
    if "baseline" in p99s:
        ratios = ", ".join(
            f"{k} x{v / p99s['baseline']:.1f}" for k, v in p99s.items() if k != "baseline"
        )
        print(f"  p99 ratio to the baseline: {ratios}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="measured seconds per workload")
    parser.add_argument("--warmup", type=float, default=5.0, help="uncounted seconds before each")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rate", type=float, default=0.0, help="also an open-loop run at R/s")
    parser.add_argument("--workloads", default="baseline,cds,page")
    parser.add_argument("--cds-patients", type=int, default=400, help="CDS patients")
    parser.add_argument("--page-patients", type=int, default=48, help="patients of the page run")
    parser.add_argument("--tokens", type=int, default=30_000, help="client JWTs signed up front")
    parser.add_argument("--profile", action="store_true", help="only the CPU per call, in process")
    parser.add_argument("--profile-calls", type=int, default=40, help="calls per --profile figure")
    parser.add_argument("--open-only", action="store_true", help="only the open-loop run")
    parser.add_argument(
        "--service",
        choices=("app", "cds"),
        default="app",
        help="app: netline serve (one process); cds: netline serve-cds (baseline and cds only)",
    )
    parser.add_argument("--workers", type=int, default=1, help="serve-cds worker processes")
    parser.add_argument(
        "--spread", action="store_true", help="open loop: use the connections in turn (FIFO)"
    )
    parser.add_argument("--loop", default="auto", help="uvicorn --loop (auto, asyncio, uvloop)")
    parser.add_argument("--http", default="auto", help="uvicorn --http (auto, h11, httptools)")
    args = parser.parse_args()
    if args.service == "app" and args.workers != 1:
        parser.error("netline serve runs one process; use --service cds for --workers")
    if args.service == "cds":
        args.workloads = ",".join(w for w in args.workloads.split(",") if w != "page")
    return args


def _login(base: str, page_ids: list[str]) -> str:
    """Sign in, build every page's view once (not timed); return the session cookie."""
    import httpx

    with httpx.Client(base_url=base, follow_redirects=False, timeout=300) as browser:
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text)
        assert token is not None
        form = {"username": "bench", "password": PASSWORD, "csrf_token": token[1]}
        browser.post("/login", data=form)
        cookie = browser.cookies["netline_session"]
        for patient_id in page_ids:
            assert browser.get(f"/patients/{patient_id}").status_code == 200
    return str(cookie)


def _start(args: argparse.Namespace, data: str, port: int, jwk: dict[str, Any]) -> tuple[Any, int]:
    """Start the server of ``args.service``; return it and the pid whose tree is the server."""
    if args.service == "cds":
        process = _serve_cds(data, port, jwk, args)
        return process, int(process.pid)
    server = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(data, port, jwk, args.page_patients, _stack(args)), daemon=True
    )
    server.start()
    assert server.pid is not None
    return server, server.pid


def main() -> None:
    """Start the server, run the workloads, print the figures."""
    import httpx

    args = _arguments()
    if args.profile:
        import sys

        sys.path.insert(0, str(ROOT))
        from benchmarks.web_profile import profile

        profile(args.profile_calls)
        return
    key, jwk = _client_key()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    audience = "/cds-services/netline-patient-view"
    page_ids = ["seed-case"] + [r.patient.id for r in _patients(args.page_patients, 11)]
    page_ids = page_ids[: args.page_patients]
    with tempfile.TemporaryDirectory() as data:
        server, server_pid = _start(args, data, port, jwk)
        bodies = _cds_bodies(args.cds_patients)
        tokens = _tokens(key, base + audience, args.tokens)
        for _ in range(1200):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            time.sleep(0.1)
        json_type = {"Content-Type": "application/json"}

        def cds(i: int) -> bytes:
            token = tokens[i] if i < len(tokens) else _tokens(key, base + audience, 1)[0]
            headers = {**json_type, "Authorization": f"Bearer {token}"}
            return _raw("POST", audience, headers, _versioned(bodies[i % len(bodies)], i))

        healthz = _raw("GET", "/healthz", {})
        workloads = {"baseline": lambda: healthz, "cds": _cycle(cds)}
        if "page" in args.workloads.split(","):
            session = {"Cookie": f"netline_session={_login(base, page_ids)}"}
            pages = [_raw("GET", f"/patients/{p}", session) for p in page_ids]
            workloads["page"] = _cycle(lambda i: pages[i % len(pages)])
        chosen = {name: workloads[name] for name in args.workloads.split(",")}
        what = (
            f"netline serve-cds, {args.workers} worker process(es)"
            if args.service == "cds"
            else "netline serve, one uvicorn process"
        )
        print(
            f"{what} ({_server_stack(args.loop, args.http)}); load generator in its own "
            f"process; {os.cpu_count()} cores; CDS prefetch of {args.cds_patients} patients, "
            "new on every call" + (f", {len(page_ids)} patients' pages" if "page" in chosen else "")
        )
        args.port, args.server_pid = port, server_pid
        if not args.open_only:
            _run_model("closed loop, zero think time", chosen, args, 0)
        if args.rate:
            label = f"open loop, Poisson arrivals at {args.rate:g} requests/s"
            _run_model(label, chosen, args, args.rate)
        server.terminate()
        if args.service == "cds":
            server.wait(60)
        else:
            server.join()


if __name__ == "__main__":
    main()
