"""Gettext catalogues of the content: which texts are messages, how they are extracted, merged
and applied.

English is the source language. Every translatable text of the model (the schema marks them,
see :func:`workshopkit.walk.is_translatable`) is a message; a Markdown text is split into blocks
(:mod:`.markdown_blocks`), one message each. A message's ``msgctxt`` is the path of ids that
leads to its field (``psychological-first-aid/sessions/welcome/activities/intro/participant``),
never a list index, so reordering sessions or items changes no message.

There is one catalogue per module and language inside the module's folder
(``modules/<id>/locales/<lang>.po``), one for the curriculum folder (workshops, glossary,
home page: ``curriculum/locales/<lang>.po``), one for the bibliography
(``curriculum/sources/locales/<lang>.po``) and one for the seed records (``seeds/locales``).
``i18n update`` writes a template of the English messages and merges it into each catalogue
with GNU gettext's ``msgmerge``, so new messages come in untranslated, changed ones fuzzy with
the previous English kept (``#|``), removed ones obsolete (``#~``), as translators know from
every other gettext project.

The loader applies a language's catalogues while it reads the texts (before links are
rewritten and before any check), through a :class:`Translator`. A fuzzy or untranslated message
keeps the English text; in Markdown it is marked ``lang="en"``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polib
from pydantic import BaseModel

from ..errors import Diagnostic
from . import markdown_blocks

SOURCE_LANGUAGE = "en"
LOCALES = "locales"
#: A catalogue's header, as Poedit, Weblate and Crowdin expect it.
HEADER = {
    "Project-Id-Version": "workshopkit content",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
}
LANGUAGE_NAMES = {"en": "English", "ko": "한국어"}


def catalogue_owner(display: str) -> str | None:
    """Which catalogue holds the messages of the file ``display``: ``modules/<id>``,
    ``curriculum``, the bibliography (``curriculum/sources``) or the seed records (``seeds``);
    None for files that are not translated."""
    parts = display.split("/")
    if len(parts) >= 3 and parts[0] == "modules":
        return f"modules/{parts[1]}"
    if parts[0] == "curriculum" and len(parts) == 2 and parts[1].endswith(".yml"):
        return "curriculum"
    if parts[:2] == ["curriculum", "sources"] and len(parts) == 3 and parts[2].endswith(".yml"):
        return "curriculum/sources"
    if parts[0] == "seeds" and len(parts) == 2 and parts[1].endswith(".yml"):
        return "seeds"
    return None


def catalogue_path(root: Path, owner: str, language: str) -> Path:
    return root / owner / LOCALES / f"{language}.po"


@dataclass
class Message:
    ctxt: str
    msgid: str
    refs: list[str] = field(default_factory=list)
    comment: str = ""


@dataclass
class Entry:
    """A catalogue's message as the loader uses it."""

    msgstr: str
    fuzzy: bool
    line: int
    note: str = ""  # the translator's comment ('# …' lines)


@dataclass
class Catalogue:
    path: Path
    display: str
    entries: dict[tuple[str, str], Entry]
    problem: Diagnostic | None = None


#: Catalogues already read in this process, by path, modification time and size: a build reads
#: each one while checking and again while making its edition.
_READ: dict[tuple[str, str, int, int], Catalogue] = {}


def read_catalogue(path: Path, display: str) -> Catalogue:
    """The messages of a ``.po`` file (an empty catalogue, with the problem, if it cannot be read)."""
    try:
        stat = path.stat()
    except OSError:
        return Catalogue(path, display, {})
    key = (str(path), display, stat.st_mtime_ns, stat.st_size)
    if key not in _READ:
        if len(_READ) > 256:
            _READ.clear()
        _READ[key] = _read_catalogue(path, display)
    return _READ[key]


def _read_catalogue(path: Path, display: str) -> Catalogue:
    if not path.is_file():
        return Catalogue(path, display, {})
    problem = syntax_problem(path, display)
    if problem is not None:
        return Catalogue(path, display, {}, problem)
    try:
        po = polib.pofile(str(path), encoding="utf-8", wrapwidth=0)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        line_match = re.search(r"line (\d+)", str(exc))
        line = int(line_match.group(1)) if line_match else 1
        message = str(exc).split(" (line")[0].strip() or "the file is not a gettext catalogue"
        return Catalogue(path, display, {}, Diagnostic(
            display, line, 1, "", f"cannot read this catalogue: {message}",
            "fix the line (quotes must be closed, each entry has msgid and msgstr) or run "
            "'workshopkit i18n update' on a copy", code="WK801"))
    entries = {}
    for e in po:
        if e.obsolete:
            continue
        entries[(e.msgctxt or "", e.msgid)] = Entry(e.msgstr, "fuzzy" in e.flags, e.linenum or 0, e.tcomment or "")
    return Catalogue(path, display, entries)


_MSGFMT_LINE = re.compile(r"^(?P<file>.*?):(?P<line>\d+):(?:\d+:)?\s*(?P<message>.*)$")


def syntax_problem(path: Path, display: str) -> Diagnostic | None:
    """The first error GNU gettext's ``msgfmt`` finds in a catalogue (polib reads broken files
    without a word), or None; without msgfmt, polib's own reading is all there is."""
    if shutil.which("msgfmt") is None:
        return None
    done = subprocess.run(["msgfmt", "--check-format", "-o", os.devnull, str(path)], capture_output=True,
                          text=True, errors="replace", check=False)
    if done.returncode == 0:
        return None
    for raw in done.stderr.splitlines():
        found = _MSGFMT_LINE.match(raw)
        if found and found.group("file").endswith(path.name):
            return Diagnostic(display, int(found.group("line")), 1, "",
                              f"this catalogue cannot be read: {found.group('message').rstrip('.')}",
                              "close every quote and give each msgid one msgstr (`msgfmt -c FILE` shows every "
                              "problem); nothing of this catalogue is used until it reads", code="WK801")
    return Diagnostic(display, 0, 0, "", "this catalogue cannot be read by msgfmt",
                      "run `msgfmt -c FILE` to see why", code="WK801")


def msgmerge_available() -> bool:
    return shutil.which("msgmerge") is not None


def write_catalogue(root: Path, owner: str, language: str, messages: Iterable[Message],
                    folder: Path | None = None) -> Path:
    """Merge the English ``messages`` into ``owner``'s catalogue for ``language`` (created if
    new), in ``owner``'s locales folder or in ``folder``."""
    template = polib.POFile(wrapwidth=78)
    template.metadata = dict(HEADER)
    for m in messages:
        template.append(polib.POEntry(msgctxt=m.ctxt, msgid=m.msgid, msgstr="", occurrences=[
            tuple(r.rsplit(":", 1)) if ":" in r else (r, "") for r in m.refs], comment=m.comment))
    path = folder / f"{language}.po" if folder else catalogue_path(root, owner, language)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        template.metadata["Language"] = language
        template.save(str(path))
        return path
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        template.save(str(pot))
        out = Path(tmp) / "merged.po"
        subprocess.run(["msgmerge", "--quiet", "--previous", "--no-wrap", "--lang", language,
                        "-o", str(out), str(path), str(pot)], check=True, capture_output=True)
        shutil.copyfile(out, path)
    return path


def message_context(obj: Any, display: str, loc: tuple[str | int, ...]) -> str:
    """The ``msgctxt`` of the text at ``loc`` in ``obj`` (loaded from ``display``): the file's id,
    then the keys and the ids of the items on the way (a glossary entry's id is its term); list
    indexes are left out, so the context stays when items move."""
    parts = [display.split("/")[1] if display.startswith("modules/") else Path(display).stem]
    here: Any = obj
    for key in loc:
        if isinstance(key, int):
            if not isinstance(here, list) or key >= len(here):
                break
            here = here[key]
            ident = getattr(here, "id", None) or getattr(here, "term", None)
            if isinstance(ident, str) and ident:
                parts.append(ident)
        elif isinstance(here, dict):
            parts.append(key)
            here = here.get(key)
        elif isinstance(here, BaseModel):
            parts.append(key)
            name = next((n for n, info in type(here).model_fields.items() if (info.alias or n) == key), key)
            here = getattr(here, name, None)
        else:
            break
    return "/".join(parts)


# --- applying a catalogue -------------------------------------------------------------------


@dataclass
class Tally:
    """How much of one catalogue's messages a build could use."""

    messages: int = 0
    translated: int = 0
    fuzzy: int = 0
    words: int = 0
    translated_words: int = 0

    @property
    def share(self) -> float:
        return self.translated_words / self.words if self.words else 1.0


_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def words(text: str) -> int:
    return len(_WORD.findall(text))


#: Markdown marks whose count must be the same in a translation as in its English source.
_STRUCTURE = {
    "links": re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]*)"),
    "images": re.compile(r"!\[[^\]]*\]\(([^)\s]*)"),
    "code": re.compile(r"`[^`]+`"),
    "strong": re.compile(r"\*\*|__"),
}


def structure_problem(source: str, translation: str, kind: str) -> str | None:
    """What differs in Markdown structure between ``source`` and ``translation``, if anything."""
    for name, pattern in _STRUCTURE.items():
        a, b = pattern.findall(source), pattern.findall(translation)
        if name in ("links", "images") and sorted(a) != sorted(b):
            missing = sorted(set(a) - set(b)) or sorted(set(b) - set(a))
            return f"the {name} differ from the English text ({', '.join(missing[:2]) or 'their number'})"
        if len(a) != len(b):
            return f"the translation has {len(b)} {name} mark(s) where the English text has {len(a)}"
    if kind == "row" and source.count("|") != translation.count("|"):
        return f"the table row has {translation.count('|') - 1} cell border(s) where the English row has {source.count('|') - 1}"
    return None


#: A paragraph that is a Python-Markdown construct (an admonition, an attribute list, a
#: footnote): marking it as English would break it, so it is left as written.
_SYNTAX_LINE = re.compile(r"^(?:[!?]{3}|\{:|\[\^|\*\[)")


class Translator:
    """Applies the catalogues of one language while the loader reads the texts."""

    def __init__(self, root: Path, language: str) -> None:
        self.root = root
        self.language = language
        self.catalogues: dict[str, Catalogue] = {}
        self.tallies: dict[str, Tally] = {}
        self.diagnostics: list[Diagnostic] = []
        #: (catalogue display, line, msgstr) of each translation used, so that the text rules
        #: check translations where the translator wrote them
        self.used: list[tuple[str, int, str]] = []
        self._glossary: dict[str, str] | None = None
        #: (English term in lower case, its translation, the pattern that finds the English word)
        self._terms: list[tuple[str, str, str, re.Pattern[str]]] | None = None

    def catalogue(self, owner: str) -> Catalogue:
        if owner not in self.catalogues:
            path = catalogue_path(self.root, owner, self.language)
            cat = read_catalogue(path, f"{owner}/{LOCALES}/{self.language}.po")
            if cat.problem:
                self.diagnostics.append(cat.problem)
            self.catalogues[owner] = cat
            self.tallies[owner] = Tally()
        return self.catalogues[owner]

    def _lookup(self, owner: str, ctxt: str, msgid: str, kind: str) -> str | None:
        cat = self.catalogue(owner)
        tally = self.tallies[owner]
        tally.messages += 1
        n = words(msgid)
        tally.words += n
        entry = cat.entries.get((ctxt, msgid))
        if entry is not None and entry.fuzzy and entry.msgstr.strip():
            tally.fuzzy += 1
            self.diagnostics.append(Diagnostic(
                cat.display, entry.line, 1, ctxt, "fuzzy: the English text changed after this was translated",
                "compare the translation with the new English (the '#|' lines show the previous English), "
                "correct it and remove the 'fuzzy' flag; the English text is shown until then",
                "warning", "WK802"))
        if entry is None or entry.fuzzy or not entry.msgstr.strip():
            return None
        if any(markdown_blocks.MARKER.match(line) for line in entry.msgstr.split("\n")):
            self.diagnostics.append(Diagnostic(
                cat.display, entry.line, 1, ctxt, "the translation holds a '///' line",
                "visibility blocks belong to the English text: a translation may not open or close one; "
                "remove the line", "error", "WK806"))
            return None
        problem = structure_problem(msgid, entry.msgstr, kind)
        if problem:
            self.diagnostics.append(Diagnostic(cat.display, entry.line, 1, ctxt, problem,
                                               "keep the links, images, code and emphasis of the English text; "
                                               "the English text is shown until this is fixed", "warning", "WK803"))
            return None
        tally.translated += 1
        tally.translated_words += n
        self.used.append((cat.display, entry.line, entry.msgstr))
        self._terms_kept(cat, entry, ctxt, msgid)
        return entry.msgstr

    def glossary(self) -> dict[str, str]:
        """English glossary term -> its translation without what stands in brackets
        ('Psychological first aid (PFA)' -> '심리적 응급처치')."""
        if self._glossary is None:
            self._glossary = {}
            for (ctxt, msgid), entry in self.catalogue("curriculum").entries.items():
                if ctxt.startswith("glossary/") and ctxt.endswith("/term") and entry.msgstr.strip() and not entry.fuzzy:
                    english = re.sub(r"\s*\(.*?\)", "", msgid).strip()
                    self._glossary[english] = re.sub(r"\s*\(.*?\)", "", entry.msgstr).strip()
        return self._glossary

    def _terms_kept(self, cat: Catalogue, entry: Entry, ctxt: str, msgid: str) -> None:
        """Warn where the English uses a glossary term and the translation not its translation."""
        if ctxt.startswith("glossary/") or entry.msgstr.strip() == msgid.strip():
            return  # a text kept as written (a name; the title of a work with no edition in this language)
        if self._terms is None:
            self._terms = [(english.lower(), english, translated,
                            re.compile(r"(?<![\w-])" + re.escape(english) + r"(?![\w-])", re.IGNORECASE))
                           for english, translated in self.glossary().items() if translated]
        lower = msgid.lower()
        for key, english, translated, pattern in self._terms:
            if key not in lower or translated in entry.msgstr:
                continue
            if f"not the glossary term: {key}" in entry.note.lower():
                continue  # the translator says the word means something else here
            if pattern.search(msgid):
                self.diagnostics.append(Diagnostic(
                    cat.display, entry.line, 1, ctxt,
                    f"the English uses the glossary term '{english}' and the translation does not use '{translated}'",
                    "use the glossary's translation of the term (curriculum/locales/), so that readers meet one "
                    f"word for one idea; where the word means something else, add the comment line "
                    f"'# not the glossary term: {english}' above the entry", "warning", "WK805"))
                return

    def finish(self) -> None:
        """Report, per catalogue, the messages that are not translated (once, with counts)."""
        for owner, tally in sorted(self.tallies.items()):
            cat = self.catalogues[owner]
            missing = tally.messages - tally.translated - tally.fuzzy
            if not missing or cat.problem:
                continue
            if not cat.path.is_file():
                message = f"there is no {self.language} catalogue for {owner} ({tally.messages} messages show in English)"
            else:
                message = (f"{missing} of {tally.messages} messages are not translated "
                           f"({tally.words - tally.translated_words} of {tally.words} words); they show in English")
            self.diagnostics.append(Diagnostic(
                cat.display, 0, 0, "", message,
                f"run 'workshopkit i18n update {self.language}', then translate the empty msgstr entries "
                "(Poedit, Weblate or any text editor)", "warning", "WK804"))

    def plain(self, owner: str, ctxt: str, text: str) -> str:
        found = self._lookup(owner, ctxt, text, "plain")
        return text if found is None else " ".join(found.split()) if "\n" not in text else found

    def markdown(self, owner: str, ctxt: str, text: str) -> str:
        def one(block: markdown_blocks.Block) -> str:
            found = self._lookup(owner, ctxt, block.text, block.kind)
            if found is not None:
                return found
            if block.kind == "paragraph" and "<" not in block.text and not _SYNTAX_LINE.match(block.text):
                return f'<span lang="en">{block.text}</span>'
            return block.text

        return markdown_blocks.rebuild(text, one)

    def term(self, english: str) -> str:
        """The translation of a glossary term (for 'see also' lists), or the term itself."""
        entry = self.catalogue("curriculum").entries.get((f"glossary/terms/{english}/term", english))
        return entry.msgstr if entry and entry.msgstr.strip() and not entry.fuzzy else english

    def share(self, owner: str) -> float:
        tally = self.tallies.get(owner)
        return tally.share if tally else 1.0


class Collector(Translator):
    """Extraction: records every message and leaves the texts as they are."""

    def __init__(self, root: Path) -> None:
        super().__init__(root, SOURCE_LANGUAGE)
        self.messages: dict[str, dict[tuple[str, str], Message]] = {}

    def _record(self, owner: str, ctxt: str, msgid: str, ref: str, comment: str) -> None:
        found = self.messages.setdefault(owner, {})
        msg = found.get((ctxt, msgid))
        if msg is None:
            found[(ctxt, msgid)] = msg = Message(ctxt, msgid, comment=comment)
        if ref and ref not in msg.refs:
            msg.refs.append(ref)

    def collect_plain(self, owner: str, ctxt: str, text: str, ref: str, comment: str) -> None:
        self._record(owner, ctxt, text, ref, comment)

    def collect_markdown(self, owner: str, ctxt: str, text: str, file: str, line: int, comment: str) -> None:
        for block in markdown_blocks.blocks(text):
            self._record(owner, ctxt, block.text, f"{file}:{line + block.start}", comment)
