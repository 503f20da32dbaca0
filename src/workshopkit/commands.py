"""Sub-commands beyond ``check`` and ``schema``."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the build, serve, new and stats commands."""
