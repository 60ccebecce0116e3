"""CDS Hooks 2.0 through HTTP: discovery, cards, client JWT checks, 412 on missing prefetch."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from jwt.algorithms import ECAlgorithm

from netline.records import CaseRecord
from netline.registry import open_registry
from netline.web.app import create_app
from netline.web.cds.service import PREFETCH, SERVICE_ID, SUMMARY_LIMIT
from netline.web.patients import RegistryRepository
from netline.web.settings import WebSettings

ISS = "https://ehr.test"
BASE = "http://testserver"
AUD = f"{BASE}/cds-services/{SERVICE_ID}"


@pytest.fixture(scope="module")
def key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP384R1())


@pytest.fixture(scope="module")
def client(
    tmp_path_factory: pytest.TempPathFactory,
    key: ec.EllipticCurvePrivateKey,
    seed_record: CaseRecord,
) -> Iterator[TestClient]:
    tmp: Path = tmp_path_factory.mktemp("cds")
    jwk = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    jwk["kid"] = "k1"
    settings = WebSettings(
        registry=tmp / "registry.duckdb",
        accounts=tmp / "web.duckdb",
        public_url=BASE,
        trusted_cds_clients={ISS: {"keys": [jwk]}},
    )
    app = create_app(
        settings,
        RegistryRepository(open_registry(settings.registry)),
        prefetch_converter=lambda _: seed_record,
    )
    with TestClient(app) as test_client:
        yield test_client


def _token(key: ec.EllipticCurvePrivateKey, **claims: Any) -> dict[str, str]:
    now = int(time.time())
    body = {"iss": ISS, "aud": AUD, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4())}
    body.update(claims)
    token = jwt.encode(body, key, algorithm="ES384", headers={"kid": "k1"})
    return {"Authorization": f"Bearer {token}"}


def _request(prefetch: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "hook": "patient-view",
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/1", "patientId": "seed-case"},
        "prefetch": prefetch
        if prefetch is not None
        else {k: {"resourceType": "Bundle"} for k in PREFETCH},
    }


def test_discovery_lists_the_patient_view_service(client: TestClient) -> None:
    services = client.get("/cds-services").json()["services"]
    assert [s["id"] for s in services] == [SERVICE_ID]
    assert services[0]["hook"] == "patient-view"
    assert set(services[0]["prefetch"]) == set(PREFETCH)


def test_patient_view_returns_a_card(client: TestClient, key: ec.EllipticCurvePrivateKey) -> None:
    response = client.post(f"/cds-services/{SERVICE_ID}", json=_request(), headers=_token(key))
    assert response.status_code == 200
    (card,) = response.json()["cards"]
    assert len(card["summary"]) < SUMMARY_LIMIT
    assert card["indicator"] in {"info", "warning", "critical"}
    assert card["source"]["label"]
    assert card["links"][0]["url"].endswith("/patients/seed-case")
    assert "does not make the decision" in card["detail"]
    # cards are built from the patient's data: never cached (discovery may be)
    assert response.headers["cache-control"] == "no-store"
    assert client.get("/cds-services").headers.get("cache-control") != "no-store"


def test_missing_prefetch_without_fhir_server_is_412(
    client: TestClient, key: ec.EllipticCurvePrivateKey
) -> None:
    response = client.post(
        f"/cds-services/{SERVICE_ID}", json=_request(prefetch={}), headers=_token(key)
    )
    assert response.status_code == 412
    assert "patient" in response.json()["detail"]


@pytest.mark.parametrize(
    "claims",
    [{"aud": "https://other/cds-services/x"}, {"exp": 1_000_000_000, "iat": 999_999_000}],
    ids=["wrong audience", "expired"],
)
def test_bad_tokens_are_401(
    client: TestClient, key: ec.EllipticCurvePrivateKey, claims: dict[str, Any]
) -> None:
    response = client.post(
        f"/cds-services/{SERVICE_ID}", json=_request(), headers=_token(key, **claims)
    )
    assert response.status_code == 401


def test_unsigned_and_replayed_tokens_are_401(
    client: TestClient, key: ec.EllipticCurvePrivateKey
) -> None:
    now = int(time.time())
    unsigned = jwt.encode(
        {"iss": ISS, "aud": AUD, "iat": now, "exp": now + 60, "jti": "u"},
        None,  # type: ignore[arg-type]
        algorithm="none",
    )
    response = client.post(
        f"/cds-services/{SERVICE_ID}",
        json=_request(),
        headers={"Authorization": f"Bearer {unsigned}"},
    )
    assert response.status_code == 401
    headers = _token(key)
    assert (
        client.post(f"/cds-services/{SERVICE_ID}", json=_request(), headers=headers).status_code
        == 200
    )
    replay = client.post(f"/cds-services/{SERVICE_ID}", json=_request(), headers=headers)
    assert replay.status_code == 401
    assert "replayed" in replay.json()["detail"]


def test_no_token_is_401(client: TestClient) -> None:
    assert client.post(f"/cds-services/{SERVICE_ID}", json=_request()).status_code == 401


@pytest.mark.parametrize("limit", [1, 2])
def test_cards_for_new_prefetch_are_built_at_most_n_at_a_time(
    tmp_path: Path, key: ec.EllipticCurvePrivateKey, seed_record: CaseRecord, limit: int
) -> None:
    # Builds share one core for their Python work; more at once only make all of them later.
    running, most = 0, 0
    guard = threading.Lock()

    def slow_converter(prefetch: Any) -> CaseRecord:
        nonlocal running, most
        with guard:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with guard:
            running -= 1
        return seed_record

    jwk = {**json.loads(ECAlgorithm.to_jwk(key.public_key())), "kid": "k1"}
    settings = WebSettings(
        registry=tmp_path / "registry.duckdb",
        accounts=tmp_path / "web.duckdb",
        public_url=BASE,
        trusted_cds_clients={ISS: {"keys": [jwk]}},
        cds_concurrent_builds=limit,
    )
    app = create_app(
        settings,
        RegistryRepository(open_registry(settings.registry)),
        prefetch_converter=slow_converter,
    )
    codes: list[int] = []
    with TestClient(app) as test_client:

        def call(n: int) -> None:
            prefetch = {k: {"resourceType": "Bundle", "id": f"{k}-{n}"} for k in PREFETCH}
            answer = test_client.post(AUD, json=_request(prefetch), headers=_token(key))
            codes.append(answer.status_code)

        threads = [threading.Thread(target=call, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert codes == [200] * 6
    assert most == limit
