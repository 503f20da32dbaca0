"""The tool's own words (``strings/en.yml``) as gettext catalogues (``strings/LANG.po``).

``msgctxt`` is the key of a string, ``msgid`` its English text. A fuzzy or empty entry falls
back to English, like the content's messages. ``python -m workshopkit.i18n.ui LANG`` merges
the current English into ``strings/LANG.po`` (with msgmerge, as ``i18n update`` does).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from .catalogue import Message, msgmerge_available, read_catalogue, write_catalogue

STRINGS_DIR = Path(__file__).resolve().parent.parent / "strings"


def english() -> dict[str, str]:
    data = yaml.safe_load((STRINGS_DIR / "en.yml").read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def ui_path(language: str) -> Path:
    return STRINGS_DIR / f"{language}.po"


def translations(language: str) -> dict[str, str]:
    """key -> translated string, for the entries that are translated and not fuzzy."""
    cat = read_catalogue(ui_path(language), f"strings/{language}.po")
    return {ctxt: e.msgstr for (ctxt, msgid), e in cat.entries.items() if e.msgstr.strip() and not e.fuzzy}


def update(language: str) -> Path:
    """Merge the English strings into ``strings/LANG.po`` (the folder is the catalogue's owner)."""
    messages = [Message(key, text, comment="placeholders in {braces} stay as they are") for key, text in english().items()]
    return write_catalogue(STRINGS_DIR.parent, "strings", language, messages, folder=STRINGS_DIR)


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    if not msgmerge_available():
        sys.exit("msgmerge (GNU gettext) is needed")
    for lang in sys.argv[1:] or ["ko"]:
        print(update(lang))
