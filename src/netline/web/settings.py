"""Settings of the web app and the CDS Hooks service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class WebSettings(BaseModel):
    """Where the data live and how the app protects them.

    Parameters
    ----------
    database : Path
        The registry's DuckDB file; accounts, sessions and the audit log live beside the patients.
    cases : Path
        Folder of case files the app reads and writes (one file per patient).
    public_url : str
        The address clients use; CDS client tokens must name ``<public_url>/cds-services/<id>``
        as their audience.
    https : bool
        Served over TLS: cookies are ``Secure`` and HSTS is sent.
    session_minutes : int
        Absolute lifetime of a login session.
    login_attempts : int
        Failed logins allowed per client address and per user name in ``login_window_s``.
    trusted_cds_clients : dict
        Issuer → JWKS (``{"keys": [...]}``) of each EHR allowed to call the CDS service.
    fhir_server : str or None
        A FHIR server to fetch missing prefetch from; without it, missing prefetch gives 412.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    database: Path = Path("netline-registry.duckdb")
    cases: Path = Path("netline-cases")
    public_url: str = "http://127.0.0.1:8000"
    https: bool = False
    session_minutes: int = Field(default=60, ge=1, le=24 * 60)
    login_attempts: int = Field(default=5, ge=1)
    login_window_s: float = Field(default=300.0, gt=0)
    trusted_cds_clients: dict[str, dict[str, Any]] = Field(default_factory=dict)
    fhir_server: str | None = None
