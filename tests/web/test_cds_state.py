"""The CDS service's shared state across processes: replays refused, audit rows all kept.

``netline serve-cds --workers N`` runs the CDS Hooks service in N processes; CDS Hooks 2.0
("Trusting CDS Clients") asks the service to refuse a token whose ``jti`` it has seen, whichever
process saw it, and issue 14 asks for an audit row of every read of patient data.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from jwt.algorithms import ECAlgorithm

from netline.records import CaseRecord
from netline.registry.fhir import bundle_from_record
from netline.web.cds.auth import ClientAuthError
from netline.web.cds.state import CdsState
from netline.web.security.headers import CONTENT_SECURITY_POLICY

from .conftest import PASSWORD, login

ROOT = Path(__file__).resolve().parents[2]
ISS = "https://ehr.test"
SERVICE = "/cds-services/netline-patient-view"


def _claim(path: str, jti: str, start: Any, out: Any) -> None:
    """In a child process: wait for the start signal, then try to use ``jti`` once."""
    state = CdsState(path)
    start.wait()
    try:
        state.check_and_add(ISS, jti, time.time() + 300)
        out.put("accepted")
    except ClientAuthError:
        out.put("refused")
    state.close()


def test_a_jti_is_accepted_by_one_process_only(tmp_path: Path) -> None:
    path = str(tmp_path / "cds-state.sqlite")
    CdsState(path).close()
    spawn = multiprocessing.get_context("spawn")
    for round_ in range(3):
        start, out = spawn.Event(), spawn.Queue()
        jti = f"jti-{round_}"
        children = [spawn.Process(target=_claim, args=(path, jti, start, out)) for _ in range(4)]
        for child in children:
            child.start()
        time.sleep(0.5)
        start.set()
        for child in children:
            child.join(60)
        answers = sorted(out.get(timeout=10) for _ in children)
        assert answers == ["accepted", "refused", "refused", "refused"]
    # a process that starts later sees the ids as well
    with pytest.raises(ClientAuthError, match="replayed"):
        CdsState(path).check_and_add(ISS, "jti-0", time.time() + 300)


def _write_audit(path: str, worker: int, start: Any) -> None:
    """In a child process: 4 threads append 25 audit rows each."""
    state = CdsState(path)
    start.wait()

    def rows(thread: int) -> None:
        for step in range(25):
            state.audit(f"cds:{ISS}", "cds_patient_view", "p1", f"w{worker}-t{thread}-{step}")

    threads = [threading.Thread(target=rows, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state.close()


def test_audit_rows_of_concurrent_processes_all_land(tmp_path: Path) -> None:
    path = str(tmp_path / "cds-state.sqlite")
    CdsState(path).close()
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Event()
    children = [spawn.Process(target=_write_audit, args=(path, w, start)) for w in range(3)]
    for child in children:
        child.start()
    time.sleep(0.5)
    start.set()
    for child in children:
        child.join(120)
        assert child.exitcode == 0
    details = [entry.detail for entry in CdsState(path).audit_log(limit=10_000)]
    expected = [f"w{w}-t{t}-{s}" for w in range(3) for t in range(4) for s in range(25)]
    assert sorted(details) == sorted(expected)


def test_expired_token_ids_are_forgotten_only_after_they_can_no_longer_pass(
    tmp_path: Path,
) -> None:
    now = [1_000.0]
    state = CdsState(tmp_path / "s.sqlite", clock=lambda: now[0])
    state.check_and_add(ISS, "a", 1_030.0)
    now[0] = 1_029.0 + 120  # past the next prune
    state.check_and_add(ISS, "b", 2_000.0)  # prunes "a" (it can no longer pass)
    state.check_and_add(ISS, "a", 3_000.0)  # forgotten: accepted again by the store
    with pytest.raises(ClientAuthError):
        state.check_and_add(ISS, "b", 2_000.0)


def test_the_audit_page_shows_the_cds_rows(fresh_client: TestClient) -> None:
    state = fresh_client.app.state.cds.state  # type: ignore[attr-defined]
    state.audit(f"cds:{ISS}", "cds_patient_view", "seed-case")
    login(fresh_client, "admin", PASSWORD)
    page = fresh_client.get("/audit").text
    assert f"cds:{ISS}" in page
    assert "cds patient view" in page


# --- the service in two worker processes, end to end -------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _prefetch(record: CaseRecord) -> dict[str, Any]:
    keys = {"Condition": "conditions", "MedicationAdministration": "medications"}
    keys |= {"Procedure": "procedures", "Observation": "observations"}
    prefetch: dict[str, Any] = {
        key: {"resourceType": "Bundle", "type": "searchset", "entry": []} for key in keys.values()
    }
    for entry in bundle_from_record(record)["entry"]:
        kind = entry["resource"]["resourceType"]
        if kind == "Patient":
            prefetch["patient"] = entry["resource"]
        else:
            prefetch[keys.get(kind, "observations")]["entry"].append(entry)
    return prefetch


def test_serve_cds_with_two_workers(tmp_path: Path, seed_record: CaseRecord) -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    jwk = {**json.loads(ECAlgorithm.to_jwk(key.public_key())), "kid": "k1"}
    clients = tmp_path / "clients.json"
    clients.write_text(json.dumps({ISS: {"keys": [jwk]}}))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "netline", "serve-cds", "--workers", "2", "--port", str(port)]
    command += ["--data", str(tmp_path / "data"), "--clients", str(clients)]
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        body = {
            "hook": "patient-view",
            "hookInstance": str(uuid.uuid4()),
            "context": {"userId": "Practitioner/1", "patientId": seed_record.patient.id},
            "prefetch": _prefetch(seed_record),
        }

        def token() -> dict[str, str]:
            now = int(time.time())
            claims = {"iss": ISS, "aud": base + SERVICE, "iat": now, "exp": now + 300}
            signed = jwt.encode(
                {**claims, "jti": str(uuid.uuid4())}, key, "ES384", headers={"kid": "k1"}
            )
            return {"Authorization": f"Bearer {signed}"}

        used = [token() for _ in range(12)]
        answers = []
        for headers in used:  # a new connection each time: either worker may answer
            answers.append(httpx.post(base + SERVICE, json=body, headers=headers, timeout=60))
        assert [a.status_code for a in answers] == [200] * 12
        assert answers[0].headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert answers[0].headers["x-frame-options"] == "DENY"
        assert answers[0].json()["cards"][0]["links"][0]["url"].endswith("/patients/seed-case")
        replays = [httpx.post(base + SERVICE, json=body, headers=h, timeout=60) for h in used]
        assert [r.status_code for r in replays] == [401] * 12
        assert httpx.get(f"{base}/cds-services").json()["services"][0]["hook"] == "patient-view"
    finally:
        server.terminate()
        server.wait(60)
        log.close()
    rows = CdsState(tmp_path / "data" / "cds-state.sqlite").audit_log(limit=100)
    assert len(rows) == 12
    assert {(r.username, r.action, r.patient_id) for r in rows} == {
        (f"cds:{ISS}", "cds_patient_view", "seed-case")
    }
    output = (tmp_path / "server.log").read_text()
    assert "seed-case" not in output  # no patient data in the logs
