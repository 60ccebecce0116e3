"""The two execution modes of the loop kernels (netline._jit): how a mode is chosen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from netline import _jit
from netline._jit import COMPILE_MIN_ROWS, ENVIRONMENT, compiles, forced, kernel_mode
from netline.errors import InvalidInputError

ROOT = Path(__file__).resolve().parents[2]


def test_auto_mode_compiles_large_batches_or_once_compiled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ENVIRONMENT, raising=False)
    monkeypatch.setattr(_jit, "_any_compiled", False)
    assert not compiles(COMPILE_MIN_ROWS - 1)
    assert compiles(COMPILE_MIN_ROWS)
    monkeypatch.setattr(_jit, "_any_compiled", True)  # numba already paid for: use it
    assert compiles(1)


def test_a_batch_keeps_the_mode_its_registry_chose(monkeypatch: pytest.MonkeyPatch) -> None:
    # a registry cut into one batch per core: each batch is below the compile size, yet runs
    # compiled as the whole registry does (before, the first small batch ran uncompiled)
    monkeypatch.delenv(ENVIRONMENT, raising=False)
    monkeypatch.setattr(_jit, "_any_compiled", False)
    with kernel_mode(COMPILE_MIN_ROWS) as whole, kernel_mode(COMPILE_MIN_ROWS // 2) as part:
        assert whole
        assert part
    with kernel_mode(1) as small:
        assert not small


def test_environment_and_forced_modes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_jit, "_any_compiled", False)
    monkeypatch.setenv(ENVIRONMENT, "compiled")
    assert compiles(1)
    monkeypatch.setenv(ENVIRONMENT, "python")
    assert not compiles(10**9)
    with forced("compiled"):  # the block wins over the environment
        assert compiles(1)
        with kernel_mode(1) as compiled:
            assert compiled


def test_unknown_mode_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENVIRONMENT, "fast")
    with pytest.raises(InvalidInputError) as error:
        compiles(1)
    assert ENVIRONMENT in str(error.value)
    assert "fast" in str(error.value)
    with pytest.raises(ValueError, match="mode"), forced("fast"):
        pass


@pytest.mark.parametrize("command", ["derive_course", "assess", "advise"])
def test_one_patient_imports_no_numba_polars_or_pandas(command: str) -> None:
    """One patient (assess, advise) runs the kernels uncompiled and reads its tables without
    Polars, pandas or ``pyarrow.compute``: their imports cost about 0.4, 0.17, 0.3 and 0.05 s,
    more than the derivation. (The course engine imported Polars and ``pyarrow.compute`` for
    every command until 12-03.)"""
    run = {
        "derive_course": "from netline.course import derive_course\n"
        "derive_course(load_case('examples/seed-case.yaml'))\n",
        "assess": "import netline\nnetline.assess(load_case('examples/seed-case.yaml'))\n",
        "advise": "import netline\nnetline.advise(load_case('examples/seed-case.yaml'))\n",
    }[command]
    code = (
        "import sys\n"
        "from netline.records import load_case\n"
        f"{run}"
        "unwanted = ('numba', 'polars', 'pandas', 'pyarrow.compute')\n"
        "print(sorted(m for m in unwanted if m in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != ENVIRONMENT}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_large_batch_runs_every_kernel_compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every kernel of a derivation runs in the batch's mode, none silently in Python.

    (The output's string kernels once ran outside the batch's mode, in Python: 40 us a
    patient at 10^6.)
    """
    from netline.clinical.recist import vectorised
    from netline.course import (
        LineRules,
        _kernel_arrays,
        _kernel_eras,
        _kernel_lines,
        _kernel_outcomes,
        derive_lines,
    )
    from netline.course.synthetic import synthetic_cohort

    tables = synthetic_cohort(30, seed=5, with_lesions=False).tables
    with forced("compiled"):
        expected = derive_lines(tables, LineRules())  # compiles (or loads) every kernel
    modules = (vectorised, _kernel_arrays, _kernel_eras, _kernel_lines, _kernel_outcomes)
    kernels = [k for m in modules for k in vars(m).values() if isinstance(k, _jit.Kernel)]
    assert len(kernels) >= 12

    def refuse(*args: object) -> None:
        raise AssertionError("a kernel ran in Python inside a compiled batch")

    for k in kernels:
        monkeypatch.setattr(k, "py_func", refuse)
    monkeypatch.delenv(ENVIRONMENT, raising=False)
    monkeypatch.setattr(_jit, "_any_compiled", False)
    monkeypatch.setattr(_jit, "COMPILE_MIN_ROWS", 1)
    course = derive_lines(tables, LineRules())
    assert course.lines.equals(expected.lines)
    assert course.patients.equals(expected.patients)
