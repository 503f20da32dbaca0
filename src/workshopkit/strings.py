"""User-visible words, loaded from ``strings/en.yml`` and the catalogue of a language
(``strings/<language>.po``, see :mod:`workshopkit.i18n.ui`); never hard-coded in Python."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

STRINGS_DIR = Path(__file__).parent / "strings"


class Strings(dict[str, str]):
    """A mapping of UI strings; a missing key shows as the key itself, so a gap is visible."""

    #: The language of the strings (a BCP 47 code).
    language: str = "en"

    def __missing__(self, key: str) -> str:
        return key

    def minutes(self, n: object, upto: int | None = None) -> str:
        """A duration: '50 min', '50분'; with ``upto``, a range: '10–15 min', '10–15분'."""
        return self["minutes_format"].replace("{n}", f"{n}–{upto}" if upto else str(n))


@functools.lru_cache(maxsize=4)
def load_strings(language: str = "en") -> Strings:
    base = yaml.safe_load((STRINGS_DIR / "en.yml").read_text(encoding="utf-8"))
    if language != "en":
        from .i18n.ui import translations

        base.update(translations(language))
    strings = Strings({str(k): str(v) for k, v in base.items()})
    strings.language = language
    return strings
