"""The audience gate: the only place that decides what an audience may see.

``view(project, audience)`` returns model-shaped copies with everything the audience must not
see removed: fields that are private by type (their ``x-visibility`` in the schema), items whose
``visibility`` is too private (inherited from their ancestors: a restricted module makes every
session in it restricted), and ``/// facilitator`` / ``/// restricted`` blocks in every text.
Publishers receive only a :class:`View`, never the loaded project.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from . import blocks
from .agenda import AgendaDay, compute
from .load import Project
from .model import Citation, Curriculum, Glossary, Module, Source, Workshop
from .visibility import Audience, Visibility
from .walk import field_visibility, fields

_DROP = object()


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def _fresh_copy(value: Any) -> Callable[[], Any]:
    return lambda: copy.deepcopy(value)


@functools.cache
def _fields_of(cls: type[BaseModel]) -> tuple[tuple[str, Visibility | None, Callable[[], Any]], ...]:
    """Each field of a model class: its name, its own visibility and how to make it empty."""
    out: list[tuple[str, Visibility | None, Callable[[], Any]]] = []
    for name, info in cls.model_fields.items():
        vis = field_visibility(info)
        empty: Callable[[], Any]
        if info.default_factory is not None:
            empty = info.default_factory  # type: ignore[assignment]  # the schema's factories take no argument
        else:
            default = info.default
            empty = _constant(default) if isinstance(default, (str, int, float, bool, type(None), tuple)) \
                else _fresh_copy(default)
        out.append((name, Visibility.parse(vis) if vis else None, empty))
    return tuple(out)


def _gate(value: Any, audience: Audience, level: Visibility) -> Any:
    allowed = audience.allowed
    if isinstance(value, BaseModel):
        own = getattr(value, "visibility", None)
        if isinstance(own, str):
            level = max(level, Visibility.parse(own))
        if level not in allowed:
            return _DROP
        updates: dict[str, Any] = {}
        for name, vis, empty in _fields_of(type(value)):
            field_level = max(level, vis) if vis is not None else level
            if field_level not in allowed:
                updates[name] = empty()
            else:
                updates[name] = _gate(getattr(value, name), audience, field_level)
        # model_copy keeps the original class and skips validation (the input was validated).
        return value.model_copy(update=updates, deep=False)
    if isinstance(value, list):
        out = [_gate(v, audience, level) for v in value]
        return [v for v in out if v is not _DROP]
    if isinstance(value, dict):
        out_d = {k: _gate(v, audience, level) for k, v in value.items()}
        return {k: v for k, v in out_d.items() if v is not _DROP}
    if isinstance(value, str):
        return blocks.gate(value, allowed) if blocks.may_hide(value) else value
    return value


def gate(obj: Any, audience: Audience) -> Any:
    """Gate one model (or list of models); returns ``None`` when the whole object is hidden."""
    out = _gate(obj, audience, Visibility.public)
    return None if out is _DROP else out


@dataclass
class WorkshopView:
    workshop: Workshop
    days: list[AgendaDay]
    modules: list[str]  # ids of the visible modules the workshop uses, in agenda order


@dataclass
class View:
    """What one audience may see, and nothing else."""

    audience: Audience
    modules: list[Module] = field(default_factory=list)
    workshops: list[WorkshopView] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    seeds: list[Source] = field(default_factory=list)
    glossary: Glossary | None = None
    curriculum: Curriculum | None = None
    #: In a translated edition, the share of each catalogue's words that is translated
    #: ('modules/<id>', 'curriculum'); the rest shows in English, and the outputs say so.
    translated: dict[str, float] = field(default_factory=dict)

    def module(self, mid: str) -> Module | None:
        return next((m for m in self.modules if m.id == mid), None)

    def tracks(self) -> list[tuple[str, str, str, list[Module]]]:
        """(id, title, summary, visible modules) per track, in the curriculum's order.

        Without ``curriculum/curriculum.yml`` the modules are grouped by their ``track`` key.
        """
        out: list[tuple[str, str, str, list[Module]]] = []
        placed: set[str] = set()
        if self.curriculum is not None:
            for t in self.curriculum.tracks:
                mods = [m for m in (self.module(mid) for mid in t.modules) if m is not None]
                placed.update(m.id for m in mods)
                if mods:
                    out.append((t.id, t.title, t.summary, mods))
        rest: dict[str, list[Module]] = {}
        for m in self.modules:
            if m.id not in placed:
                rest.setdefault(m.track, []).append(m)
        out.extend((tid, tid, "", mods) for tid, mods in rest.items())
        return out

    def source(self, sid: str) -> Source | None:
        return next((s for s in self.seeds + self.sources if s.id == sid), None)


def view(project: Project, audience: Audience, closed_label: str = "Closed session") -> View:
    """Build the :class:`View` of ``project`` for ``audience``."""
    modules = [gate(m, audience) for m in project.modules]
    visible = _without_closed_structure([m for m in modules if m is not None], project.modules)
    curriculum = gate(project.curriculum, audience) if project.curriculum else None
    glossary = gate(project.glossary, audience) if project.glossary else None
    seeds = [s for s in (gate(x, audience) for x in project.seeds) if s is not None]
    out = View(audience, visible, seeds=seeds, glossary=glossary, curriculum=curriculum)
    by_id = {m.id: m for m in visible}
    full = {m.id: m for m in project.modules}
    for w in project.workshops:
        gw = gate(w, audience)
        if gw is None:
            continue
        days = compute(w, full)  # clock times come from the full programme
        used: list[str] = []
        for day in days:
            for row in day.rows:
                if row.kind != "session":
                    continue
                module = by_id.get(row.module_id)
                if module is None or module.session(row.session_id) is None:
                    # Hidden from this audience: keep the time, drop every detail.
                    row.title, row.module_id, row.module_title, row.session_id = closed_label, "", "", ""
                    row.kind, row.note = "closed", ""
                elif row.module_id not in used:
                    used.append(row.module_id)
        out.workshops.append(WorkshopView(gw, days, used))
    if glossary is not None:
        glossary = _without_closed_terms(glossary, [*visible, *(wv.workshop for wv in out.workshops), curriculum],
                                         project.modules)
        out.glossary = glossary
    # The bibliography lists what visible content cites: a closed-door module's readings stay with it.
    cited = _cited([*visible, *(wv.workshop for wv in out.workshops), glossary, curriculum])
    out.sources = [s for s in (gate(x, audience) for x in project.sources) if s is not None and s.id in cited]
    out.seeds = [s for s in out.seeds if s.id in cited]
    return out


def _without_closed_structure(visible: list[Module], originals: list[Module]) -> list[Module]:
    """Visible modules without what only hidden material explains: prerequisites that name a
    hidden module, objectives that only hidden sessions serve, and the items that test them."""
    ids = {m.id for m in visible}
    full = {m.id: m for m in originals}
    out = []
    for m in visible:
        updates: dict[str, Any] = {}
        if any(p not in ids for p in m.prerequisites):
            updates["prerequisites"] = [p for p in m.prerequisites if p in ids]
        shown = {s.id for s in m.sessions}
        original = full.get(m.id, m)
        served_hidden = {o for s in original.sessions if s.id not in shown for o in s.objectives}
        closed = served_hidden - {o for s in m.sessions for o in s.objectives}
        if closed:
            updates["learning_objectives"] = [o for o in m.learning_objectives if o.id not in closed]
            updates["assessment"] = [q for q in m.assessment if q.objective not in closed]
        out.append(m.model_copy(update=updates) if updates else m)
    return out


def term_key(term: str) -> str:
    """How a glossary term is looked for in text: its words before any bracket, in any case."""
    return term.split("(")[0].strip().casefold()


def words_of(objs: list[BaseModel]) -> str:
    """The texts written in ``objs`` (not their field names or ids), folded for matching."""
    parts: list[str] = []
    for obj in objs:
        for visit in fields(obj):
            value = visit.value
            if isinstance(value, str):
                parts.append(value)
            elif isinstance(value, list):
                parts.extend(v for v in value if isinstance(v, str))
            elif isinstance(value, dict):
                parts.extend(v for v in value.values() if isinstance(v, str))
    return "\n".join(parts).casefold()


def uses_term(text: str, term: str) -> bool:
    """Whether folded ``text`` uses a glossary term: as a whole word in alphabetic scripts; as a
    part of a word in Korean, where particles attach to the noun."""
    key = term_key(term)
    if not key:
        return False
    if key.isascii():
        return re.search(r"(?<!\w)" + re.escape(key) + r"(?!\w)", text) is not None
    return key in text


def _without_closed_terms(glossary: Glossary, shown: list[BaseModel | None], originals: list[Module]) -> Glossary:
    """The glossary without terms that only hidden material uses (a term no module uses stays)."""
    seen = words_of([o for o in shown if o is not None])
    everything = words_of(list(originals))
    terms = [t for t in glossary.terms if uses_term(seen, t.term) or not uses_term(everything, t.term)]
    if len(terms) == len(glossary.terms):
        return glossary
    # "See also" names no term that was left out.
    dropped = {term_key(t.term) for t in glossary.terms} - {term_key(t.term) for t in terms}
    terms = [t if not any(term_key(x) in dropped for x in t.see_also)
             else t.model_copy(update={"see_also": [x for x in t.see_also if term_key(x) not in dropped]})
             for t in terms]
    return glossary.model_copy(update={"terms": terms})


def _cited(objs: list[BaseModel | None]) -> set[str]:
    refs: set[str] = set()
    for obj in objs:
        if obj is None:
            continue
        for visit in fields(obj):
            if visit.name == "ref" and isinstance(visit.owner, Citation):
                refs.add(visit.value)
    return refs


#: Views the PDF publisher needs beside those of the sites (keys of :func:`publishing_views`).
TEST_BASIS = "participant-test"  # the knowledge test as participants get it, for answer keys
RESTRICTED_PACK = "restricted-pack"  # participants of closed-door sessions


def publishing_views(project: Project, audiences: tuple[str, ...], include_restricted: bool,
                     closed_label: str) -> dict[str, View]:
    """Every view a build's publishers receive; they never see the project itself."""
    out: dict[str, View] = {}
    for name in audiences:
        out[name] = view(project, Audience(name, include_restricted=include_restricted and name == "facilitator"),
                         closed_label=closed_label)
    if "facilitator" in out and "participant" not in out:
        out[TEST_BASIS] = view(project, Audience("participant"), closed_label=closed_label)
    if include_restricted and "participant" in out:
        out[RESTRICTED_PACK] = view(project, Audience("participant", include_restricted=True), closed_label=closed_label)
    return out
