"""The demo data of ``netline serve``: published cases, a synthetic cohort and a demo login.

Everything in it is published or synthetic; no patient data. The demo password is made at random
on first start, printed, and kept (readable by the owner only) so that later starts can print it
again.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from netline.web.security.accounts import AccountStore, Role

if TYPE_CHECKING:
    from netline.registry import Registry

DEMO_USER = "demo"
#: Synthetic patients added to the demo (reproducible: fixed seed).
DEMO_COHORT_SIZE = 60
DEMO_SEED = 2024


@dataclass(frozen=True)
class DemoLogin:
    """The demo account's name and password."""

    username: str
    password: str


def load_demo_patients(registry: Registry, examples: Path | None) -> int:
    """Import the published example cases and a synthetic cohort into an empty registry."""
    from netline.registry.datasets import demo_records

    count = 0
    if examples is not None and examples.is_dir():
        cases = sorted(p for p in examples.glob("*.yaml") if p.is_file())
        count += len(registry.import_case_files(cases, who=DEMO_USER, progress=False).added)
    records = demo_records(DEMO_COHORT_SIZE, DEMO_SEED)
    items = [(f"synthetic demo cohort, patient {r.patient.id}", r) for r in records]
    count += len(
        registry.import_records(items, source="synthetic demo cohort", who=DEMO_USER).added
    )
    return count


def demo_login(accounts: AccountStore, folder: Path) -> DemoLogin:
    """Return the demo account, created with a random password on first start."""
    secret_file = folder / "demo-login.txt"
    if secret_file.exists():
        return DemoLogin(DEMO_USER, secret_file.read_text(encoding="utf-8").strip())
    password = secrets.token_urlsafe(12)
    accounts.add_user(DEMO_USER, password, Role.ADMIN)
    descriptor = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    return DemoLogin(DEMO_USER, password)
