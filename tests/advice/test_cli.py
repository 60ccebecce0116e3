"""End to end: ``python -m netline advise`` on the seed case."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
SEED = ROOT / "examples" / "seed-case.yaml"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NETLINE_DEBUG": ""}
    return subprocess.run(
        [sys.executable, "-m", "netline", "advise", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def test_text_at_a_date() -> None:
    result = run(str(SEED), "--at", "2019-02-01")
    assert result.returncode == 0, result.stderr
    assert "netline advice: umino-2024-seed at 2019-02-01" in result.stdout
    assert "177Lu-DOTATATE" in result.stdout
    assert "does not replace it" in result.stdout


def test_json_and_html() -> None:
    result = run(str(SEED), "--at", "2022-06-01", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["surgery"]["flagged_for_discussion"] is True
    html = run(str(SEED), "--html")
    assert html.returncode == 0, html.stderr
    assert html.stdout.startswith('<section class="netline-advice"')


def test_replay() -> None:
    result = run(str(SEED), "--replay")
    assert result.returncode == 0, result.stderr
    assert "netline replay: umino-2024-seed" in result.stdout
    assert "Actually done: partial hepatectomy (conversion)" in result.stdout
    data = json.loads(run(str(SEED), "--replay", "--json").stdout)
    assert len(data["steps"]) >= 4


def test_bad_input_gives_a_message_and_exit_code_2(tmp_path: Path) -> None:
    result = run(str(SEED), "--at", "01/02/2019")
    assert result.returncode == 2
    assert "YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.stderr
    early = run(str(SEED), "--at", "2000-01-01")
    assert early.returncode == 2
    assert "before the diagnosis" in early.stderr
    missing = run(str(tmp_path / "none.yaml"))
    assert missing.returncode == 2
    both = run(str(SEED), "--replay", "--at", "2019-02-01")
    assert both.returncode == 2
