"""Settings of the web app and the CDS Hooks service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class WebSettings(BaseModel):
    """Where the data live and how the app protects them.

    Parameters
    ----------
    registry : Path
        The registry (a DuckDB file, :mod:`netline.registry`) the app reads and writes.
    accounts : Path
        The DuckDB file of the app's accounts, sessions and audit log of patient-data access.
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
    simulation_model : Path or None
        The simulator model (YAML, :mod:`netline.simulation`) whose sequences the patient page
        simulates from the patient's current state; without it the page says so.
    simulation_patients, simulation_draws : int
        Simulated patients per PSA draw and PSA draws of one patient-page simulation.
    redcap_mapping : Path or None
        The REDCap mapping file used when an import does not upload its own.
    cds_concurrent_builds : int
        CDS card builds (FHIR mapping, course, advice: for a prefetch not seen before) allowed to
        run at once; the others wait their turn. The work is mostly Python, which runs on one
        core at a time, so 1 (the default) answers a burst soonest on average
        (benchmarks/README.md, issue 14).
    cds_state : Path or None
        The SQLite file the CDS Hooks service shares between its processes (client token ids
        seen, audit rows of its calls; :mod:`netline.web.cds.state`); default
        ``cds-state.sqlite`` beside ``accounts``.
    deid_secret : Path or None
        The file holding the secret that seeds each patient's date shift in de-identified exports
        (created, readable by the owner only, on first use); default ``deid-secret.key`` beside
        ``accounts``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    registry: Path = Path(".netline/registry.duckdb")
    accounts: Path = Path(".netline/web.duckdb")
    public_url: str = "http://127.0.0.1:8000"
    https: bool = False
    session_minutes: int = Field(default=60, ge=1, le=24 * 60)
    login_attempts: int = Field(default=5, ge=1)
    login_window_s: float = Field(default=300.0, gt=0)
    trusted_cds_clients: dict[str, dict[str, Any]] = Field(default_factory=dict)
    fhir_server: str | None = None
    simulation_model: Path | None = None
    simulation_patients: int = Field(default=1000, ge=10, le=100_000)
    simulation_draws: int = Field(default=100, ge=1, le=10_000)
    redcap_mapping: Path | None = None
    deid_secret: Path | None = None
    cds_state: Path | None = None
    cds_concurrent_builds: int = Field(default=1, ge=1, le=64)

    @property
    def deid_secret_file(self) -> Path:
        """Where the de-identification secret is kept."""
        return self.deid_secret or self.accounts.parent / "deid-secret.key"

    @property
    def cds_state_file(self) -> Path:
        """Where the CDS service keeps the state its processes share."""
        return self.cds_state or self.accounts.parent / "cds-state.sqlite"
