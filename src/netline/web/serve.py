"""``netline serve``: the app on the embedded registry, with the demo data on first start."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netline.web.demo import DemoLogin, demo_login, load_demo_patients
from netline.web.patients import RegistryRepository
from netline.web.settings import WebSettings

if TYPE_CHECKING:
    from fastapi import FastAPI


def prepare(data: Path, examples: Path | None, public_url: str) -> tuple[FastAPI, DemoLogin]:
    """Build the app over ``data`` (created and filled with the demo on first start)."""
    from netline.registry import open_registry
    from netline.registry.fhir import prefetch_record
    from netline.web.app import create_app

    data.mkdir(parents=True, exist_ok=True)
    model = examples / "models" / "pnet-evidence.yaml" if examples is not None else None
    mapping = examples / "registry" / "redcap" / "mapping.yaml" if examples is not None else None
    settings = WebSettings(
        registry=data / "registry.duckdb",
        accounts=data / "web.duckdb",
        public_url=public_url,
        simulation_model=model if model is not None and model.is_file() else None,
        redcap_mapping=mapping if mapping is not None and mapping.is_file() else None,
    )
    registry = open_registry(settings.registry)
    if not registry.patient_ids():
        load_demo_patients(registry, examples)
    app = create_app(settings, RegistryRepository(registry), prefetch_converter=prefetch_record)
    login = demo_login(app.state.netline.accounts, data)
    return app, login


def settle() -> int:
    """Load what every request needs, then exempt the start-up objects from garbage collection.

    The knowledge base is loaded now rather than by the first request. Then ``gc.freeze()``
    moves every object alive after start-up (the knowledge base, the app, the imported
    libraries: about 200,000 objects) out of the collector's reach: a full collection no
    longer scans them, so it pauses the server for well under a millisecond instead of about
    125 ms (benchmarks/README.md, issue 14), a pause every request in flight would wait for.
    Returns the number of objects frozen.
    """
    import gc

    from netline.evidence import load_knowledge_base

    load_knowledge_base()
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def serve(data: Path, examples: Path | None, host: str, port: int) -> None:
    """Start the server (blocks until interrupted).

    One process: the registry and the accounts are DuckDB files, which one process at a time
    may open for writing, so several uvicorn workers cannot share them. uvicorn uses uvloop and
    httptools when they are installed (``uvicorn[standard]``), else asyncio and h11. There is
    no access log (request paths name patients).
    """
    import uvicorn

    url = f"http://{host}:{port}"
    app, login = prepare(data, examples, url)
    settle()
    print(f"netline is running at {url}/")
    print(f"demo login: user {login.username!r}, password {login.password!r}")
    print("stop with Ctrl+C")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def read_trusted_clients(path: Path) -> dict[str, dict[str, Any]]:
    """Read the trusted CDS clients file: a JSON object, issuer → JWKS (``{"keys": [...]}``).

    Raises
    ------
    InvalidInputError
        Naming the file, the line or issuer, the value and what was expected.
    """
    from netline.errors import InvalidInputError, Problem

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidInputError(
            [Problem("file", str(path), f"a readable file ({error.strerror})")], source=str(path)
        ) from None
    except json.JSONDecodeError as error:
        raise InvalidInputError(
            [Problem("", error.msg, "valid JSON", line=error.lineno)], source=str(path)
        ) from None
    if not isinstance(data, dict):
        raise InvalidInputError(
            [Problem("(top level)", type(data).__name__, "an object: issuer -> JWKS")],
            source=str(path),
        )
    problems = [
        Problem(str(issuer), jwks, 'a JWKS: {"keys": [public keys]}')
        for issuer, jwks in data.items()
        if not (isinstance(jwks, dict) and isinstance(jwks.get("keys"), list) and jwks["keys"])
    ]
    if problems:
        raise InvalidInputError(problems, source=str(path))
    return data


def serve_cds(
    data: Path,
    host: str,
    port: int,
    *,
    workers: int = 1,
    clients: Path | None = None,
    public_url: str | None = None,
    uvicorn_options: Mapping[str, Any] | None = None,
) -> None:
    """Start the CDS Hooks service alone, in ``workers`` processes (blocks until interrupted).

    No registry and no pages: discovery, ``patient-view`` and ``/healthz``. The processes share
    the SQLite state in ``data`` (token ids seen, audit rows: :mod:`netline.web.cds.state`),
    which the app's audit page shows. ``clients`` is the trusted clients file
    (:func:`read_trusted_clients`); ``public_url`` the address clients call (their tokens'
    audience), by default ``http://host:port``.
    """
    import os

    import uvicorn

    from netline.web.cds.app import SETTINGS_ENV
    from netline.web.cds.state import CdsState

    url = public_url or f"http://{host}:{port}"
    settings = WebSettings(
        registry=data / "registry.duckdb",
        accounts=data / "web.duckdb",
        public_url=url,
        trusted_cds_clients=read_trusted_clients(clients) if clients is not None else {},
    )
    data.mkdir(parents=True, exist_ok=True)
    CdsState(settings.cds_state_file).close()  # created once, before the workers open it
    os.environ[SETTINGS_ENV] = settings.model_dump_json()
    print(f"netline CDS Hooks service at {url}/cds-services ({workers} worker processes)")
    if not settings.trusted_cds_clients:
        print("no trusted CDS clients configured (--clients): every hook call is refused")
    uvicorn.run(
        "netline.web.cds.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        **dict(uvicorn_options or {}),
    )
