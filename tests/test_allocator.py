"""``import netline`` asks glibc for one allocator arena; the course engine puts Arrow on malloc.

The behaviour is read back from glibc itself: ``malloc_info`` lists one ``<heap>`` per arena,
after a second thread has allocated (the moment glibc would give it an arena of its own).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from netline._allocator import ARROW_POOL_VARIABLE, OPT_OUT, _left_to_user, on_glibc

GLIBC = sys.platform.startswith("linux") and on_glibc()

# A second thread allocates, then glibc's own report is parsed for its arenas.
_PROBE = textwrap.dedent(
    """
    import ctypes, re, sys, tempfile, threading
    {first}
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.fopen.restype = ctypes.c_void_p
    libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
    libc.fclose.argtypes = [ctypes.c_void_p]
    threading.Thread(target=lambda: libc.malloc(1 << 16)).start()
    with tempfile.NamedTemporaryFile(suffix=".xml") as report:
        handle = libc.fopen(report.name.encode(), b"w")
        libc.malloc_info(0, handle)
        libc.fclose(handle)
        xml = open(report.name).read()
    state = getattr(sys.modules.get("netline"), "_ALLOCATOR", "-")
    print(len(re.findall(r"<heap nr=", xml)), state)
    """
)


def _arenas(first: str, **environ: str) -> tuple[int, str]:
    mine = ("MALLOC_ARENA_MAX", "GLIBC_TUNABLES", OPT_OUT)
    env = {k: v for k, v in os.environ.items() if k not in mine} | environ
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(first=first)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    count, _, state = done.stdout.strip().partition(" ")
    return int(count), state


@pytest.mark.skipif(not GLIBC, reason="glibc's allocator only")
def test_import_netline_leaves_one_arena_for_every_thread() -> None:
    assert _arenas("import netline") == (1, "one arena")


@pytest.mark.skipif(not GLIBC, reason="glibc's allocator only")
def test_glibc_default_gives_a_thread_its_own_arena() -> None:
    # the oracle: without netline (or with the opt-out) the thread gets an arena of its own
    assert _arenas("")[0] == 2
    assert _arenas("import netline", **{OPT_OUT: "default"}) == (2, f"{OPT_OUT}=default")


@pytest.mark.skipif(not GLIBC, reason="glibc's allocator only")
def test_an_import_after_other_threads_says_it_may_be_late() -> None:
    # a thread that is still running when netline is imported (glibc may have fixed its
    # limit on arenas already, so the count is not asserted)
    probe = "wait = threading.Event()\n"
    probe += "threading.Thread(target=wait.wait, daemon=True).start()\nimport netline"
    _count, state = _arenas(probe)
    assert state.startswith("one arena asked, after other threads started")


@pytest.mark.parametrize(
    ("environ", "reason"),
    [
        ({OPT_OUT: "default"}, f"{OPT_OUT}=default"),
        ({OPT_OUT: " Default "}, f"{OPT_OUT}=default"),
        ({"MALLOC_ARENA_MAX": "4"}, "MALLOC_ARENA_MAX is set"),
        ({"GLIBC_TUNABLES": "glibc.malloc.arena_max=2"}, "GLIBC_TUNABLES sets the allocator"),
        ({"GLIBC_TUNABLES": "glibc.rtld.nns=2"}, None),
        ({OPT_OUT: "one"}, None),
        ({}, None),
    ],
)
def test_the_users_own_setting_wins(environ: dict[str, str], reason: str | None) -> None:
    assert _left_to_user(environ) == reason


def _arrow_pool(first: str, **environ: str) -> list[str]:
    """pyarrow's default pool after ``first``, and what the course engine says it did."""
    mine = (ARROW_POOL_VARIABLE, OPT_OUT)
    env = {k: v for k, v in os.environ.items() if k not in mine} | environ
    probe = f"{first}\nimport sys, pyarrow as pa\n"
    probe += "engine = sys.modules.get('netline.course.engine')\n"
    probe += "print(pa.default_memory_pool().backend_name, getattr(engine, 'ARROW_POOL', '-'))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    )
    return done.stdout.strip().split(" ", 1)


@pytest.mark.skipif(not GLIBC, reason="glibc's allocator only")
def test_the_course_engine_puts_arrow_on_malloc() -> None:
    assert _arrow_pool("import netline.course") == ["system", "malloc"]


@pytest.mark.skipif(not GLIBC, reason="glibc's allocator only")
def test_the_users_arrow_pool_wins() -> None:
    # the oracle: pyarrow's own choice in a process without netline
    own, _ = _arrow_pool("")
    assert own != "system"
    chosen = _arrow_pool("import netline.course", **{ARROW_POOL_VARIABLE: own})
    assert chosen == [own, f"{ARROW_POOL_VARIABLE} is set"]
    opted_out = _arrow_pool("import netline.course", **{OPT_OUT: "default"})
    assert opted_out == [own, f"{OPT_OUT}=default"]
