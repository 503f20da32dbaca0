"""Read a workshopkit repository into validated models, collecting every problem with its place.

Layout read here::

    modules/<id>/module.yml (+ Markdown files)   one module per folder
    curriculum/<id>.yml                          workshops
    curriculum/sources/*.yml                     the shared bibliography
    curriculum/glossary.yml                      glossary terms
    curriculum/curriculum.yml                    home page text and the tracks, in order
    seeds/<id>.yml                               one record per seed document

A file that fails the schema is reported, and what parsed of it is kept for the other checks
(see :mod:`workshopkit.partial`).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from . import blocks, links
from .errors import Diagnostic, name_list, rel
from .i18n.catalogue import SOURCE_LANGUAGE, Collector, Translator, catalogue_owner, message_context
from .model import Curriculum, Glossary, Module, Source, SourceLibrary, Workshop
from .partial import parse_partial
from .walk import Loc, Visit, field_visibility, fields, is_markdown, is_translatable, model_classes
from .yamlload import MAX_BYTES, YamlDoc, YamlError, dotted, load_file, read_bounded

M = TypeVar("M", bound=BaseModel)

NON_PRINTABLE = re.compile(r"[^\t\n -~\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

MD_FILE = re.compile(r"^[A-Za-z0-9_][\w./-]*\.md$")


@dataclass
class TextRef:
    """A Markdown text of the content and where it was written."""

    file: str  # display path of the file holding the text
    line: int  # line of the file on which the text starts
    key: str  # key path in the YAML file that holds or names it
    text: str
    base: Path  # folder that relative links and images resolve against
    plain: bool = False  # a plain-text field: the sites place it in pages, but its links are not rewritten


@dataclass
class Project:
    """Everything loaded from a repository."""

    root: Path
    modules: list[Module] = field(default_factory=list)
    workshops: list[Workshop] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    seeds: list[Source] = field(default_factory=list)
    glossary: Glossary | None = None
    curriculum: Curriculum | None = None
    docs: dict[str, YamlDoc] = field(default_factory=dict)
    files: dict[int, str] = field(default_factory=dict)  # id(model) -> display path
    texts: list[TextRef] = field(default_factory=list)
    inputs: dict[str, Path] = field(default_factory=dict)  # display path -> file, for hashing
    #: ids of files that exist but failed to load: references to them are not reported again
    broken: set[str] = field(default_factory=set)
    #: Markdown file -> where it is named: a file has one place, so it has one visibility
    md_owners: dict[Path, str] = field(default_factory=dict)
    #: What was left out of files that failed the schema (see :mod:`workshopkit.partial`): (id of
    #: the model object, field) -> ids of the items left out, or None when any id may be among them
    lost: dict[tuple[int, str], frozenset[str] | None] = field(default_factory=dict)
    _handout_files: dict[Path, tuple[Module, Any]] | None = field(default=None, repr=False)
    #: The language the texts were loaded in, and what applied (or collected) its catalogues.
    language: str = "en"
    translator: Translator | None = None
    #: The same repository loaded in each other language, by ``check`` (the build reuses them).
    translations: dict[str, Project] = field(default_factory=dict, repr=False)

    def module(self, mid: str) -> Module | None:
        return next((m for m in self.modules if m.id == mid), None)

    def file_of(self, obj: BaseModel) -> str:
        return self.files.get(id(obj), "")

    def where(self, obj: BaseModel, loc: Loc) -> tuple[str, int, int]:
        path = self.file_of(obj)
        doc = self.docs.get(path)
        line, col = doc.where(loc) if doc else (0, 0)
        return path, line, col

    def key(self, obj: BaseModel, loc: Loc) -> str:
        """The key path of ``loc`` in ``obj``'s file, as the file numbers its list items (an item
        left out because it failed the schema still counts there)."""
        doc = self.docs.get(self.file_of(obj))
        return dotted(doc.written(loc) if doc else loc)

    def complete(self, obj: BaseModel, *names: str) -> bool:
        """Whether nothing was left out of these fields of ``obj`` because it failed the schema."""
        return not any((id(obj), name) in self.lost for name in names)

    def may_be_lost(self, obj: BaseModel, name: str, ident: str) -> bool:
        """Whether an item with the id ``ident`` may have been left out of the field ``name`` of
        ``obj`` (so that a reference to it is not reported as unknown)."""
        key = (id(obj), name)
        if key not in self.lost:
            return False
        ids = self.lost[key]
        return ids is None or ident in ids

    def handout_for_file(self, path: Path) -> tuple[Module, Any] | None:
        """The (module, handout) whose Markdown file is ``path``."""
        if self._handout_files is None:
            self._handout_files = {}
            for m in self.modules:
                folder = self.root / "modules" / m.id
                for h in m.handouts:
                    if h.file:
                        self._handout_files[(folder / h.file).resolve()] = (m, h)
        return self._handout_files.get(path.resolve())

    @property
    def all_sources(self) -> list[Source]:
        return self.seeds + self.sources


# --------------------------------------------------------------------------------------------
# Turning pydantic errors into diagnostics


def _allowed_keys(cls: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys the schema allows at the mapping that holds ``loc[-1]``."""
    current: list[type[BaseModel]] = [cls]
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        nxt: list[type[BaseModel]] = []
        for c in current:
            for name, info in c.model_fields.items():
                if part in (name, info.alias):
                    nxt.extend(model_classes(info.annotation))
        if not nxt:
            return []
        current = nxt
    keys: list[str] = []
    for c in current:
        keys.extend(info.alias or name for name, info in c.model_fields.items())
    return keys


def _clean_loc(data: Any, loc: tuple[Any, ...], missing: bool = False) -> tuple[Any, ...]:
    """Drop the parts of a pydantic ``loc`` that are type tags, not keys of the YAML data (the
    last part of the place of a ``missing`` key is kept: it names the key)."""
    out: list[Any] = []
    node = data
    for i, part in enumerate(loc):
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif missing and i == len(loc) - 1 and isinstance(part, str) and isinstance(node, dict):
            out.append(part)  # a missing key: keep it for the message
            node = None
        else:
            continue
    return tuple(out)


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return repr(value if len(value) < 40 else value[:37] + "...")
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _number(value: Any) -> str:
    """A value where a number is expected: as typed when it is a number, else described."""
    return str(value).strip() if isinstance(value, (str, int, float)) and re.match(
        r"^[-+]?\d[\d.]*$", str(value).strip()) else _describe(value)


#: Codes of the schema's problems by pydantic's error type (see :mod:`workshopkit.rules`); any
#: other type is a value of the wrong kind (WK032).
_SCHEMA_CODES = {
    "extra_forbidden": "WK030", "missing": "WK031",
    "enum": "WK033", "literal_error": "WK033",
    "string_pattern_mismatch": "WK034",
    **dict.fromkeys(("greater_than", "greater_than_equal", "less_than", "less_than_equal", "multiple_of",
                     "too_short", "too_long", "string_too_short", "string_too_long"), "WK035"),
    "value_error": "WK036", "assertion_error": "WK036",
    "yes_no_word": "WK037",
}


def _schema_code(kind: str) -> str:
    return _SCHEMA_CODES.get(kind, "WK032")


# --------------------------------------------------------------------------------------------
# The schema's messages in workshopkit's words (pydantic's own text is never shown)

#: (message, hint) of an error, from the error and its place in the data.
Said = tuple[str, str]

#: The words for the limits of numbers and of dates.
_NUMBER_BOUNDS = {"greater_than_equal": "at least", "less_than_equal": "at most",
                  "greater_than": "more than", "less_than": "less than"}
_DATE_BOUNDS = {"greater_than_equal": "on or after", "less_than_equal": "on or before",
                "greater_than": "after", "less_than": "before"}

#: Words that say no: where a key's choices include 'none' (or 'no', 'off'), that is what they meant.
_NEGATIVE = frozenset({"no", "n", "false", "off", "nothing", "nil"})

#: How to write a value of a key whose format is checked with a pattern.
_FORMATS = {
    "session": "write 'module-id/session-id'",
    "knowledge_test": "write 'module-id/item-id'",
    "start": "write a time as HH:MM, e.g. 09:30",
    "end": "write a time as HH:MM, e.g. 09:30",
    "version": "write a version as 1.0, 1.2 or 1.2.3",
}
_ID_FORMAT = "an id may use only lower-case letters, digits and '-', and starts with a letter or digit"

#: What a sentence key asks for, when a yes/no word was written instead.
_SENTENCE_HINTS = {
    "opt_out": "write what a participant may do instead, e.g. 'Take the observer's role'",
    "observer": "write what the observer watches for",
    "de_roling": "write how participants step out of their roles",
    "content_warning": "write the sentence participants read before the session, or leave the key out",
    "note": "write the sentence for participants, or leave the key out",
    "text": "write the statement or the question as participants read it",
}


def closest_choice(value: str, choices: list[str]) -> str | None:
    """The choice ``value`` most likely meant: the same word in other case or spelling, 'none'
    for a yes/no word that says no, or the closest spelling."""
    wanted = value.strip().lower().replace("_", "-").replace(" ", "-")
    lowered = {c.lower(): c for c in choices}
    if wanted in lowered:
        return lowered[wanted]
    if wanted in _NEGATIVE:
        return next((lowered[c] for c in ("none", "no", "off") if c in lowered), None)
    close = difflib.get_close_matches(wanted, list(lowered), n=1, cutoff=0.6)
    if close:
        return lowered[close[0]]
    started = [c for c in lowered if wanted and (c.startswith(wanted) or wanted.startswith(c))]
    return lowered[started[0]] if len(started) == 1 else None


def _say_choice(err: dict[str, Any], loc: tuple[Any, ...]) -> Said:
    choices = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
    value = err.get("input")
    close = closest_choice(value, choices) if isinstance(value, str) else None
    hint = f"did you mean '{close}'?" if close else f"use one of: {name_list(choices)}" if choices else ""
    return f"{_describe(value)} is not one of the choices", hint


def _say_bound(err: dict[str, Any], loc: tuple[Any, ...]) -> Said:
    ctx = err.get("ctx") or {}
    limit = next(iter(ctx.values()), "")
    if re.match(r"^\d{4}-\d{2}-\d{2}$", str(limit)):
        return f"the date must be {_DATE_BOUNDS[err['type']]} {limit}, got {_number(err.get('input'))}", ""
    return f"must be {_NUMBER_BOUNDS[err['type']]} {limit}, got {_number(err.get('input'))}", ""


def _say_length(err: dict[str, Any], loc: tuple[Any, ...]) -> Said:
    ctx = err.get("ctx") or {}
    kind, value = err["type"], err.get("input")
    if kind == "string_too_short":
        least = ctx.get("min_length", 1)
        if least == 1:
            return "must not be empty", "write the text"
        return f"must be at least {least} characters long", ""
    if kind == "string_too_long":
        size = len(value) if isinstance(value, str) else 0
        return f"is {size} characters long; at most {ctx.get('max_length')} are allowed", "shorten it"
    least, most = ctx.get("min_length"), ctx.get("max_length")
    size = ctx.get("actual_length", len(value) if isinstance(value, (list, dict)) else 0)
    if kind == "too_short":
        items = "item" if least == 1 else "items"
        return f"needs at least {least} {items}, got {size}", "add " + ("one" if least == 1 else "more")
    return f"holds {size} items; at most {most} are allowed", "remove some"


def _say_format(err: dict[str, Any], loc: tuple[Any, ...]) -> Said:
    key = loc[-1] if loc else ""
    if isinstance(key, int):
        key = loc[-2] if len(loc) > 1 else ""
    rule = _FORMATS.get(str(key), _ID_FORMAT if key in ("id", "module", "ref", "objective", "handout")
                        or isinstance(loc[-1] if loc else "", int) else "")
    if not rule:
        return f"{_describe(err.get('input'))} is not in the format this key takes", \
            "see the key in the editor's guide"
    return f"{rule}, got {_describe(err.get('input'))}", ""


def _say_rule(err: dict[str, Any], loc: tuple[Any, ...]) -> Said:
    msg = str(err["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    return msg, ""


def _say_yes_no(err: dict[str, Any], loc: tuple[Any, ...]) -> Said:
    key = next((part for part in reversed(loc) if isinstance(part, str)), "")
    return str(err["msg"]), _SENTENCE_HINTS.get(key, "write the sentence this key asks for, or leave the key out")


#: What each kind of value is called in "expected …".
_KINDS = {
    "int": ("a whole number", "write a whole number, e.g. 15"),
    "string": ("text", "write plain text here"),
    "list": ("a list", "write a list as [a, b], or one '- item' per line"),
    "dict": ("keys with values (a mapping)", "write 'key: value' lines, indented under this key"),
    "model": ("keys with values (a mapping)", "write 'key: value' lines, indented under this key"),
    "date": ("a date as YYYY-MM-DD", "e.g. 2027-03-09"),
    "bool": ("true or false", "write true or false"),
    "float": ("a number", "write a number, e.g. 1.5"),
}


def _kind_of(error_type: str) -> str:
    return error_type.split("_", 1)[0]


def _say_type(err: dict[str, Any], loc: tuple[Any, ...]) -> Said:
    what, hint = _KINDS[_kind_of(err["type"])]
    return f"expected {what}, got {_describe(err.get('input'))}", hint


_SAY: dict[str, Callable[[dict[str, Any], tuple[Any, ...]], Said]] = {
    "literal_error": _say_choice, "enum": _say_choice,
    **dict.fromkeys(_NUMBER_BOUNDS, _say_bound),
    **dict.fromkeys(("string_too_short", "string_too_long", "too_short", "too_long"), _say_length),
    "string_pattern_mismatch": _say_format,
    "value_error": _say_rule, "assertion_error": _say_rule,
    "yes_no_word": _say_yes_no,
}


def say(err: dict[str, Any], loc: tuple[Any, ...]) -> Said:
    """(message, hint) of a schema error, in workshopkit's words."""
    kind = str(err["type"])
    if kind in _SAY:
        return _SAY[kind](err, loc)
    if _kind_of(kind) in _KINDS:
        return _say_type(err, loc)
    # A kind of error this schema is not known to give: pydantic's words, without their preamble.
    msg = str(err["msg"])
    msg = re.sub(r"^Input should be ", "expected ", msg)
    return f"{msg[:1].lower()}{msg[1:]}, got {_describe(err.get('input'))}", ""


def _reported(exc: ValidationError, data: Any) -> list[tuple[dict[str, Any], tuple[Any, ...]]]:
    """The errors to report with their places in the data. A value that may be of several types
    (``answer`` is text or a list) fails once per type: of those, the one that got furthest into
    the value is reported, or one error naming every type when they all failed at the top."""
    found: list[tuple[dict[str, Any], tuple[Any, ...], bool]] = []
    for details in exc.errors(include_url=False):
        err: dict[str, Any] = dict(details)
        loc = _clean_loc(data, tuple(err["loc"]), err["type"] == "missing")
        found.append((err, loc, err["type"] != "missing" and len(loc) < len(err["loc"])))
    out: list[tuple[dict[str, Any], tuple[Any, ...]]] = []
    said: set[tuple[Any, ...]] = set()
    for err, loc, of_a_choice in found:
        if of_a_choice:
            others = [(e, o) for e, o, b in found if b and e is not err and o[:len(loc)] == loc]
            if loc in said or any(len(o) > len(loc) for _, o in others):
                continue
            said.add(loc)
            kinds = [_kind_of(str(e["type"])) for e in [err] + [e for e, o in others if o == loc]]
            if len(kinds) > 1 and all(k in _KINDS for k in kinds):
                err = dict(err, type="choice_of_types", kinds=kinds)
        out.append((err, loc))
    return out


def _say_choice_of_types(err: dict[str, Any]) -> Said:
    names = [_KINDS[k][0] for k in err["kinds"]]
    return f"expected {' or '.join(dict.fromkeys(names))}, got {_describe(err.get('input'))}", ""


def validation_diagnostics(exc: ValidationError, cls: type[BaseModel], doc: YamlDoc, display: str) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for err, loc in _reported(exc, doc.data):
        kind = err["type"]
        if kind == "extra_forbidden":
            key = str(loc[-1])
            allowed = _allowed_keys(cls, loc)
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            message = f"unknown key '{key}'"
            hint = f"did you mean '{close[0]}'?" if close else (
                f"allowed keys: {name_list(sorted(allowed))}" if allowed else "remove it")
            line, col = doc.where(loc)
        elif kind == "missing":
            key = str(loc[-1]) if loc else ""
            message, hint = f"missing required key '{key}'", "add it"
            line, col = doc.where(loc[:-1])
        else:
            message, hint = _say_choice_of_types(err) if kind == "choice_of_types" else say(err, loc)
            line, col = doc.where(loc)
        out.append(Diagnostic(display, line, col, dotted(loc), message, hint,
                              code=_schema_code("string_type" if kind == "choice_of_types" else kind)))
    return out


def parse_model(cls: type[M], doc: YamlDoc, display: str, diags: list[Diagnostic]) -> M | None:
    """The model of a whole file, or None with its problems added to ``diags``."""
    if not isinstance(doc.data, dict):
        # An empty file has no line to show; otherwise: where its list or text starts.
        line, col = doc.where(()) if doc.data is not None else (0, 0)
        diags.append(Diagnostic(display, line, col, "", "expected a mapping of keys at the top of the file, found "
                                                        f"{_describe(doc.data)}",
                                "start the file with 'id: …' and the other keys", code="WK027"))
        return None
    try:
        return cls.model_validate(doc.data)
    except ValidationError as exc:
        diags.extend(validation_diagnostics(exc, cls, doc, display))
        return None
    except RecursionError:  # pragma: no cover - the reader limits depth first
        diags.append(Diagnostic(display, 0, 0, "", "the data is nested too deeply", "flatten the structure", code="WK026"))
        return None


# --------------------------------------------------------------------------------------------
# Markdown texts: files named from YAML, and audience blocks


def _read_markdown(path: Path, display: str) -> tuple[str | None, Diagnostic | None]:
    """The text of a Markdown file, or the problem; only a regular file is read, and only up
    to the size limit (see :func:`~workshopkit.yamlload.read_bounded`)."""
    try:
        raw, size = read_bounded(path, display)
    except YamlError as exc:
        return None, exc.diagnostic
    if size > MAX_BYTES:
        return None, Diagnostic(display, 0, 0, "", f"the file is larger than {MAX_BYTES // 1024} KiB",
                                "split it into smaller files, or move images and data out of the text", code="WK006")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = len(raw[raw.rfind(b"\n", 0, exc.start) + 1: exc.start].decode("utf-8", errors="replace")) + 1
        return None, Diagnostic(display, line, col, "", "the file is not valid UTF-8 text", "save it as UTF-8", code="WK007")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = NON_PRINTABLE.search(text)
    if bad:  # e.g. a NUL byte: no file name, link or page may contain one
        line = text.count("\n", 0, bad.start()) + 1
        col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        return None, Diagnostic(display, line, col, "", f"the character U+{ord(bad.group()):04X} is not allowed",
                                "delete it; control characters are invisible in most editors", code="WK008")
    return text, None


def _exists(path: Path) -> bool:
    """Whether anything has this name (a pipe or a folder too: the reader then says what it is),
    False also for names the system refuses (e.g. too long)."""
    try:
        return os.path.lexists(path)
    except (OSError, ValueError):
        return False


def _text_visits(obj: BaseModel) -> list[Visit]:
    """Every field of ``obj`` and its models, with each text of a list or a mapping of texts as a
    visit of its own (``loc`` ends in its index or key), so key messages, answer options and
    identifiers are checked like any other text."""
    out: list[Visit] = []
    for visit in fields(obj):
        out.append(visit)
        if isinstance(visit.value, list):
            out.extend(Visit(visit.loc + (i,), visit.owner, visit.name, visit.info, item)
                       for i, item in enumerate(visit.value) if isinstance(item, str))
        elif isinstance(visit.value, dict):
            out.extend(Visit(visit.loc + (key,), visit.owner, visit.name, visit.info, item)
                       for key, item in visit.value.items() if isinstance(item, str))
    return out


def _store(visit: Visit, text: str) -> None:
    """Put ``text`` back where ``visit`` found it (a field, or an item of a list field)."""
    container = getattr(visit.owner, visit.name)
    if visit.loc and isinstance(visit.loc[-1], int) and isinstance(container, list):
        container[visit.loc[-1]] = text
    elif visit.loc and isinstance(container, dict) and visit.loc[-1] in container and container is not visit.value:
        container[visit.loc[-1]] = text
    else:
        setattr(visit.owner, visit.name, text)


def resolve_texts(project: Project, obj: BaseModel, doc: YamlDoc, display: str, folder: Path,
                  diags: list[Diagnostic]) -> None:
    """Read Markdown files named in Markdown fields, then check the blocks of every text."""
    root = project.root
    visits = _text_visits(obj)
    tr = project.translator
    owner = catalogue_owner(display) if tr is not None else None
    # Contexts are paths of ids, taken before any text (a glossary term is one) is translated.
    contexts = {id(v): message_context(obj, display, v.loc) for v in visits} if owner else {}
    for visit in visits:
        value = visit.value
        key = dotted(doc.written(visit.loc))
        ctxt = contexts.get(id(visit), "") if _translatable(visit) else ""
        if tr is not None and owner and ctxt and isinstance(value, str) and value.strip() and not (
                is_markdown(visit.info) or MD_FILE.match(value.strip())):
            if isinstance(tr, Collector):
                tr.collect_plain(owner, ctxt, value, f"{display}:{doc.where(visit.loc)[0]}", _comment(visit))
            else:
                first = len(tr.used)
                value = _translate_plain(visit, tr.plain(owner, ctxt, value))
                project.texts.extend(TextRef(d, line, ctxt, t, folder, plain=True) for d, line, t in tr.used[first:]
                                     if any(c in t for c in "<&[{"))
        is_file_field = visit.name == "file" and visit.owner.__class__.__name__ == "Handout"
        if not isinstance(value, str) or not value:
            if is_file_field and not getattr(visit.owner, "body", ""):
                line, col = doc.where(visit.loc[:-1])
                diags.append(Diagnostic(display, line, col, key, "a handout needs 'file' (a Markdown file in the module folder)",
                                        "add 'file: my-handout.md'", code="WK044"))
            continue
        if not (is_markdown(visit.info) or is_file_field):
            _plain_text(project, visit, doc, display, folder, diags)
            continue
        text, file_display, start, base = value, display, doc.text_lines.get(visit.loc, doc.where(visit.loc)[0]), folder
        if MD_FILE.match(value.strip()) and "\n" not in value.strip():
            named = _named_file(project, visit, doc, display, folder, diags)
            if named is None:
                continue
            text, file_display, start, base = named
        elif is_file_field:
            line, col = doc.where(visit.loc)
            diags.append(Diagnostic(display, line, col, key, f"'{value}' is not the name of a Markdown file",
                                    "write a file name ending in .md", code="WK043"))
            continue
        if tr is not None and owner and ctxt:
            if isinstance(tr, Collector):
                tr.collect_markdown(owner, ctxt, text, file_display, start, _comment(visit))
            else:
                first = len(tr.used)
                text = tr.markdown(owner, ctxt, text)
                # Each translation is also checked where the translator wrote it.
                project.texts.extend(TextRef(d, line, ctxt, t, base) for d, line, t in tr.used[first:])
        in_key = key if file_display == display else ""
        for problem in blocks.check_blocks(text):
            diags.append(Diagnostic(file_display, start + problem.line - 1, 1, in_key, problem.message, problem.hint,
                                    code=problem.code))
        fence = blocks.unclosed_fence(text)
        if fence:
            diags.append(Diagnostic(file_display, start + fence - 1, 1, in_key, "this code fence is never closed",
                                    "add a line with the same ``` (or ~~~) where the code ends", code="WK306"))
        project.texts.append(TextRef(file_display, start, key, text, base))
        # Publishers place pages elsewhere: make relative links independent of this file.
        if is_file_field:
            visit.owner.body = links.normalise(text, base, root)  # type: ignore[attr-defined]
        else:
            _store(visit, links.normalise(text, base, root))


def _translate_plain(visit: Visit, translated: str) -> str:
    """Put a translated plain text in place; a work's title in another edition keeps the original."""
    if isinstance(visit.owner, Source) and visit.name == "title" and translated != visit.value:
        visit.owner._original_title = visit.value
    visit.value = translated
    _store(visit, translated)
    return translated


def _translatable(visit: Visit) -> bool:
    """Whether translators translate this text (a model answer of an open question is a text;
    the answer of a choice question is a letter)."""
    if visit.name == "answer":
        return getattr(visit.owner, "type", "") == "open"
    return is_translatable(visit.info) or (visit.name == "file" and visit.owner.__class__.__name__ == "Handout")


def _comment(visit: Visit) -> str:
    """What a translator is told about a message: what the field is, and who reads it."""
    vis = field_visibility(visit.info)
    who = {"facilitator": " (facilitators only)", "organiser": " (organisers only)"}.get(vis or "", "")
    what = (visit.info.description or "").split(". ")[0].rstrip(".")
    return what if "only" in what else what + who


def _plain_text(project: Project, visit: Visit, doc: YamlDoc, display: str, folder: Path,
                diags: list[Diagnostic]) -> None:
    """A plain-text field: no blocks (a block there is always a mistake), no comments, and the
    same HTML and link rules as Markdown, since the sites place plain text in Markdown pages."""
    value: str = visit.value
    key = dotted(doc.written(visit.loc))
    start = doc.text_lines.get(visit.loc, doc.where(visit.loc)[0])
    if "///" in value and blocks.has_blocks(value):
        line, col = doc.where(visit.loc)
        diags.append(Diagnostic(display, line, col, key, "audience blocks ('/// …') are only allowed in Markdown fields",
                                "move the text into a Markdown field such as 'facilitator'", code="WK307"))
    elif blocks.may_hide(value):
        found = blocks.lookalikes(value)
        if found:
            col = doc.where(visit.loc)[1] if found[0].line == 1 else 1
            diags.append(Diagnostic(display, start + found[0].line - 1, col, key, found[0].message, found[0].hint,
                                    code=found[0].code))
    if "<!--" in value:  # an author's note, never part of any output
        _store(visit, links.strip_comments(value))
    if any(c in value for c in "<&[{"):
        project.texts.append(TextRef(display, start, key, value, folder, plain=True))


def _named_file(project: Project, visit: Visit, doc: YamlDoc, display: str, folder: Path,
                diags: list[Diagnostic]) -> tuple[str, str, int, Path] | None:
    """(text, display path, first line, folder) of the Markdown file a field names, or None
    with the problem reported: outside the module, missing, a symbolic link, named twice."""
    root = project.root
    value: str = visit.value.strip()
    key = dotted(doc.written(visit.loc))
    target = (folder / value).resolve()
    line, col = doc.where(visit.loc)
    if not target.is_relative_to(folder.resolve()):
        diags.append(Diagnostic(display, line, col, key, f"'{value}' points outside the module folder",
                                "keep Markdown files inside the module folder", code="WK041"))
        return None
    file_display = rel(target, root)
    if links.symlink_on_path(root, file_display) is not None:
        return None  # reported as a symbolic link; never read through it
    if not _exists(target):
        existing = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.md"))
        close = difflib.get_close_matches(value, existing, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'?" if close else "create the file or fix the name"
        diags.append(Diagnostic(display, line, col, key, f"Markdown file '{value}' not found", hint, code="WK040"))
        return None
    if target in project.md_owners:
        diags.append(Diagnostic(display, line, col, key, f"'{value}' is already used at {project.md_owners[target]}",
                                "a Markdown file is named from one place only (its visibility follows that "
                                "place); copy the text, or link to the handout", code="WK042"))
        return None
    project.md_owners[target] = f"{display}:{line}"
    loaded, problem = _read_markdown(target, file_display)
    if problem:
        diags.append(problem)
        return None
    assert loaded is not None
    project.inputs[file_display] = target
    return loaded, file_display, 1, target.parent


# --------------------------------------------------------------------------------------------
# The repository


#: Folders whose files reach the outputs: nothing in them may be a symbolic link.
CONTENT_FOLDERS = ("modules", "curriculum", "seeds")


def _symlinks(root: Path) -> list[Path]:
    """Symbolic links inside the content folders (not followed), in a stable order."""
    found: list[Path] = []
    for name in CONTENT_FOLDERS:
        top = root / name
        if top.is_symlink():
            found.append(top)
            continue
        if not top.is_dir():
            continue
        for folder, dirs, files in os.walk(top, followlinks=False):
            for entry in sorted(dirs + files):
                path = Path(folder) / entry
                if path.is_symlink():
                    found.append(path)
    return sorted(found)


def parse_kept(project: Project, cls: type[M], doc: YamlDoc | None, display: str,
               diags: list[Diagnostic]) -> tuple[M | None, YamlDoc | None]:
    """The model of a file and the positions of its parts. When the file fails the schema, its
    problems go into ``diags`` and what parsed is kept (see :mod:`workshopkit.partial`), with
    what was left out recorded in ``project.lost``; (None, None) when nothing can be kept."""
    if doc is None:
        return None, None
    found: list[Diagnostic] = []
    model = parse_model(cls, doc, display, found)
    diags.extend(found)
    if model is not None or not isinstance(doc.data, dict) or any(d.code == "WK026" for d in found):
        return model, doc if model is not None else None
    kept = parse_partial(cls, doc, _clean_loc)
    if kept is None:
        return None, None
    for obj, name, lost in kept.lost:
        project.lost[(id(obj), name)] = lost.ids
    assert isinstance(kept.model, cls)
    return kept.model, kept.doc


def _load_yaml(path: Path, root: Path, diags: list[Diagnostic]) -> tuple[YamlDoc | None, str]:
    display = rel(path, root)
    if links.symlink_on_path(root, display) is not None:
        return None, display  # reported once as a symbolic link; never read through it
    try:
        return load_file(path, display), display
    except YamlError as exc:
        diags.append(exc.diagnostic)
        return None, display


def load_project(root: Path, language: str = SOURCE_LANGUAGE, collect: bool = False) -> tuple[Project, list[Diagnostic]]:
    """Load everything under ``root``; return the project and every problem found.

    With a ``language`` other than English, its catalogues are applied to the texts as they are
    read; with ``collect``, every message is recorded (``project.translator``) for extraction."""
    root = root.resolve()
    project = Project(root=root, language=language)
    if collect:
        project.translator = Collector(root)
    elif language != SOURCE_LANGUAGE:
        project.translator = Translator(root, language)
    diags: list[Diagnostic] = []
    if not root.is_dir():
        diags.append(Diagnostic(str(root), 0, 0, "", "no such folder", "give the folder of a workshopkit repository",
                                code="WK001"))
        return project, diags
    if not any((root / name).is_dir() for name in ("modules", "curriculum")):
        diags.append(Diagnostic(str(root), 0, 0, "", "this folder has neither modules/ nor curriculum/",
                                "run the command in a workshopkit repository, or start one with 'workshopkit new module ID'",
                                code="WK002"))
        return project, diags

    for link in _symlinks(root):
        diags.append(Diagnostic(rel(link, root), 0, 0, "", "symbolic links are not allowed in content folders",
                                "replace the link by the file or folder itself", code="WK003"))
    _load_modules(project, diags)
    _load_curriculum(project, diags)
    _load_seeds(project, diags)
    tr = project.translator
    if tr is not None and not isinstance(tr, Collector):
        if project.glossary is not None:
            for entry in project.glossary.terms:
                entry.see_also = [tr.term(see) for see in entry.see_also]
        for cat in tr.catalogues.values():
            if cat.path.is_file():
                project.inputs[cat.display] = cat.path
        tr.finish()
        diags.extend(tr.diagnostics)
    return project, diags


def _register(project: Project, display: str, path: Path, doc: YamlDoc, obj: BaseModel) -> None:
    """Remember where a loaded model came from (for messages and for the build's input hashes)."""
    project.inputs[display] = path
    project.docs[display] = doc
    project.files[id(obj)] = display


def _id_matches(doc: YamlDoc, display: str, got: str, want: str, what: str, diags: list[Diagnostic]) -> None:
    if got != want:
        line, col = doc.where(("id",))
        diags.append(Diagnostic(display, line, col, "id", f"id '{got}' differs from the {what} '{want}'",
                                f"write 'id: {want}' or rename the {what.split()[0]}", code="WK011"))


def _load_modules(project: Project, diags: list[Diagnostic]) -> None:
    root = project.root
    modules_dir = root / "modules"
    if not modules_dir.is_dir():
        return
    for folder in sorted(p for p in modules_dir.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")):
        path = folder / "module.yml"
        if not _exists(path):
            diags.append(Diagnostic(rel(folder, root), 0, 0, "", "module folder without module.yml",
                                    "add module.yml or remove the folder", code="WK009"))
            continue
        doc, display = _load_yaml(path, root, diags)
        module, doc = parse_kept(project, Module, doc, display, diags)
        if doc is None or module is None:
            project.broken.add(folder.name)
            continue
        _register(project, display, path, doc, module)
        _id_matches(doc, display, module.id, folder.name, "folder name", diags)
        resolve_texts(project, module, doc, display, folder, diags)
        project.modules.append(module)


def _load_curriculum(project: Project, diags: list[Diagnostic]) -> None:
    root = project.root
    curriculum = root / "curriculum"
    if not curriculum.is_dir():
        return
    for path in sorted(curriculum.glob("*.yml")):
        doc, display = _load_yaml(path, root, diags)
        if doc is None:
            continue
        project.inputs[display] = path
        project.docs[display] = doc
        if path.name in ("glossary.yml", "curriculum.yml"):
            attr, cls = ("glossary", Glossary) if path.name == "glossary.yml" else ("curriculum", Curriculum)
            obj, kept = parse_kept(project, cls, doc, display, diags)
            if obj is not None and kept is not None:
                project.docs[display] = kept
                setattr(project, attr, obj)
                project.files[id(obj)] = display
                resolve_texts(project, obj, kept, display, curriculum, diags)
            continue
        workshop, kept = parse_kept(project, Workshop, doc, display, diags)
        if workshop is None or kept is None:
            continue
        project.docs[display] = doc = kept
        project.files[id(workshop)] = display
        _id_matches(doc, display, workshop.id, path.stem, "file name", diags)
        resolve_texts(project, workshop, doc, display, curriculum, diags)
        project.workshops.append(workshop)
    for path in sorted((curriculum / "sources").glob("*.yml")):
        doc, display = _load_yaml(path, root, diags)
        lib, doc = parse_kept(project, SourceLibrary, doc, display, diags)
        if doc is None or lib is None:
            project.broken.add("*sources")
            continue
        left_out = project.lost.get((id(lib), "sources"), frozenset())
        project.broken.update(left_out if left_out is not None else {"*sources"})
        project.inputs[display] = path
        project.docs[display] = doc
        project.sources.extend(lib.sources)
        for src in lib.sources:
            project.files[id(src)] = display
        resolve_texts(project, lib, doc, display, curriculum, diags)
    for extra in sorted(curriculum.rglob("*.yaml")):
        diags.append(Diagnostic(rel(extra, root), 0, 0, "", "workshop files end in .yml", "rename it to .yml", code="WK010"))


def _load_seeds(project: Project, diags: list[Diagnostic]) -> None:
    root = project.root
    seeds_dir = root / "seeds"
    if not seeds_dir.is_dir():
        return
    for path in sorted(seeds_dir.glob("*.yml")):
        doc, display = _load_yaml(path, root, diags)
        seed, doc = parse_kept(project, Source, doc, display, diags)
        if doc is None or seed is None:
            project.broken.add(path.stem)
            continue
        _register(project, display, path, doc, seed)
        _id_matches(doc, display, seed.id, path.stem, "file name", diags)
        resolve_texts(project, seed, doc, display, seeds_dir, diags)
        project.seeds.append(seed)

