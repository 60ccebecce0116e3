"""``netline serve``: the app on the embedded store, with the demo data on first start."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from netline.web.demo import DemoLogin, demo_login, load_demo_patients
from netline.web.patients import CaseFolderRepository
from netline.web.settings import WebSettings

if TYPE_CHECKING:
    from fastapi import FastAPI


def prepare(data: Path, examples: Path | None, public_url: str) -> tuple[FastAPI, DemoLogin]:
    """Build the app over ``data`` (created and filled with the demo on first start)."""
    from netline.web.app import create_app

    data.mkdir(parents=True, exist_ok=True)
    settings = WebSettings(
        database=data / "registry.duckdb", cases=data / "cases", public_url=public_url
    )
    first_start = not settings.cases.exists()
    patients = CaseFolderRepository(settings.cases)
    if first_start:
        load_demo_patients(patients, examples)
    app = create_app(settings, patients)
    login = demo_login(app.state.netline.accounts, data)
    return app, login


def serve(data: Path, examples: Path | None, host: str, port: int) -> None:
    """Start the server (blocks until interrupted)."""
    import uvicorn

    url = f"http://{host}:{port}"
    app, login = prepare(data, examples, url)
    print(f"netline is running at {url}/")
    print(f"demo login: user {login.username!r}, password {login.password!r}")
    print("stop with Ctrl+C")
    uvicorn.run(app, host=host, port=port, log_level="warning")
