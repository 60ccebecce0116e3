"""Verification of the JSON Web Token a CDS client sends with every hook call.

CDS Hooks 2.0 ("Trusting CDS Clients"): the client signs a JWT with its private key; the service
checks the signature against the client's published keys, that ``aud`` is the service's own URL,
that the token is unexpired, and that its ``jti`` has not been seen before. Only asymmetric
ES384 and RS384 are accepted: ``alg: none`` and HMAC are refused, whatever the header says.
PyJWT does the cryptography; this module only states the policy.

References
----------
HL7 CDS Hooks 2.0, section "Security and Safety" (https://cds-hooks.hl7.org/2.0/).
RFC 7519 (JWT) and RFC 7517 (JWK).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import jwt

#: The only signature algorithms a CDS client may use.
ALLOWED_ALGORITHMS = ("ES384", "RS384")
#: Claims every client token must carry.
REQUIRED_CLAIMS = ("iss", "aud", "exp", "iat", "jti")


class ClientAuthError(Exception):
    """A CDS client token was refused; the message says why (safe to return to the client)."""


@dataclass(frozen=True)
class TrustedClient:
    """A CDS client allowed to call the service: its issuer and its public keys (a JWKS)."""

    issuer: str
    jwks: Mapping[str, Any]

    def key_for(self, kid: str | None) -> Any:
        """Return the public key with id ``kid`` (or the only key when the token names none)."""
        keys = list(self.jwks.get("keys", []))
        if kid is None and len(keys) == 1:
            return jwt.PyJWK(keys[0]).key
        for entry in keys:
            if entry.get("kid") == kid:
                return jwt.PyJWK(entry).key
        raise ClientAuthError(f"no key {kid!r} for issuer {self.issuer!r}")


class ReplayStore(Protocol):
    """Where the ``jti`` values already used are kept (one process, or shared between processes)."""

    def check_and_add(self, issuer: str, jti: str, expires_at: float) -> None:
        """Refuse a ``jti`` already used by ``issuer``; remember this one until ``expires_at``."""


@dataclass
class ReplayCache:
    """The ``jti`` values seen in this process, each kept until its token can no longer pass.

    For one process only (tests, a single server); :class:`netline.web.cds.state.CdsState`
    keeps them in SQLite for every process of a server.
    """

    clock: Callable[[], float] = time.time
    _seen: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check_and_add(self, issuer: str, jti: str, expires_at: float) -> None:
        """Refuse a ``jti`` already used by this issuer; remember this one."""
        key = f"{issuer}\x00{jti}"
        with self._lock:
            now = self.clock()
            for stale in [k for k, exp in self._seen.items() if exp < now]:
                del self._seen[stale]
            if key in self._seen:
                raise ClientAuthError("token replayed (jti already used)")
            self._seen[key] = expires_at


@dataclass
class ClientVerifier:
    """Checks bearer tokens from the configured trusted CDS clients."""

    clients: Mapping[str, TrustedClient]
    replay: ReplayStore = field(default_factory=ReplayCache)
    leeway_s: int = 30

    def verify(self, authorization: str | None, audience: str) -> dict[str, Any]:
        """Return the verified claims of the ``Authorization: Bearer`` token.

        Raises
        ------
        ClientAuthError
            For a missing, malformed, unsigned, HMAC-signed, expired, wrong-audience, unknown
            issuer or replayed token.
        """
        if not authorization or not authorization.startswith("Bearer "):
            raise ClientAuthError("missing bearer token")
        token = authorization.removeprefix("Bearer ").strip()
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as error:
            raise ClientAuthError(f"malformed token ({error})") from None
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            raise ClientAuthError(f"algorithm {header.get('alg')!r} not accepted")
        client = self.clients.get(str(unverified.get("iss")))
        if client is None:
            raise ClientAuthError(f"issuer {unverified.get('iss')!r} is not a trusted client")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                client.key_for(header.get("kid")),
                algorithms=list(ALLOWED_ALGORITHMS),
                audience=audience,
                issuer=client.issuer,
                leeway=self.leeway_s,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.PyJWTError as error:
            raise ClientAuthError(f"token refused ({error})") from None
        # Remembered until the token can no longer pass the expiry check, leeway included: a
        # jti forgotten at ``exp`` could be replayed during the leeway.
        last_accepted = float(claims["exp"]) + self.leeway_s
        self.replay.check_and_add(client.issuer, str(claims["jti"]), last_accepted)
        return claims
