"""Shared test set-up: a non-interactive plotting backend, deterministic hypothesis."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")
