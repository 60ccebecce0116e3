"""``netline serve``: the app on the embedded registry, with the demo data on first start."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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
