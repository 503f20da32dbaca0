"""Read a workshopkit repository into validated models, collecting every problem with its place.

Layout read here::

    modules/<id>/module.yml (+ Markdown files)   one module per folder
    curriculum/<id>.yml                          workshops
    curriculum/sources/*.yml                     the shared bibliography
    curriculum/glossary.yml                      glossary terms
    curriculum/curriculum.yml                    home page text and the tracks, in order
    seeds/<id>.yml                               one record per seed document
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from . import blocks, links
from .errors import Diagnostic, name_list, rel
from .model import Curriculum, Glossary, Module, Source, SourceLibrary, Workshop
from .walk import Loc, Visit, fields, is_markdown, model_classes
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
    _handout_files: dict[Path, tuple[Module, Any]] | None = field(default=None, repr=False)

    def module(self, mid: str) -> Module | None:
        return next((m for m in self.modules if m.id == mid), None)

    def file_of(self, obj: BaseModel) -> str:
        return self.files.get(id(obj), "")

    def where(self, obj: BaseModel, loc: Loc) -> tuple[str, int, int]:
        path = self.file_of(obj)
        doc = self.docs.get(path)
        line, col = doc.where(loc) if doc else (0, 0)
        return path, line, col

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


_MESSAGES = {
    "missing": "missing required key",
    "extra_forbidden": "unknown key",
}


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


def _clean_loc(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the parts of a pydantic ``loc`` that are type tags, not keys of the YAML data."""
    out: list[Any] = []
    node = data
    for i, part in enumerate(loc):
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif i == len(loc) - 1 and isinstance(part, str) and isinstance(node, dict):
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


#: Codes of the schema's problems by pydantic's error type (see :mod:`workshopkit.rules`); any
#: other type is a value of the wrong kind (WK032).
_SCHEMA_CODES = {
    "extra_forbidden": "WK030", "missing": "WK031",
    "enum": "WK033", "literal_error": "WK033",
    "string_pattern_mismatch": "WK034",
    **dict.fromkeys(("greater_than", "greater_than_equal", "less_than", "less_than_equal", "multiple_of",
                     "too_short", "too_long", "string_too_short", "string_too_long"), "WK035"),
    "value_error": "WK036", "assertion_error": "WK036",
}


def _schema_code(kind: str) -> str:
    return _SCHEMA_CODES.get(kind, "WK032")


def validation_diagnostics(exc: ValidationError, cls: type[BaseModel], doc: YamlDoc, display: str) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for err in exc.errors(include_url=False):
        loc = _clean_loc(doc.data, tuple(err["loc"]))
        kind = err["type"]
        hint = ""
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
            message = f"missing required key '{key}'"
            hint = "add it"
            line, col = doc.where(loc[:-1])
        else:
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, "):]
            elif msg.startswith("Assertion failed, "):
                msg = msg[len("Assertion failed, "):]
            if kind in ("string_pattern_mismatch",) and loc and loc[-1] in ("id", "module", "session") or (
                    kind == "string_pattern_mismatch" and loc and isinstance(loc[-1], int)):
                msg = "an id may use only lower-case letters, digits and '-', and starts with a letter or digit"
                if loc[-1] == "session":
                    msg = "write 'module-id/session-id'"
            elif kind == "string_pattern_mismatch" and loc and loc[-1] in ("start", "end"):
                msg = "write a time as HH:MM, e.g. 09:30"
            message = f"{msg}, got {_describe(err.get('input'))}" if kind not in ("value_error", "assertion_error") else msg
            line, col = doc.where(loc)
            if kind in ("int_parsing", "int_type"):
                hint = "write a whole number"
        out.append(Diagnostic(display, line, col, dotted(loc), message, hint, code=_schema_code(kind)))
    return out


def parse_model(cls: type[M], doc: YamlDoc, display: str, diags: list[Diagnostic]) -> M | None:
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
    for visit in _text_visits(obj):
        value = visit.value
        key = dotted(visit.loc)
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


def _plain_text(project: Project, visit: Visit, doc: YamlDoc, display: str, folder: Path,
                diags: list[Diagnostic]) -> None:
    """A plain-text field: no blocks (a block there is always a mistake), no comments, and the
    same HTML and link rules as Markdown, since the sites place plain text in Markdown pages."""
    value: str = visit.value
    key = dotted(visit.loc)
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
    key = dotted(visit.loc)
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


def _load_yaml(path: Path, root: Path, diags: list[Diagnostic]) -> tuple[YamlDoc | None, str]:
    display = rel(path, root)
    if links.symlink_on_path(root, display) is not None:
        return None, display  # reported once as a symbolic link; never read through it
    try:
        return load_file(path, display), display
    except YamlError as exc:
        diags.append(exc.diagnostic)
        return None, display


def load_project(root: Path) -> tuple[Project, list[Diagnostic]]:
    """Load everything under ``root``; return the project and every problem found."""
    root = root.resolve()
    project = Project(root=root)
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
        module = parse_model(Module, doc, display, diags) if doc is not None else None
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
            obj = parse_model(cls, doc, display, diags)
            if obj is not None:
                setattr(project, attr, obj)
                project.files[id(obj)] = display
                resolve_texts(project, obj, doc, display, curriculum, diags)
            continue
        workshop = parse_model(Workshop, doc, display, diags)
        if workshop is None:
            continue
        project.files[id(workshop)] = display
        _id_matches(doc, display, workshop.id, path.stem, "file name", diags)
        resolve_texts(project, workshop, doc, display, curriculum, diags)
        project.workshops.append(workshop)
    for path in sorted((curriculum / "sources").glob("*.yml")):
        doc, display = _load_yaml(path, root, diags)
        lib = parse_model(SourceLibrary, doc, display, diags) if doc else None
        if doc is None or lib is None:
            project.broken.add("*sources")
            continue
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
        seed = parse_model(Source, doc, display, diags) if doc is not None else None
        if doc is None or seed is None:
            project.broken.add(path.stem)
            continue
        _register(project, display, path, doc, seed)
        _id_matches(doc, display, seed.id, path.stem, "file name", diags)
        resolve_texts(project, seed, doc, display, seeds_dir, diags)
        project.seeds.append(seed)

