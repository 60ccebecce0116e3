"""Shared test set-up: a non-interactive plotting backend, deterministic hypothesis."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")
# The knowledge base's parse cache stays out of the user's cache folder in tests
# (tests/evidence/test_kb_cache.py turns it on in a temporary folder).
os.environ.setdefault("NETLINE_NO_CACHE", "1")
