"""CDS Hooks client tokens: accepted when ES384/RS384-signed by a trusted client, else refused."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from netline.web.cds.auth import ClientAuthError, ClientVerifier, ReplayCache, TrustedClient

AUD = "https://netline.test/cds-services/netline-patient-view"
ISS = "https://ehr.test"


def _ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP384R1())


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return _ec_key()


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwks(ec_pub: Any, rsa_pub: Any) -> dict[str, Any]:
    ec_jwk = json.loads(ECAlgorithm.to_jwk(ec_pub))
    ec_jwk["kid"] = "ec-1"
    rsa_jwk = json.loads(RSAAlgorithm.to_jwk(rsa_pub))
    rsa_jwk["kid"] = "rsa-1"
    return {"keys": [ec_jwk, rsa_jwk]}


@pytest.fixture
def verifier(ec_key: ec.EllipticCurvePrivateKey, rsa_key: rsa.RSAPrivateKey) -> ClientVerifier:
    client = TrustedClient(ISS, _jwks(ec_key.public_key(), rsa_key.public_key()))
    return ClientVerifier({ISS: client}, ReplayCache())


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISS,
        "aud": AUD,
        "exp": now + 300,
        "iat": now,
        "jti": f"jti-{time.perf_counter_ns()}",
    }
    claims.update(overrides)
    return claims


def _bearer(token: str) -> str:
    return f"Bearer {token}"


def test_es384_token_from_trusted_client_is_accepted(
    verifier: ClientVerifier, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    token = jwt.encode(_claims(), ec_key, algorithm="ES384", headers={"kid": "ec-1"})
    assert verifier.verify(_bearer(token), AUD)["iss"] == ISS


def test_rs384_token_is_accepted(verifier: ClientVerifier, rsa_key: rsa.RSAPrivateKey) -> None:
    token = jwt.encode(_claims(), rsa_key, algorithm="RS384", headers={"kid": "rsa-1"})
    assert verifier.verify(_bearer(token), AUD)["aud"] == AUD


def test_alg_none_is_refused(verifier: ClientVerifier) -> None:
    token = jwt.encode(_claims(), key=None, algorithm="none")  # type: ignore[arg-type]
    with pytest.raises(ClientAuthError, match="not accepted"):
        verifier.verify(_bearer(token), AUD)


def test_hmac_is_refused_even_with_the_public_key_as_secret(verifier: ClientVerifier) -> None:
    token = jwt.encode(_claims(), "a-shared-secret-of-32-bytes-or-more!!", algorithm="HS256")
    with pytest.raises(ClientAuthError, match="not accepted"):
        verifier.verify(_bearer(token), AUD)


def test_expired_token_is_refused(
    verifier: ClientVerifier, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    old = int(time.time()) - 3600
    token = jwt.encode(
        _claims(exp=old, iat=old - 60), ec_key, algorithm="ES384", headers={"kid": "ec-1"}
    )
    with pytest.raises(ClientAuthError, match="expired"):
        verifier.verify(_bearer(token), AUD)


def test_wrong_audience_is_refused(
    verifier: ClientVerifier, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    token = jwt.encode(
        _claims(aud="https://elsewhere"), ec_key, algorithm="ES384", headers={"kid": "ec-1"}
    )
    with pytest.raises(ClientAuthError, match=r"(?i)audience"):
        verifier.verify(_bearer(token), AUD)


def test_replayed_jti_is_refused(
    verifier: ClientVerifier, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    token = jwt.encode(_claims(jti="once"), ec_key, algorithm="ES384", headers={"kid": "ec-1"})
    verifier.verify(_bearer(token), AUD)
    with pytest.raises(ClientAuthError, match="replayed"):
        verifier.verify(_bearer(token), AUD)


def test_untrusted_issuer_and_foreign_key_are_refused(verifier: ClientVerifier) -> None:
    stranger = _ec_key()
    token = jwt.encode(
        _claims(iss="https://evil.test"), stranger, algorithm="ES384", headers={"kid": "ec-1"}
    )
    with pytest.raises(ClientAuthError, match="not a trusted client"):
        verifier.verify(_bearer(token), AUD)
    forged = jwt.encode(_claims(), stranger, algorithm="ES384", headers={"kid": "ec-1"})
    with pytest.raises(ClientAuthError, match="Signature"):
        verifier.verify(_bearer(forged), AUD)


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer not-a-jwt"])
def test_missing_or_malformed_token_is_refused(
    verifier: ClientVerifier, header: str | None
) -> None:
    with pytest.raises(ClientAuthError):
        verifier.verify(header, AUD)


def test_missing_jti_is_refused(
    verifier: ClientVerifier, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    claims = _claims()
    del claims["jti"]
    token = jwt.encode(claims, ec_key, algorithm="ES384", headers={"kid": "ec-1"})
    with pytest.raises(ClientAuthError, match="jti"):
        verifier.verify(_bearer(token), AUD)


def test_a_token_just_expired_but_within_the_leeway_cannot_be_replayed(
    verifier: ClientVerifier, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    # The expiry check allows 30 s of clock skew, so a token 10 s past ``exp`` still passes;
    # its jti must still be remembered then (it was forgotten at ``exp``: replay accepted).
    now = int(time.time())
    token = jwt.encode(
        _claims(exp=now - 10, iat=now - 70, jti="late"),
        ec_key,
        algorithm="ES384",
        headers={"kid": "ec-1"},
    )
    verifier.verify(_bearer(token), AUD)
    with pytest.raises(ClientAuthError, match="replayed"):
        verifier.verify(_bearer(token), AUD)
