"""Build a fixture repository with a unique canary string in every private place.

The places come from the schema, not from a hand list: every field the schema marks
facilitator- or organiser-only, every Markdown field (each gets a ``/// facilitator`` and a
``/// restricted`` block), every field of a restricted session and of a restricted module.
"""

from __future__ import annotations

import itertools
import shutil
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from workshopkit.model import Module, Workshop
from workshopkit.walk import field_visibility, is_markdown, model_classes

from conftest import FIXTURES

_counter = itertools.count(1)


@dataclass
class Canaries:
    facilitator: set[str] = field(default_factory=set)  # must reach the facilitator outputs
    restricted: set[str] = field(default_factory=set)  # only with --include-restricted
    organiser: set[str] = field(default_factory=set)  # never rendered anywhere
    places: dict[str, str] = field(default_factory=dict)  # canary -> where it was planted
    fields: set[tuple[str, str]] = field(default_factory=set)  # (model class, key) of private fields planted

    @property
    def private(self) -> set[str]:
        return self.facilitator | self.restricted | self.organiser

    def new(self, kind: str, where: str) -> str:
        token = f"zq{kind[:3]}{next(_counter):04d}x"
        getattr(self, kind).add(token)
        self.places[token] = where
        return token


def _is_str_list(annotation: Any) -> bool:
    """A list of texts (``list[str]``, or of a constrained ``str`` such as ``Text``)."""
    if typing.get_origin(annotation) is not list:
        return False
    (item,) = typing.get_args(annotation) or (None,)
    if typing.get_origin(item) is typing.Annotated:
        item = typing.get_args(item)[0]
    return item is str


def _accepts_str(annotation: Any) -> bool:
    if annotation is str:
        return True
    return any(_accepts_str(a) for a in typing.get_args(annotation))


def _fill_model(cls: type[BaseModel], canaries: Canaries, kind: str, where: str) -> dict[str, Any]:
    """A mapping for ``cls`` with a canary in every text field."""
    out: dict[str, Any] = {}
    for name, info in cls.model_fields.items():
        key = info.alias or name
        if info.annotation is str and key != "body":
            out[key] = canaries.new(kind, f"{where}.{key}")
        elif _is_str_list(info.annotation):
            out[key] = [canaries.new(kind, f"{where}.{key}")]
    return out


def plant(data: Any, cls: type[BaseModel], canaries: Canaries, where: str, kind_for_blocks: bool = True) -> None:  # noqa: C901 - one branch per kind of schema field
    """Plant canaries in ``data`` (the YAML mapping of a ``cls``) following the schema."""
    if not isinstance(data, dict):
        return
    for name, info in cls.model_fields.items():
        key = info.alias or name
        vis = field_visibility(info)
        here = f"{where}.{key}"
        if vis in ("facilitator", "organiser"):
            canaries.fields.add((cls.__name__, key))
            kind = vis
            subs = model_classes(info.annotation)
            if subs:
                filled = _fill_model(subs[0], canaries, kind, here)
                data[key] = [filled] if "list" in str(info.annotation) else filled
            elif _is_str_list(info.annotation):
                data[key] = [canaries.new(kind, here)]
            elif key == "answer":
                if data.get("type") == "open":
                    data[key] = canaries.new(kind, here)
            elif _accepts_str(info.annotation):
                data[key] = canaries.new(kind, here)
            continue
        value = data.get(key)
        if is_markdown(info) and key != "body" and kind_for_blocks and value in (None, "") and _accepts_str(info.annotation):
            value = data[key] = "Some text."  # an empty Markdown field gets blocks too
        if is_markdown(info) and key != "body" and isinstance(value, str) and kind_for_blocks:
            if value.strip().endswith(".md"):
                continue  # the file itself gets blocks below
            data[key] = (value + f"\n\n/// facilitator\n{canaries.new('facilitator', here + ' block')}\n///\n"
                         f"\n/// restricted\n{canaries.new('restricted', here + ' block')}\n///\n")
        for sub in model_classes(info.annotation):
            if isinstance(value, dict):
                plant(value, sub, canaries, here, kind_for_blocks)
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    plant(item, sub, canaries, f"{here}[{i}]", kind_for_blocks)


def restricted_everywhere(data: dict[str, Any], canaries: Canaries, where: str) -> None:
    """Replace every text of a restricted item with restricted canaries (ids stay)."""
    for key, value in list(data.items()):
        if key in ("id", "visibility", "attribution", "method", "grouping", "variant", "type", "kind",
                   "objective", "objectives", "handout", "minutes", "level", "version", "answer", "options"):
            continue
        if isinstance(value, str):
            if value.strip().endswith(".md"):
                continue
            token = canaries.new("restricted", f"{where}.{key}")
            data[key] = f"Describe {token}." if key == "text" else token
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    restricted_everywhere(item, canaries, f"{where}.{key}[{i}]")
                elif isinstance(item, str) and key not in ("objectives", "prerequisites", "audience", "sources"):
                    value[i] = canaries.new("restricted", f"{where}.{key}[{i}]")
        elif isinstance(value, dict):
            restricted_everywhere(value, canaries, f"{where}.{key}")


def _refile(canaries: Canaries, prefixes: tuple[str, ...]) -> None:
    """Facilitator canaries inside restricted items reach only restricted-inclusive outputs."""
    if not prefixes:
        return
    for token, where in canaries.places.items():
        if where.startswith(prefixes) and token in canaries.facilitator:
            canaries.facilitator.discard(token)
            canaries.restricted.add(token)


def _dump(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def make_canary_repo(dest: Path) -> Canaries:
    """Copy the mini fixture to ``dest`` and plant canaries everywhere private."""
    shutil.copytree(FIXTURES / "mini", dest)
    shutil.copy(FIXTURES.parent.parent / "mkdocs.yml", dest / "mkdocs.yml")
    canaries = Canaries()
    for module_dir in sorted((dest / "modules").iterdir()):
        path = module_dir / "module.yml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        closed = []
        for i, s in enumerate(data["sessions"]):
            if s.get("visibility") == "restricted":
                restricted_everywhere(s, canaries, f"{module_dir.name}.{s['id']}")
                closed.append(f"{module_dir.name}.sessions[{i}].")
        plant(data, Module, canaries, module_dir.name)
        _refile(canaries, tuple(closed))
        _dump(path, data)
        for md in sorted(module_dir.rglob("*.md")):
            where = md.relative_to(dest).as_posix()
            md.write_text(md.read_text(encoding="utf-8") +
                          f"\n\n/// facilitator\n{canaries.new('facilitator', where + ' block')}\n///\n"
                          f"\n/// restricted\n{canaries.new('restricted', where + ' block')}\n///\n", encoding="utf-8")
    # A whole restricted module, used by the workshop.
    gamma = dest / "modules" / "gamma"
    gamma.mkdir()
    g = {
        "id": "gamma", "title": "T", "summary": "S", "audience": ["staff"], "level": "advanced",
        "visibility": "restricted", "content_warnings": {"tags": []}, "sources": ["lib-handbook"],
        "learning_objectives": [{"id": "lo1", "text": "Describe T."}],
        "sessions": [{"id": "s1", "title": "T", "minutes": 30, "objectives": ["lo1"], "visibility": "restricted",
                      "attribution": "chatham-house", "summary": "S",
                      "activities": [{"id": "a1", "title": "T", "method": "discussion", "minutes": 30,
                                      "participant": "P"}]}],
    }
    restricted_everywhere(g, canaries, "gamma")
    plant(g, Module, canaries, "gamma")
    # A reading only the closed-door module cites: the bibliography must not name it to others.
    libpath = dest / "curriculum" / "sources" / "library.yml"
    lib = yaml.safe_load(libpath.read_text(encoding="utf-8"))
    lib["sources"].append({"id": "closed-reading", "kind": "report", "publisher": "Example Organisation",
                           "title": canaries.new("restricted", "a source only the restricted module cites"),
                           "year": 2020, "url": "https://example.org/closed", "reuse": "all-rights-reserved"})
    _dump(libpath, lib)
    g["sources"] = ["lib-handbook", "closed-reading"]
    # Everything in gamma is restricted or more private: re-file its facilitator canaries.
    _refile(canaries, ("gamma",))
    _dump(gamma / "module.yml", g)
    wpath = dest / "curriculum" / "demo.yml"
    w = yaml.safe_load(wpath.read_text(encoding="utf-8"))
    # One of the workshop's own sessions, run by a slot with a lead, a support and a location.
    w["sessions"] = [{"id": "welcome", "title": "Welcome", "kind": "opening", "minutes": 5, "summary": "S",
                      "activities": [{"id": "hello", "title": "Hello", "method": "discussion", "minutes": 5,
                                      "participant": "P"}]}]
    w["days"][0]["slots"].insert(0, {"plan": "welcome", "location": "Room B"})
    plant(w, Workshop, canaries, "demo")
    w["days"][0]["end"] = "13:40"
    # A slot names who leads it by the id of a member of the team: the id is not text anyone reads
    # (the member's name, a canary, is what the outputs print).
    lead = w["facilitators"][0]
    lead["id"] = "team-lead"
    for task in w.get("preparation", []):
        task["when"] = "day-before"
    for day in w["days"]:
        for slot in day["slots"]:
            support = slot.get("support", [])
            for token in [slot.get("lead"), *([support] if isinstance(support, str) else support)]:
                canaries.facilitator.discard(token)
            slot["lead"], slot["support"] = "team-lead", ["team-lead"]
    # Private event data lives in events/ (git-ignored); no build may read it into an output.
    roster = dest / "events" / "demo"
    roster.mkdir(parents=True)
    names = [canaries.new("organiser", f"events/demo/roster.csv row {i}") for i in range(3)]
    (roster / "roster.csv").write_text("name,organisation,email\n" + "".join(
        f"{n},Org {n},{n}@example.org\n" for n in names), encoding="utf-8")
    w["days"][0]["slots"].append({"module": "gamma"})
    _dump(wpath, w)
    return canaries
