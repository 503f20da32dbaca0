"""``workshopkit new``: complete, valid skeletons of a module or a workshop.

The text of the skeletons lives in Jinja templates (``templates/new/``); this module only picks
the values (ids, a source to cite, an agenda that fits the day) and refuses to overwrite.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .agenda import session_minutes
from .errors import Diagnostic, WorkshopkitError, name_list
from .load import parse_model
from .model import ID_PATTERN, Curriculum, Module, Source, SourceLibrary
from .schema import SCHEMA_DIR
from .yamlload import YamlError, load_file

#: Names of ``curriculum/*.yml`` files that are not workshops.
RESERVED_WORKSHOP_IDS = {"glossary", "sources", "curriculum"}


@dataclass
class Created:
    """What ``new`` wrote, as paths relative to the repository root."""

    root: Path
    files: list[Path] = field(default_factory=list)

    def relative(self) -> list[str]:
        return [p.relative_to(self.root).as_posix() for p in self.files]


# --------------------------------------------------------------------------------------------
# Helpers


def validate_id(value: str, what: str) -> str:
    if not re.match(ID_PATTERN, value or ""):
        raise WorkshopkitError(
            f"'{value}' is not a valid {what} id: use lower-case letters, digits and '-', start with a "
            "letter or digit, at most 63 characters (e.g. 'safe-referrals')")
    return value


def title_from_id(value: str) -> str:
    words = value.replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def yaml_text(value: str) -> str:
    """A YAML scalar that reads back as exactly ``value``: plain when safe, else double-quoted."""
    value = str(value)
    plain_ok = (value and value == value.strip() and "\n" not in value and ": " not in value
                and " #" not in value and not value.endswith(":")
                and not re.match(r"^[-?:,\[\]{}#&*!|>'\"%@`]", value))
    if plain_ok:
        try:
            plain_ok = yaml.safe_load(value) == value
        except yaml.YAMLError:
            plain_ok = False
    return value if plain_ok else json.dumps(value, ensure_ascii=False)


def lower_first(value: str) -> str:
    """'Safe referrals' -> 'safe referrals'; acronyms such as 'PFA basics' stay as they are."""
    if len(value) > 1 and value[1].isupper():
        return value
    return value[:1].lower() + value[1:]


def schema_ref(name: str, file: Path, fallback: str) -> str:
    """The path from ``file`` to the shipped JSON schema, for the ``yaml-language-server`` line."""
    if Path(os.path.normpath(file.parent / fallback)).is_file():  # the repository's own copy
        return fallback
    try:
        return Path(os.path.relpath(SCHEMA_DIR / f"{name}.schema.json", file.parent)).as_posix()
    except ValueError:  # another drive (Windows)
        return fallback


def _env() -> Any:
    from .site.generate import environment

    env = environment("new")
    env.filters["yaml_text"] = yaml_text
    env.filters["lower_first"] = lower_first
    return env


def _render(template: str, **ctx: Any) -> str:
    text: str = _env().get_template(template).render(**ctx)
    return text.rstrip() + "\n"


def _write_new(path: Path, text: str, created: Created) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as fh:  # "x": never overwrite
        fh.write(text)
    created.files.append(path)


def _load(path: Path, root: Path, cls: type[Any]) -> Any:
    try:
        doc = load_file(path, path.relative_to(root).as_posix())
    except (YamlError, OSError):
        return None
    diags: list[Diagnostic] = []
    return parse_model(cls, doc, path.name, diags)


def first_source_id(root: Path) -> str | None:
    """The id of the first valid seed record, else of the first source in the library."""
    for path in sorted((root / "seeds").glob("*.yml")):
        seed = _load(path, root, Source)
        if seed is not None and seed.id == path.stem:
            return str(seed.id)
    for path in sorted((root / "curriculum" / "sources").glob("*.yml")):
        lib = _load(path, root, SourceLibrary)
        if lib is not None and lib.sources:
            return str(lib.sources[0].id)
    return None


def track_ids(root: Path) -> list[str]:
    """The ids of the tracks of ``curriculum/curriculum.yml`` (none when it is missing or invalid)."""
    path = root / "curriculum" / "curriculum.yml"
    curriculum = _load(path, root, Curriculum) if path.is_file() else None
    return [t.id for t in curriculum.tracks] if curriculum is not None else []


def valid_modules(root: Path) -> list[Module]:
    """Modules whose ``module.yml`` loads on its own (for the agenda of a new workshop)."""
    out = []
    for path in sorted((root / "modules").glob("*/module.yml")):
        module = _load(path, root, Module)
        if module is not None and module.id == path.parent.name:
            out.append(module)
    return out


# --------------------------------------------------------------------------------------------
# new module


def new_module(root: Path, module_id: str, title: str | None = None) -> Created:
    root = root.resolve()
    validate_id(module_id, "module")
    title = " ".join((title or title_from_id(module_id)).split())
    if not title:
        raise WorkshopkitError("the title cannot be empty")
    folder = root / "modules" / module_id
    if folder.exists():
        raise WorkshopkitError(f"modules/{module_id} already exists; choose another id (nothing was written)")
    created = Created(root)

    source_id = first_source_id(root)
    local = root / "curriculum" / "sources" / "local.yml"
    new_source = source_id is None
    if new_source:
        if local.exists():
            raise WorkshopkitError(f"{local.relative_to(root)} exists but holds no valid source; fix it with "
                                   "`workshopkit check`, then run this command again")
        source_id = "local-notes"

    ids = {"session_id": "introduction", "activity_id": "welcome", "handout_id": "worksheet",
           "objective_id": "lo1", "item_id": "q1"}
    module_yml = folder / "module.yml"
    ctx = dict(id=module_id, title=title, source_id=source_id, minutes=30, tracks=track_ids(root),
               schema=schema_ref("module", module_yml, "../../src/workshopkit/schema/module.schema.json"), **ids)
    try:
        _write_new(module_yml, _render("module.yml.j2", **ctx), created)
        _write_new(folder / "sessions" / f"{ids['session_id']}.md", _render("session.md.j2", **ctx), created)
        _write_new(folder / "handouts" / f"{ids['handout_id']}.md", _render("handout.md.j2", **ctx), created)
        if new_source:
            _write_new(local, _render("sources.yml.j2", source_id=source_id, module_title=title,
                                      schema=schema_ref("sources", local, "../../src/workshopkit/schema/sources.schema.json")),
                       created)
    except FileExistsError as exc:  # pragma: no cover - a race with another writer
        raise WorkshopkitError(f"{exc.filename} already exists; nothing was overwritten") from None
    return created


# --------------------------------------------------------------------------------------------
# new workshop


DAY_START = 9 * 60
TEACHING_STRETCH = 120  # the longest run without a break (check warns above it)
DAY_TEACHING = 6 * 60  # content per day before a new day starts


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def plan_days(modules: list[Module]) -> list[dict[str, Any]]:
    """Lay the sessions of ``modules`` out over days with breaks, so that check passes."""
    days: list[dict[str, Any]] = []

    def new_day() -> dict[str, Any]:
        day = {"title": f"Day {len(days) + 1}", "slots": [], "clock": DAY_START, "run": 0, "taught": 0, "lunch": False}
        days.append(day)
        return day

    def add(day: dict[str, Any], slot: dict[str, Any]) -> None:
        day["slots"].append(slot)
        day["clock"] += slot["minutes"]
        day["run"] = 0 if slot["type"] == "break" else day["run"] + slot["minutes"]

    def pause(day: dict[str, Any]) -> None:
        if not day["lunch"] and day["clock"] >= 12 * 60:
            day["lunch"] = True
            add(day, {"type": "break", "minutes": 60, "title": "Lunch"})
        else:
            add(day, {"type": "break", "minutes": 15, "title": "Coffee break"})

    day = new_day()
    add(day, {"type": "item", "title": "Opening and introductions", "minutes": 15, "kind": "opening", "note": ""})
    sessions = [(m, s) for m in modules for s in m.sessions]
    for m, s in sessions:
        minutes = session_minutes(s, "full")
        if day["taught"] and day["taught"] + minutes > DAY_TEACHING:
            day = new_day()
            add(day, {"type": "item", "title": "Check-in", "minutes": 15, "kind": "check-in", "note": ""})
        if day["run"] and day["run"] + minutes > TEACHING_STRETCH:
            pause(day)
        add(day, {"type": "session", "ref": f"{m.id}/{s.id}", "module": m.id, "title": " ".join(s.title.split()),
                  "minutes": minutes})
        day["taught"] += minutes
    if not sessions:
        add(day, {"type": "item", "title": "Replace with module or session slots", "minutes": 60, "kind": "other",
                  "note": "Add slots here, such as 'module: safe-referrals' (a module's id)."})
    if day["run"] + 15 > TEACHING_STRETCH:
        pause(day)
    add(day, {"type": "item", "title": "Evaluation and closing", "minutes": 15, "kind": "closing", "note": ""})
    for d in days:
        end = -(-d["clock"] // 15) * 15 + 15  # a quarter of an hour to spare
        d["start"], d["end"] = _clock(DAY_START), _clock(min(end, 23 * 60 + 45))
    return days


def new_workshop(root: Path, workshop_id: str, title: str | None = None, modules: list[str] | None = None,
                 start_date: dt.date | None = None) -> Created:
    root = root.resolve()
    validate_id(workshop_id, "workshop")
    if workshop_id in RESERVED_WORKSHOP_IDS:
        raise WorkshopkitError(f"'{workshop_id}' is reserved (curriculum/{workshop_id}.yml is not a workshop); choose another id")
    title = " ".join((title or title_from_id(workshop_id)).split())
    if not title:
        raise WorkshopkitError("the title cannot be empty")
    path = root / "curriculum" / f"{workshop_id}.yml"
    if path.exists():
        raise WorkshopkitError(f"curriculum/{workshop_id}.yml already exists; choose another id (nothing was written)")
    available = valid_modules(root)
    by_id = {m.id: m for m in available}
    if modules:
        missing = [mid for mid in modules if mid not in by_id]
        if missing:
            known = name_list(sorted(by_id)) or "none"
            raise WorkshopkitError(f"no valid module {', '.join(repr(m) for m in missing)} (valid modules: {known})")
        chosen = [by_id[mid] for mid in modules]
    else:
        chosen = available[:1]
    start = start_date or dt.date.today() + dt.timedelta(days=28)
    created = Created(root)
    text = _render("workshop.yml.j2", id=workshop_id, title=title, start_date=start.isoformat(), days=plan_days(chosen),
                   schema=schema_ref("workshop", path, "../src/workshopkit/schema/workshop.schema.json"))
    try:
        _write_new(path, text, created)
    except FileExistsError:  # pragma: no cover - a race with another writer
        raise WorkshopkitError(f"curriculum/{workshop_id}.yml already exists; nothing was overwritten") from None
    return created
