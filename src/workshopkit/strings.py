"""User-visible words, loaded from ``strings/<language>.yml`` (never hard-coded in Python)."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

STRINGS_DIR = Path(__file__).parent / "strings"


class Strings(dict[str, str]):
    """A mapping of UI strings; a missing key shows as the key itself, so a gap is visible."""

    def __missing__(self, key: str) -> str:
        return key


@functools.lru_cache(maxsize=4)
def load_strings(language: str = "en") -> Strings:
    base = yaml.safe_load((STRINGS_DIR / "en.yml").read_text(encoding="utf-8"))
    path = STRINGS_DIR / f"{language}.yml"
    if language != "en" and path.is_file():
        base.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return Strings({str(k): str(v) for k, v in base.items()})
