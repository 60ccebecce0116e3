"""Password hashing with Argon2id (argon2-cffi), never by hand.

References
----------
Biryukov A, Dinu D, Khovratovich D, Josefsson S. Argon2 memory-hard function for password hashing
and proof-of-work applications. RFC 9106, 2021.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()

#: Shortest password accepted when an account is created.
MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    """Return the Argon2id hash of ``password`` (salted; parameters in the hash string)."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``; a malformed hash never matches."""
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with parameters weaker than today's defaults."""
    return _HASHER.check_needs_rehash(stored_hash)
