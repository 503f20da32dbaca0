"""Cross-file rules: ids, references, durations, links, safety of raw HTML.

The schema checks each file on its own; these rules need the whole repository. Each rule is a
small function registered with :func:`~workshopkit.rules.rule` under a stable code (the scheme
of codes, and the codes of the loader's problems, are in :mod:`workshopkit.rules`). Every rule
adds a :class:`Diagnostic` with its code, located at the key it is about, and every rule runs,
so an editor sees all problems at once.

A rule is given what its scope needs:

* ``project`` rules get a :class:`Check` (the project; ``add`` reports at a key of a model);
* ``site`` rules get a :class:`SiteCheck` (the site configuration, ``mkdocs.yml``);
* ``text`` rules get a :class:`TextCheck` for each Markdown text (``add`` reports at a line of it);
* ``link`` rules judge one link or image of a text and return a problem or None; they are
  asked in the order they are registered and the first problem is the one reported;
* ``rendered`` rules get a :class:`RenderedCheck`: what a text renders to, as the sites render it.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from . import evaluation, links
from .agenda import AgendaDay, _to_minutes, compute, plan_minutes, session_minutes
from .errors import BuildError, Diagnostic, name_list
from .htmlsafety import FORBIDDEN_TAGS, SAFE_SCHEMES, url_scheme
from .load import Project, TextRef, load_project
from .model import EVALUATION_OPEN_QUESTIONS, EVALUATION_STATEMENTS, Module, Workshop
from .rules import (
    CURRICULUM,
    LIBRARY,
    MODULE,
    OTHER_MODULE,
    SITE,
    TEXT,
    WORKSHOP,
    Rule,
    example,
    rule,
    rules_for,
)
from .visibility import Visibility
from .walk import Loc

if TYPE_CHECKING:
    from .markdown import SiteConfig


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


#: Session pages sit beside these pages of their module, so a session may not take their names.
RESERVED_SESSION_IDS = frozenset({"index", "answer-key", "handouts"})

# --------------------------------------------------------------------------------------------
# What rules are given


_SCOPES: dict[str, list[Rule]] = {}


def _rules(scope: str) -> list[Rule]:
    """The rules of a scope, in the order they run (looked up once: all are registered on import)."""
    if scope not in _SCOPES:
        _SCOPES[scope] = rules_for(scope)
    return _SCOPES[scope]


@dataclass
class Run:
    """One run of the rules over a project: what they share, and the diagnostics they add."""

    project: Project
    diags: list[Diagnostic] = field(default_factory=list)
    _agendas: dict[int, list[AgendaDay]] = field(default_factory=dict)

    @cached_property
    def modules(self) -> dict[str, Module]:
        return {m.id: m for m in self.project.modules}

    def agenda(self, w: Workshop) -> list[AgendaDay]:
        if id(w) not in self._agendas:
            self._agendas[id(w)] = compute(w, self.modules)
        return self._agendas[id(w)]

    @cached_property
    def site(self) -> SiteConfig | BuildError:
        """The site configuration, or why it cannot be read."""
        from .markdown import load_site_config

        try:
            return load_site_config(self.project.root)
        except BuildError as exc:
            return exc

    @cached_property
    def extensions_problem(self) -> tuple[int, int, str] | None:
        """(line, column, message) if the Markdown extensions of the site cannot be loaded."""
        from .markdown import markdown_problem

        return None if isinstance(self.site, BuildError) else markdown_problem(self.site)

    def renderer(self) -> Callable[[str], str] | None:
        """Markdown to HTML as the sites render it, or None if the configuration does not allow it."""
        from .markdown import to_html

        config = self.site
        if isinstance(config, BuildError) or self.extensions_problem:
            return None
        return lambda text: to_html(text, config)


@dataclass
class Check:
    """What a ``project`` rule is given: the project, and ``add`` to report under the rule's code."""

    run: Run
    rule: Rule

    @property
    def project(self) -> Project:
        return self.run.project

    def at(self, path: str, line: int, col: int, key: str, message: str, hint: str = "") -> None:
        self.run.diags.append(Diagnostic(path, line, col, key, message, hint, self.rule.severity, self.rule.code))

    def add(self, obj: BaseModel, loc: Loc, message: str, hint: str = "") -> None:
        """Report at the key ``loc`` of the model ``obj`` (as the loader located it)."""
        path, line, col = self.project.where(obj, loc)
        self.at(path, line, col, self.project.key(obj, loc), message, hint)

    def ref(self, owner: BaseModel, loc: Loc, value: str, known: Iterable[str], what: str,
            within: tuple[BaseModel, str] | None = None) -> None:
        """Report ``value`` if it is not one of ``known``: unless its own file failed to load, or
        it may be an item left out of the field ``within`` (object, field) because it failed
        the schema (the loader reported why)."""
        known = list(known)
        if value in known:
            return
        if value in self.project.broken or (what == "source" and "*sources" in self.project.broken):
            return  # its own file failed to load and was reported already
        if within is not None and self.project.may_be_lost(within[0], within[1], value):
            return
        left_out = self.project.lost.get((id(within[0]), within[1])) if within is not None else None
        hint = _suggest(value, known + sorted(left_out or ())) or (
            f"known {what}s: {name_list(sorted(known))}" if known else f"define the {what} first")
        self.add(owner, loc, f"unknown {what} '{value}'", hint)


@dataclass
class SiteCheck(Check):
    """What a ``site`` rule is given: the site configuration too (None if it cannot be read)."""

    @property
    def config(self) -> SiteConfig | None:
        site = self.run.site
        return None if isinstance(site, BuildError) else site


# --------------------------------------------------------------------------------------------
# Common example inputs

_OPENING = ("sessions:\n"
            "  - id: opening\n"
            "    title: Opening a first conversation\n")
_TALK = ("      - id: talk\n"
         "        title: Short input\n"
         "        method: presentation\n"
         "        minutes: 15\n")
_ITEM = ("assessment:\n"
         "  - id: q1\n"
         "    objective: lo1\n")
_DAY = ("days:\n"
        "  - title: Day one\n"
        '    start: "09:00"\n')
_TRACKS = ("title: Mini curriculum\n"
           "tracks:\n"
           "  - id: core\n"
           "    title: Core\n")


# --------------------------------------------------------------------------------------------
# WK1xx: ids and references


def _unique(c: Check, owner: BaseModel, items: list[Any], loc: Loc, what: str) -> None:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.id in seen:
            first = c.project.key(owner, loc + (seen[item.id],))
            c.add(owner, loc + (i, "id"), f"duplicate {what} id '{item.id}' (also at {first})", "give each one its own id")
        else:
            seen[item.id] = i


@rule("WK101", "duplicate-id",
      summary="Two objectives, sessions, activities of a session, handouts, assessment items, tracks, members of a "
              "workshop's facilitation team or questions of a workshop's evaluation form have the "
              "same id (nor may a workshop's own evaluation question take the id of a default statement or open "
              "question that the form keeps).",
      fix="give each one its own id",
      example=example(MODULE, "handouts:\n"
                              "  - id: case-lin\n    title: The case of Lin\n    kind: case-study\n"
                              "    file: handouts/case-lin.md\n    anonymisation: fictional\n"
                              "  - id: case-lin\n    title: My opening lines\n    kind: worksheet\n"
                              "    file: handouts/opening-sheet.md\n"))
def duplicate_id(c: Check) -> None:
    for m in c.project.modules:
        _unique(c, m, m.learning_objectives, ("learning_objectives",), "objective")
        _unique(c, m, m.sessions, ("sessions",), "session")
        _unique(c, m, m.handouts, ("handouts",), "handout")
        _unique(c, m, m.assessment, ("assessment",), "assessment item")
        for si, s in enumerate(m.sessions):
            _unique(c, m, s.activities, ("sessions", si, "activities"), "activity")
    for w in c.project.workshops:
        _unique(c, w, w.sessions, ("sessions",), "session")
        for si, plan in enumerate(w.sessions):
            _unique(c, w, plan.activities, ("sessions", si, "activities"), "activity")
        _unique(c, w, [p for p in w.facilitators if p.id], ("facilitators",), "facilitator")
        _unique(c, w, w.evaluation.questions, ("evaluation", "questions"), "evaluation question")
        if w.evaluation.defaults == "keep":
            for qi, q in enumerate(w.evaluation.questions):
                rating = q.type == evaluation.RATING
                if q.id in (EVALUATION_STATEMENTS if rating else EVALUATION_OPEN_QUESTIONS):
                    c.add(w, ("evaluation", "questions", qi, "id"),
                          f"'{q.id}' is the id of a default {'statement' if rating else 'open question'} of the "
                          f"evaluation form ('{evaluation.field_of(q.type, q.id)}' in the forms)",
                          "give the question another id, or write 'defaults: replace' to ask only the workshop's "
                          "own questions")
    cur = c.project.curriculum
    if cur is not None:
        _unique(c, cur, cur.tracks, ("tracks",), "track")


def _source_loc(project: Project, src: BaseModel) -> Loc:
    """Where a source's id is written: 'id' of a seed file, 'sources[i].id' in a library file."""
    path = project.file_of(src)
    same_file = [s for s in project.sources if project.file_of(s) == path]
    index = next((i for i, s in enumerate(same_file) if s is src), None)
    return ("id",) if index is None else ("sources", index, "id")


@rule("WK102", "duplicate-source-id",
      summary="Two sources (in `curriculum/sources/` or `seeds/`) have the same id.",
      fix="give each source its own id",
      example=example(LIBRARY, "sources:\n  - id: seed-one\n    kind: handbook\n    title: A handbook\n"
                               "    publisher: Example Organisation\n    year: 2007\n    reuse: all-rights-reserved\n"))
def duplicate_source_id(c: Check) -> None:
    seen: dict[str, BaseModel] = {}
    for src in c.project.all_sources:
        if src.id in seen:
            other = c.project.file_of(seen[src.id])
            c.add(src, _source_loc(c.project, src), f"duplicate source id '{src.id}' (also in {other})",
                  "give each source its own id")
        seen[src.id] = src


@rule("WK103", "reserved-session-id",
      summary="A session's id is the name of a page its module already has (`index`, `answer-key`, `handouts`).",
      fix="choose another id",
      example=example(MODULE, "sessions:\n  - id: index\n    title: Opening a first conversation\n    minutes: 15\n"
                              "    objectives: [lo1, lo2]\n    activities:\n" + _TALK))
def reserved_session_id(c: Check) -> None:
    for m in c.project.modules:
        for i, s in enumerate(m.sessions):
            if s.id in RESERVED_SESSION_IDS:
                c.add(m, ("sessions", i, "id"), f"'{s.id}' is the name of a page the module already has",
                      f"choose another id, e.g. '{s.id}-session'")


@rule("WK104", "self-prerequisite",
      summary="A module lists itself among its prerequisites.",
      fix="remove it from `prerequisites`",
      example=example(MODULE, "prerequisites: [alpha]\n"))
def self_prerequisite(c: Check) -> None:
    for m in c.project.modules:
        for i, pre in enumerate(m.prerequisites):
            if pre == m.id:
                c.add(m, ("prerequisites", i), "a module cannot be its own prerequisite")


@rule("WK105", "prerequisite-cycle",
      summary="Modules are each other's prerequisites, directly or through others, so none can come first.",
      fix="remove one of the prerequisites",
      example=example(MODULE, "prerequisites: [beta]\n", OTHER_MODULE, "prerequisites: [alpha]\n"))
def prerequisite_cycle(c: Check) -> None:
    graph = {m.id: list(m.prerequisites) for m in c.project.modules}
    owner = {m.id: m for m in c.project.modules}  # the module each graph entry came from
    state: dict[str, int] = {}
    reported: set[frozenset[str]] = set()

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, []):
            if nxt not in graph or nxt == node:
                continue
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt] if nxt in stack else [node, nxt]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    m = owner[node]
                    c.add(m, ("prerequisites", m.prerequisites.index(nxt)),
                          "prerequisites form a cycle: " + " -> ".join(cycle), "remove one of the prerequisites")
            elif state.get(nxt) is None:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for mid in graph:
        if state.get(mid) is None:
            visit(mid, [mid])


def _slots(w: Workshop) -> Iterable[tuple[Loc, Any]]:
    for di, day in enumerate(w.days):
        for si, slot in enumerate(day.slots):
            yield ("days", di, "slots", si), slot


@rule("WK110", "unknown-module",
      summary="A prerequisite, a slot of a workshop day, a knowledge test item or a track names a module that "
              "does not exist.",
      fix="correct the module id (the hint suggests the closest one), or create the module",
      example=example(OTHER_MODULE, "prerequisites: [alpah]\n"))
def unknown_module(c: Check) -> None:
    modules = c.run.modules
    for m in c.project.modules:
        for i, pre in enumerate(m.prerequisites):
            if pre != m.id:
                c.ref(m, ("prerequisites", i), pre, modules, "module")
    for w in c.project.workshops:
        for loc, slot in _slots(w):
            if slot.module is not None:
                c.ref(w, loc + ("module",), slot.module, modules, "module")
            if slot.session is not None:
                c.ref(w, loc + ("session",), slot.session.split("/", 1)[0], modules, "module")
        for ti, ref in enumerate(w.knowledge_test):
            c.ref(w, ("knowledge_test", ti), ref.split("/", 1)[0], modules, "module")
    cur = c.project.curriculum
    if cur is not None:
        for ti, t in enumerate(cur.tracks):
            for mi, mid in enumerate(t.modules):
                c.ref(cur, ("tracks", ti, "modules", mi), mid, modules, "module")


@rule("WK111", "unknown-source",
      summary="A module, a handout or a glossary term cites a source that is neither in `curriculum/sources/` "
              "nor in `seeds/`.",
      fix="correct the source id (the hint suggests the closest one), or add the source",
      example=example(MODULE, "sources:\n  - ref: seed-two\n"))
def unknown_source(c: Check) -> None:
    ids = [s.id for s in c.project.all_sources]
    for m in c.project.modules:
        for i, cite in enumerate(m.sources):
            c.ref(m, ("sources", i, "ref"), cite.ref, ids, "source")
        for hi, h in enumerate(m.handouts):
            for ci, cite in enumerate(h.sources):
                c.ref(m, ("handouts", hi, "sources", ci, "ref"), cite.ref, ids, "source")
    g = c.project.glossary
    if g is not None:
        for i, term in enumerate(g.terms):
            if term.source is not None:
                c.ref(g, ("terms", i, "source", "ref"), term.source.ref, ids, "source")


@rule("WK112", "unknown-objective",
      summary="A session or an assessment item names a learning objective that its module does not have.",
      fix="use the id of one of the module's `learning_objectives`",
      example=example(MODULE, _ITEM.replace("lo1", "lo7") + "    type: open\n    prompt: Name one reason consent matters.\n"
                              "    answer: It gives the person control.\n"))
def unknown_objective(c: Check) -> None:
    for m in c.project.modules:
        objectives = [o.id for o in m.learning_objectives]
        for si, s in enumerate(m.sessions):
            for oi, o in enumerate(s.objectives):
                c.ref(m, ("sessions", si, "objectives", oi), o, objectives, "objective", (m, "learning_objectives"))
        for qi, q in enumerate(m.assessment):
            c.ref(m, ("assessment", qi, "objective"), q.objective, objectives, "objective", (m, "learning_objectives"))


@rule("WK113", "unknown-handout",
      summary="An activity names a handout that its module does not have.",
      fix="use the id of one of the module's `handouts`",
      example=example(MODULE, _OPENING + "    minutes: 15\n    objectives: [lo1, lo2]\n    activities:\n"
                              + _TALK + "        handout: case-linn\n"))
def unknown_handout(c: Check) -> None:
    for m in c.project.modules:
        handouts = [h.id for h in m.handouts]
        for si, s in enumerate(m.sessions):
            for ai, a in enumerate(s.activities):
                if a.handout is not None:
                    c.ref(m, ("sessions", si, "activities", ai, "handout"), a.handout, handouts, "handout",
                          (m, "handouts"))
    for w in c.project.workshops:
        for si, plan in enumerate(w.sessions):
            for ai, a in enumerate(plan.activities):
                if a.handout is not None:
                    c.add(w, ("sessions", si, "activities", ai, "handout"),
                          f"a workshop's own session has no handouts: '{a.handout}' is unknown here",
                          "name the handout in the activity's text, or use it in a module session")


@rule("WK114", "unknown-session",
      summary="A slot of a workshop day names a session (`module-id/session-id`) that the module does not have.",
      fix="correct the session id (the hint suggests the closest one)",
      example=example(WORKSHOP, _DAY + '    end: "12:30"\n    slots:\n      - session: beta/open-prat\n'))
def unknown_session(c: Check) -> None:
    for w in c.project.workshops:
        for loc, slot in _slots(w):
            if slot.session is None:
                continue
            mid, sid = slot.session.split("/", 1)
            m = c.run.modules.get(mid)
            if m is not None and m.session(sid) is None and not c.project.may_be_lost(m, "sessions", sid):
                c.add(w, loc + ("session",), f"module '{mid}' has no session '{sid}'",
                      _suggest(sid, [s.id for s in m.sessions]) or "sessions: " + name_list(s.id for s in m.sessions))


@rule("WK116", "unknown-plan",
      summary="A slot of a workshop day names a `plan` that is not one of the workshop's own `sessions`.",
      fix="correct the id (the hint suggests the closest one), or add the plan to the workshop's `sessions`",
      example=example(WORKSHOP, _DAY + '    end: "12:30"\n    slots:\n      - plan: opneing\n'))
def unknown_plan(c: Check) -> None:
    for w in c.project.workshops:
        plans = [s.id for s in w.sessions]
        for loc, slot in _slots(w):
            if slot.plan is not None:
                c.ref(w, loc + ("plan",), slot.plan, plans, "plan", (w, "sessions"))


@rule("WK117", "unknown-facilitator",
      summary="A slot names as its `lead` or `support` someone who is not in the workshop's `facilitators` (by `id`).",
      fix="use the `id` of a member of the facilitation team (the hint suggests the closest one), or give that "
          "person an `id`",
      example=example(WORKSHOP, "facilitators:\n  - id: lead\n    name: A. Facilitator\n"
                                + _DAY + '    end: "12:30"\n    slots:\n      - module: alpha\n        lead: laed\n'))
def unknown_facilitator(c: Check) -> None:
    for w in c.project.workshops:
        team = [p.id for p in w.facilitators if p.id]
        for loc, slot in _slots(w):
            if slot.lead is not None:
                c.ref(w, loc + ("lead",), slot.lead, team, "facilitator", (w, "facilitators"))
            for i, pid in enumerate(slot.support):
                c.ref(w, loc + ("support", i), pid, team, "facilitator", (w, "facilitators"))


@rule("WK115", "unknown-assessment-item",
      summary="The knowledge test of a workshop names an assessment item (`module-id/item-id`) that the module "
              "does not have.",
      fix="use the id of one of the module's `assessment` items",
      example=example(WORKSHOP, "knowledge_test: [alpha/q9]\n"))
def unknown_assessment_item(c: Check) -> None:
    for w in c.project.workshops:
        for ti, ref in enumerate(w.knowledge_test):
            mid, qid = ref.split("/", 1)
            m = c.run.modules.get(mid)
            if m is None:
                continue
            items = [q.id for q in m.assessment]
            if qid not in items and not c.project.may_be_lost(m, "assessment", qid):
                c.add(w, ("knowledge_test", ti), f"module '{mid}' has no assessment item '{qid}'",
                      _suggest(qid, items) or ("items: " + name_list(items) if items else "the module has no assessment items"))


def _track_entries(c: Check) -> list[tuple[Loc, str, str]]:
    """(place, module id, track id) of every known module listed in a track, in order."""
    cur = c.project.curriculum
    if cur is None:
        return []
    return [(("tracks", ti, "modules", mi), mid, t.id) for ti, t in enumerate(cur.tracks)
            for mi, mid in enumerate(t.modules) if mid in c.run.modules]


@rule("WK120", "module-in-two-tracks",
      summary="`curriculum/curriculum.yml` lists a module in more than one track.",
      fix="list each module once, in the track its `track` key names",
      example=example(CURRICULUM, _TRACKS + "    modules: [alpha, beta]\n  - id: extra\n    title: Extra\n"
                                  "    modules: [alpha]\n", MODULE, "track: core\n"))
def module_in_two_tracks(c: Check) -> None:
    listed: dict[str, str] = {}
    for loc, mid, track in _track_entries(c):
        if mid in listed:
            assert c.project.curriculum is not None
            c.add(c.project.curriculum, loc, f"module '{mid}' is already listed in track '{listed[mid]}'",
                  "list each module once, in the track of its 'track' key")
        listed[mid] = track


@rule("WK121", "track-disagrees",
      summary="A track in `curriculum/curriculum.yml` lists a module whose `track` key names another track.",
      fix="make the two agree",
      example=example(CURRICULUM, _TRACKS + "    modules: [alpha, beta]\n  - id: extra\n    title: Extra\n",
                      MODULE, "track: extra\n"))
def track_disagrees(c: Check) -> None:
    for loc, mid, track in _track_entries(c):
        module = c.run.modules[mid]
        if module.track == track or not c.project.complete(module, "track"):
            continue
        assert c.project.curriculum is not None
        if not module.track:
            c.add(c.project.curriculum, loc, f"module '{mid}' names no track in its module.yml",
                  f"write 'track: {track}' in modules/{mid}/module.yml")
        else:
            c.add(c.project.curriculum, loc, f"module '{mid}' has track '{module.track}' in its module.yml, not '{track}'",
                  "make the two agree")


@rule("WK122", "unknown-track", severity="warning",
      summary="A module's `track` is not one of the tracks of `curriculum/curriculum.yml`; the module is shown "
              "after the listed tracks.",
      fix="use the id of a track (the hint suggests the closest one), or add the track",
      example=example(CURRICULUM, _TRACKS + "    modules: [alpha, beta]\n", MODULE, "track: advanced\n"))
def unknown_track(c: Check) -> None:
    cur = c.project.curriculum
    if cur is None:
        return
    track_ids = [t.id for t in cur.tracks]
    for m in c.project.modules:
        if not m.track or m.track in track_ids:
            continue  # a module without a track is not in the curriculum (WK123)
        if c.project.complete(m, "track") and not c.project.may_be_lost(cur, "tracks", m.track):
            c.add(m, ("track",), f"unknown track '{m.track}'; the module is shown after the listed tracks",
                  _suggest(m.track, track_ids) or f"tracks in curriculum/curriculum.yml: {name_list(track_ids)}")


@rule("WK123", "module-not-in-curriculum", severity="warning",
      summary="A module is in none of the tracks of `curriculum/curriculum.yml` (or names no `track`); it is "
              "shown after the listed modules.",
      fix="add it to the `modules` of its track, and name that track as the module's `track`",
      example=example(CURRICULUM, _TRACKS + "    modules: [alpha]\n", MODULE, "track: core\n",
                      OTHER_MODULE, "track: core\n"))
def module_not_in_curriculum(c: Check) -> None:
    cur = c.project.curriculum
    if cur is None or not c.project.complete(cur, "tracks"):
        return
    track_ids = [t.id for t in cur.tracks]
    listed = {mid for _, mid, _ in _track_entries(c)}
    for m in c.project.modules:
        if m.id in listed or not c.project.complete(m, "track"):
            continue
        if m.track in track_ids:
            c.add(m, ("id",), f"module '{m.id}' is not listed in curriculum/curriculum.yml; it is shown after "
                              f"the listed modules", f"add it under track '{m.track}'")
        elif not m.track and track_ids:
            c.add(m, ("id",), f"module '{m.id}' is in no track of curriculum/curriculum.yml; it is shown after the "
                              "listed modules",
                  f"list it under the 'modules' of a track there and name the track as 'track:' here; "
                  f"tracks: {name_list(track_ids)}")


# --------------------------------------------------------------------------------------------
# WK2xx: time


@rule("WK201", "session-minutes",
      summary="A session's `minutes` differ from the sum of its activities' minutes.",
      fix="set the session's `minutes` to the sum, or change the activities",
      example=example(MODULE, _OPENING + "    minutes: 30\n    objectives: [lo1, lo2]\n    activities:\n" + _TALK))
def session_minutes_differ(c: Check) -> None:
    for m in c.project.modules:
        for si, s in enumerate(m.sessions):
            total = session_minutes(s, "full")
            if total != s.minutes and c.project.complete(s, "activities"):
                parts = " + ".join(str(a.minutes) for a in s.activities)
                c.add(m, ("sessions", si, "minutes"),
                      f"session is {s.minutes} minutes but its activities add up to {total} ({parts})",
                      f"set minutes: {total} or change the activities")
    for w in c.project.workshops:
        for si, plan in enumerate(w.sessions):
            total = plan_minutes(plan)
            if total != plan.minutes and c.project.complete(plan, "activities"):
                parts = " + ".join(str(a.minutes) for a in plan.activities)
                c.add(w, ("sessions", si, "minutes"),
                      f"session is {plan.minutes} minutes but its activities add up to {total} ({parts})",
                      f"set minutes: {total} or change the activities")


@rule("WK202", "day-overrun",
      summary="A workshop day's slots end after the day's `end` time.",
      fix="shorten the day (core variants, fewer slots) or move the end time",
      example=example(WORKSHOP, _DAY + '    end: "09:30"\n    slots:\n      - module: alpha\n'))
def day_overrun(c: Check) -> None:
    for w in c.project.workshops:
        for day in c.run.agenda(w):
            if day.overrun > 0:
                c.add(w, ("days", day.index, "end"),
                      f"day {day.index + 1} ends at {day.end}, {day.overrun} minutes after its end time {day.end_by}",
                      "shorten the day (core variants, fewer slots) or move the end time")


@rule("WK203", "day-starts-after-end",
      summary="A workshop day's `start` time is after its `end` time.",
      fix="correct the two times",
      example=example(WORKSHOP, 'days:\n  - title: Day one\n    start: "13:00"\n    end: "12:30"\n    slots:\n'
                                "      - break: 15\n"))
def day_starts_after_end(c: Check) -> None:
    for w in c.project.workshops:
        for day in c.run.agenda(w):
            if _to_minutes(day.start) > _to_minutes(day.end_by):
                c.add(w, ("days", day.index, "start"), "the day starts after its end time")


@rule("WK205", "slot-minutes-differ-from-plan",
      summary="A slot that runs one of the workshop's own sessions (`plan`) gives `minutes` that differ from the "
              "plan's length.",
      fix="leave `minutes` out (the plan gives them), or change the plan's activities",
      example=example(WORKSHOP, "sessions:\n  - id: opening\n    title: Opening\n    minutes: 15\n    activities:\n"
                                "      - id: welcome\n        title: Welcome\n        method: presentation\n"
                                "        minutes: 15\n"
                                + _DAY + '    end: "12:30"\n    slots:\n      - plan: opening\n        minutes: 20\n'))
def slot_minutes_differ_from_plan(c: Check) -> None:
    for w in c.project.workshops:
        for loc, slot in _slots(w):
            plan = w.plan(slot.plan)
            if plan is None or slot.minutes is None or not c.project.complete(plan, "activities"):
                continue
            total = plan_minutes(plan)
            if slot.minutes != total:
                c.add(w, loc + ("minutes",), f"the slot is {slot.minutes} minutes but its plan '{plan.id}' takes {total}",
                      "leave 'minutes' out: the plan gives them")


@rule("WK204", "no-break", severity="warning",
      summary="A workshop day runs more than 120 minutes without a break.",
      fix="add a break",
      example=example(WORKSHOP, _DAY + '    end: "17:00"\n    slots:\n      - module: alpha\n'
                                "      - session: beta/open-part\n"))
def no_break(c: Check) -> None:
    for w in c.project.workshops:
        for day in c.run.agenda(w):
            if not c.project.complete(w.days[day.index], "slots"):
                continue  # a break may be among the slots left out
            run = 0
            for row in day.rows:
                run = 0 if row.kind == "break" else run + row.minutes
                if run > 120:
                    c.add(w, ("days", day.index, "slots", row.slot_index),
                          f"more than 120 minutes without a break on day {day.index + 1} (until {row.end})", "add a break")
                    run = 0


# --------------------------------------------------------------------------------------------
# WK5xx: titles and the safety of participants


_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*;|#[0-9]+;?|#[xX][0-9A-Fa-f]+;?)")


def _title_problem(text: str) -> tuple[int, str, str] | None:
    """(index, what, hint) of the first character that makes ``text`` more than plain text."""
    from .htmlsafety import reference_at

    for i, ch in enumerate(text):
        entity = _ENTITY.match(text, i) if ch == "&" else None
        if ch in "<>":
            return i, f"'{ch}'", "HTML tags show as written in some places and vanish in others"
        if ch == "`":
            return i, "a backtick", "code shows as code in a heading but as written in the navigation"
        if ch in "\r\n":
            return i, "a line break", "a title is one line"
        if ch in "{}":
            return i, f"'{ch}'", "braces in a heading become HTML attributes (an attribute list)"
        if ch == "&" and (entity or reference_at(text, i)):
            spelt = re.match(r"&#?[A-Za-z0-9]*;?", text[i:])
            written = entity.group() if entity else spelt.group() if spelt else "&"
            return i, f"the HTML entity '{written}'", f"write the character itself instead of '{written}'"
    return None


def _title_roots(project: Project) -> list[tuple[BaseModel, Loc]]:
    roots: list[tuple[BaseModel, Loc]] = [(obj, ()) for obj in (*project.modules, *project.workshops, *project.seeds,
                                                                 project.curriculum, project.glossary) if obj is not None]
    in_file: dict[str, int] = {}
    for src in project.sources:  # the shared library: several sources to a file
        index = in_file.get(project.file_of(src), 0)
        in_file[project.file_of(src)] = index + 1
        roots.append((src, ("sources", index)))
    return roots


@rule("WK501", "title-not-plain",
      summary="A title holds '<', '>', a backtick, braces, an HTML entity or a line break. The sites print "
              "titles in the navigation, the page header, the browser's title bar and the search index, where "
              "such characters show as written in some places and act as markup in others. A plain '&' (as in "
              "'Health & safety') is fine.",
      fix="write the title as plain text on one line",
      example=example(MODULE, "title: Safe `first` contact\n"))
def title_not_plain(c: Check) -> None:
    from .model import TITLE_KEY
    from .walk import extra, fields

    project = c.project
    lines: dict[str, list[str]] = {}
    for obj, base in _title_roots(project):
        for visit in fields(obj, base):
            if not (extra(visit.info).get(TITLE_KEY) and isinstance(visit.value, str)):
                continue
            problem = _title_problem(visit.value)
            if problem is None:
                continue
            i, what, hint = problem
            path, line, col = project.where(obj, visit.loc)
            if path not in lines:
                source = project.inputs.get(path)
                try:
                    lines[path] = source.read_text(encoding="utf-8").split("\n") if source else []
                except (OSError, UnicodeDecodeError):
                    lines[path] = []
            raw = lines[path][line - 1] if 0 < line <= len(lines[path]) else ""
            ch = visit.value[i]
            at = raw.find(ch, max(col - 1, 0)) if ch not in "\r\n" else -1
            c.at(path, line, at + 1 if at >= 0 else col, project.key(obj, visit.loc), f"{what} in a title",
                 f"titles are plain text: write the title without HTML or code; {hint}")


@rule("WK510", "restricted-module-session", severity="warning",
      summary="A session of a restricted (closed-door) module does not say `visibility: restricted`. It is "
              "restricted all the same; saying so makes the intent explicit.",
      fix="write `visibility: restricted` in the session",
      example=example(MODULE, "visibility: restricted\n"))
def restricted_module_session(c: Check) -> None:
    for m in c.project.modules:
        if m.visibility != "restricted":
            continue
        for si, s in enumerate(m.sessions):
            if s.visibility != "restricted":
                c.add(m, ("sessions", si, "visibility"), "a session of a restricted module is restricted too",
                      "write 'visibility: restricted' so the intent is explicit")


@rule("WK511", "content-warning-not-announced", severity="warning",
      summary="The module has content warnings, but its first session has no `content_warning` to announce them "
              "to participants.",
      fix="add `content_warning:` with a sentence for participants to the first session",
      example=example(MODULE, _OPENING + "    minutes: 15\n    objectives: [lo1, lo2]\n    activities:\n" + _TALK))
def content_warning_not_announced(c: Check) -> None:
    for m in c.project.modules:
        if not (m.content_warnings.tags and m.sessions):
            continue
        s = m.sessions[0]
        if not s.content_warning and s.visibility != "restricted" and c.project.complete(m, "sessions"):
            c.add(m, ("sessions", 0), "the module has content warnings but its first session announces none",
                  "add 'content_warning:' with a sentence for participants")


@rule("WK512", "safety-notes-missing",
      summary="A role play, case study or simulation in a sensitive or highly sensitive module has no "
              "`safety_notes`.",
      fix="say what to watch for and what to do if someone is distressed",
      example=example(MODULE, _OPENING + "    minutes: 20\n    objectives: [lo1, lo2]\n"
                              "    content_warning: This session mentions exploitation.\n    activities:\n"
                              "      - id: case\n        title: Case discussion\n        method: case-study\n"
                              "        minutes: 20\n"))
def safety_notes_missing(c: Check) -> None:
    for m in c.project.modules:
        if m.sensitivity == "standard":
            continue
        for si, s in enumerate(m.sessions):
            for ai, a in enumerate(s.activities):
                if a.method in ("role-play", "case-study", "simulation") and not a.safety_notes:
                    c.add(m, ("sessions", si, "activities", ai), f"a {a.method} in a {m.sensitivity} module needs safety_notes",
                          "say what to watch for and what to do if someone is distressed")


@rule("WK513", "support-contacts-missing",
      summary="A workshop uses modules with content warnings but lists no `support_contacts` for participants.",
      fix="add `support_contacts:` with at least one service",
      example=example(WORKSHOP, "support_contacts: []\n"))
def support_contacts_missing(c: Check) -> None:
    modules = c.run.modules
    for w in c.project.workshops:
        used = set()
        for _, slot in _slots(w):
            if slot.module:
                used.add(slot.module)
            if slot.session:
                used.add(slot.session.split("/")[0])
        warned = [modules[mid] for mid in sorted(used) if mid in modules and modules[mid].content_warnings.tags]
        if warned and not w.support_contacts and c.project.complete(w, "support_contacts"):
            c.add(w, ("id",), "modules with content warnings "
                  f"({name_list(m.id for m in warned)}) need support contacts for participants",
                  "add 'support_contacts:' with at least one service")


@rule("WK514", "content-warning-repeats-step-out", severity="warning",
      summary="A content warning tells participants that they may step out. The sites and PDFs follow every content "
              "warning with a sentence of their own that says so (and that participants may take a break or talk to a "
              "facilitator), so participants would read it twice.",
      fix="leave the step-out sentence out of the content warning; say what participants will meet and in how much detail",
      example=example(MODULE, "content_warnings:\n  tags: [trafficking-exploitation]\n"
                              "  note: The case mentions exploitation. You may step out at any time.\n"))
def content_warning_repeats_step_out(c: Check) -> None:
    from .strings import load_strings

    for m in c.project.modules:
        words = load_strings(m.language)["content_warning_step_out"]
        notes: list[tuple[Loc, str]] = [(("content_warnings", "note"), m.content_warnings.note)]
        notes += [(("sessions", si, "content_warning"), s.content_warning) for si, s in enumerate(m.sessions)]
        for loc, note in notes:
            if note and words in " ".join(note.casefold().split()):
                c.add(m, loc, "the content warning says that participants may step out, which the sites and PDFs "
                      "add to every content warning", "leave that sentence out")


# --------------------------------------------------------------------------------------------
# WK6xx: objectives and assessment items


def _answers(q: Any) -> list[str]:
    return [q.answer] if isinstance(q.answer, str) else list(q.answer or [])


def _items(c: Check, *types: str) -> Iterable[tuple[Module, Loc, Any]]:
    """(module, place, item) of every assessment item of one of ``types``."""
    for m in c.project.modules:
        for qi, q in enumerate(m.assessment):
            if q.type in types:
                yield m, ("assessment", qi), q


_SINGLE = _ITEM + "    type: single\n    prompt: What comes first in a first conversation?\n"
_TWO_OPTIONS = "    options:\n      a: Questions about the journey\n      b: Asking for consent\n"
_EXPLAINED = "    explanation: Consent comes before any question.\n"


@rule("WK601", "too-few-options",
      summary="A single or multiple choice item has fewer than two options.",
      fix="add options a, b, c …",
      example=example(MODULE, _SINGLE + "    options:\n      b: Asking for consent\n    answer: b\n" + _EXPLAINED))
def too_few_options(c: Check) -> None:
    for m, loc, q in _items(c, "single", "multiple"):
        if len(q.options) < 2:
            c.add(m, loc + ("options",), f"a {q.type} item needs at least two options", "add options a, b, c …")


@rule("WK602", "missing-answer",
      summary="A single or multiple choice item has no `answer`.",
      fix="give the key of the right option",
      example=example(MODULE, _SINGLE + _TWO_OPTIONS + _EXPLAINED))
def missing_answer(c: Check) -> None:
    for m, loc, q in _items(c, "single", "multiple"):
        if not _answers(q):
            c.add(m, loc, "missing required key 'answer'", "give the key of the right option")


@rule("WK603", "several-answers",
      summary="A single choice item has more than one answer.",
      fix="keep one answer, or make it `type: multiple`",
      example=example(MODULE, _SINGLE + _TWO_OPTIONS + "    answer: [a, b]\n" + _EXPLAINED))
def several_answers(c: Check) -> None:
    for m, loc, q in _items(c, "single"):
        if len(_answers(q)) > 1:
            c.add(m, loc + ("answer",), "a single-choice item has one answer", "use type: multiple for several")


@rule("WK604", "answer-not-an-option",
      summary="The answer of a single or multiple choice item is not the key of one of its options.",
      fix="use the key of an option, e.g. `b`",
      example=example(MODULE, _SINGLE + _TWO_OPTIONS + "    answer: e\n" + _EXPLAINED))
def answer_not_an_option(c: Check) -> None:
    for m, loc, q in _items(c, "single", "multiple"):
        keys = list(q.options)
        for a in _answers(q):
            if a not in keys:
                c.add(m, loc + ("answer",), f"answer '{a}' is not one of the options ({name_list(keys)})",
                      _suggest(a, keys) or "use the key of an option, e.g. 'b'")


_TRUE_FALSE = _ITEM + "    type: true-false\n    prompt: Consent comes before questions.\n"


@rule("WK605", "true-false-with-options",
      summary="A true-false item has `options`; its options are always true and false.",
      fix="remove `options`",
      example=example(MODULE, _TRUE_FALSE + '    options:\n      a: "Yes"\n    answer: "true"\n' + _EXPLAINED))
def true_false_with_options(c: Check) -> None:
    for m, loc, q in _items(c, "true-false"):
        if q.options:
            c.add(m, loc + ("options",), "a true-false item has no options", "remove 'options'")


@rule("WK606", "true-false-answer",
      summary="The answer of a true-false item is neither `true` nor `false`.",
      fix="write `answer: \"true\"` or `answer: \"false\"`",
      example=example(MODULE, _TRUE_FALSE + "    answer: maybe\n" + _EXPLAINED))
def true_false_answer(c: Check) -> None:
    for m, loc, q in _items(c, "true-false"):
        answers = _answers(q)
        if len(answers) != 1 or answers[0].lower() not in ("true", "false"):
            c.add(m, loc + ("answer",), "the answer of a true-false item is 'true' or 'false'")


@rule("WK607", "open-item-with-options",
      summary="An open item has `options`; it is answered in the participant's own words.",
      fix="remove `options`, or make it `type: single`",
      example=example(MODULE, _ITEM + "    type: open\n    prompt: Name one reason consent matters.\n"
                              "    options:\n      a: Control\n    answer: It gives the person control.\n"))
def open_item_with_options(c: Check) -> None:
    for m, loc, q in _items(c, "open"):
        if q.options:
            c.add(m, loc + ("options",), "an open item has no options", "remove 'options' or use type: single")


@rule("WK608", "missing-explanation", severity="warning",
      summary="A scored item (single, multiple, true-false) has no `explanation` for the answer key.",
      fix="add `explanation:` saying why the answer is right",
      example=example(MODULE, _SINGLE + _TWO_OPTIONS + "    answer: b\n"))
def missing_explanation(c: Check) -> None:
    for m, loc, q in _items(c, "single", "multiple", "true-false"):
        if not q.explanation:
            c.add(m, loc, "a scored item needs an explanation", "add 'explanation:' for the answer key")


@rule("WK609", "objective-not-assessed", severity="warning",
      summary="A module has assessment items, but none of them checks this learning objective.",
      fix="add an item with `objective:` naming it",
      example=example(MODULE, _SINGLE + _TWO_OPTIONS + "    answer: b\n" + _EXPLAINED))
def objective_not_assessed(c: Check) -> None:
    for m in c.project.modules:
        covered = {q.objective for q in m.assessment}
        for oi, o in enumerate(m.learning_objectives):
            if m.assessment and o.id not in covered and c.project.complete(m, "assessment"):
                c.add(m, ("learning_objectives", oi), f"no assessment item checks objective '{o.id}'",
                      "add an item with 'objective: " + o.id + "'")


@rule("WK610", "objective-not-taught",
      summary="No session of the module lists this learning objective under its `objectives`.",
      fix="list it under the `objectives` of the session that serves it",
      example=example(MODULE, _OPENING + "    minutes: 15\n    objectives: [lo1]\n    activities:\n" + _TALK))
def objective_not_taught(c: Check) -> None:
    for m in c.project.modules:
        taught = {o for s in m.sessions for o in s.objectives}
        for oi, o in enumerate(m.learning_objectives):
            if o.id not in taught and c.project.complete(m, "sessions"):
                c.add(m, ("learning_objectives", oi), f"no session serves objective '{o.id}'",
                      "list it under a session's 'objectives'")


@rule("WK611", "knowledge-test-item-phase",
      summary="The knowledge test of a workshop names an item asked only before (`phase: pre`) or only after "
              "(`phase: post`) the workshop. The test is printed once and taken both before and after, so "
              "participants would answer it both times, and nothing on the page says otherwise.",
      fix="set the item's `phase` to `both`, or leave it out of `knowledge_test`",
      example=example(MODULE, _ITEM + "    type: open\n    prompt: Name one reason consent matters.\n"
                              "    answer: It gives the person control.\n    phase: post\n",
                      WORKSHOP, "knowledge_test: [alpha/q1]\n"))
def knowledge_test_item_phase(c: Check) -> None:
    for w in c.project.workshops:
        for ti, ref in enumerate(w.knowledge_test):
            mid, qid = ref.split("/", 1)
            m = c.run.modules.get(mid)
            q = next((q for q in m.assessment if q.id == qid), None) if m is not None else None
            if q is not None and q.phase != "both":
                when = "before" if q.phase == "pre" else "after"
                c.add(w, ("knowledge_test", ti), f"item '{ref}' is asked only {when} the workshop (phase: {q.phase}), "
                      "but the knowledge test is one form taken both before and after",
                      f"set 'phase: both' on the item in modules/{mid}/module.yml, or leave it out of knowledge_test")


# --------------------------------------------------------------------------------------------
# WK4xx: the site configuration


@rule("WK401", "site-config-unreadable", scope="site",
      summary="`mkdocs.yml` cannot be read: it is not valid YAML or UTF-8, not a mapping of settings, uses a "
              "YAML tag, or is a symbolic link or not a regular file.",
      fix="follow the message; `mkdocs.yml` is a plain YAML file of settings",
      example=example(SITE, "site_name: Mini\nmarkdown_extensions: [toc\n"))
def site_config_unreadable(c: SiteCheck) -> None:
    site = c.run.site
    if isinstance(site, BuildError):
        d = site.diagnostic
        c.at(d.path, d.line, d.col, d.key, d.message, d.hint)


def _setting_reasons(config: SiteConfig) -> dict[str, tuple[str, str]]:
    """(message, hint) of the settings that are refused with a reason of their own."""
    theme = config.data.get("theme")
    ours = "remove it; workshopkit sets it for every site"
    reasons = {
        "INHERIT": ("'INHERIT' brings in the settings of another file, which check never sees",
                    "write the settings into mkdocs.yml itself"),
        "hooks": ("hooks run code on every page after the audience gate", "remove 'hooks'"),
        "extra_javascript": ("'extra_javascript' adds scripts to every page", "remove it"),
        "extra_css": ("'extra_css' adds stylesheets from outside the site", "remove it; workshopkit adds its own"),
        "theme.custom_dir": ("'custom_dir' copies a whole folder (of the repository or of the build machine) into "
                             "every site and its zip", "remove it; the sites use the Material theme as installed"),
        "theme.name": (f"the theme '{theme.get('name') if isinstance(theme, dict) else theme}' is not one "
                       "workshopkit builds with", "use the Material theme: 'name: material' under 'theme'"),
        "extra.polyfills": ("'polyfills' adds scripts to every page", "remove it; workshopkit adds the one it needs"),
        "extra.analytics": ("'analytics' adds a tracking script to every page", "remove it"),
        **{key: (f"'{key}' is set by workshopkit", ours)
           for key in ("docs_dir", "site_dir", "nav", "use_directory_urls", "validation", "strict")},
    }
    reasons["theme"] = reasons["theme.name"]
    return reasons


@rule("WK402", "site-setting-not-allowed", scope="site",
      summary="`mkdocs.yml` has a setting that workshopkit does not build with. Settings such as `INHERIT`, "
              "`hooks`, `extra_javascript` or a theme's `custom_dir` would run code or publish other files after "
              "the audience gate; `docs_dir`, `nav` and the like are set by workshopkit.",
      fix="remove the setting; the message lists the settings that are allowed",
      example=example(SITE, "site_name: Mini\nhooks:\n  - hooks.py\n"))
def site_setting_not_allowed(c: SiteCheck) -> None:
    from .markdown import EXTRA_SETTINGS, SITE_SETTINGS, THEME_SETTINGS, config_position, refused_settings

    config = c.config
    if config is None:
        return
    reasons = _setting_reasons(config)
    settings = {"": SITE_SETTINGS, "theme": THEME_SETTINGS, "extra": EXTRA_SETTINGS}
    for keys in refused_settings(config.data):
        where = ".".join(keys)
        allowed = settings[keys[0] if len(keys) > 1 else ""]
        message, hint = reasons.get(where, (
            f"'{where}' is not a setting workshopkit builds with",
            f"settings that run code or bring in other files would act after the audience gate; "
            f"{'under ' + repr(keys[0]) + ' ' if len(keys) > 1 else ''}use only {', '.join(sorted(allowed))}"))
        line, col = config_position(config.path, *keys)
        c.at("mkdocs.yml", line, col, where, message, hint)


def _refused_extensions(config: SiteConfig, including: bool) -> list[str]:
    """The extensions of the configuration that are not allowed and that do (or do not) include files."""
    from .markdown import INCLUDE_EXTENSIONS, allowed_extension, extension_name

    names, _ = config.extensions
    return [name for name in names if not allowed_extension(name)
            and (extension_name(name) in INCLUDE_EXTENSIONS) == including]


@rule("WK403", "include-extension", scope="site",
      summary="A Markdown extension in `mkdocs.yml` includes files while pages render (such as "
              "`pymdownx.snippets`): that happens after the audience gate, so it could publish anything.",
      fix="remove it; write the text into the module (or a handout) instead",
      example=example(SITE, "markdown_extensions:\n  - pymdownx.snippets\n"))
def include_extension(c: SiteCheck) -> None:
    from .markdown import config_position

    config = c.config
    if config is None:
        return
    for name in _refused_extensions(config, including=True):
        line, col = config_position(config.path, "markdown_extensions", name)
        c.at("mkdocs.yml", line, col, "markdown_extensions",
             f"the extension '{name}' includes files while pages render, after the audience gate has run",
             "remove it; write the text into the module (or a handout) instead")


@rule("WK404", "extension-not-allowed", scope="site",
      summary="A Markdown extension in `mkdocs.yml` is not one of Python-Markdown's or pymdown-extensions' own. "
              "Other extensions could run code or bring in files after the audience gate, so none is loaded.",
      fix="use an extension of Python-Markdown or pymdown-extensions (the hint suggests the closest name)",
      example=example(SITE, "markdown_extensions:\n  - my_extension\n"))
def extension_not_allowed(c: SiteCheck) -> None:
    from .markdown import ALLOWED_EXTENSIONS, config_position, extension_name

    config = c.config
    if config is None:
        return
    for name in _refused_extensions(config, including=False):
        line, col = config_position(config.path, "markdown_extensions", name)
        c.at("mkdocs.yml", line, col, "markdown_extensions",
             f"the Markdown extension '{name}' cannot be loaded: it is not one workshopkit builds with",
             _suggest(extension_name(name), ALLOWED_EXTENSIONS) or
             "use Python-Markdown's or pymdown-extensions' own extensions; others could run code "
             "or bring in files after the audience gate")


@rule("WK405", "plugin-not-allowed", scope="site",
      summary="`mkdocs.yml` names a plugin other than Material's `search`, `offline` and `tags`. Plugins that "
              "change pages would run after the audience gate.",
      fix="remove the plugin",
      example=example(SITE, "site_name: Mini\nplugins:\n  - macros\n"))
def plugin_not_allowed(c: SiteCheck) -> None:
    from .markdown import SITE_PLUGINS, config_position

    config = c.config
    if config is None:
        return
    for item in config.data.get("plugins") or []:
        name = next(iter(item)) if isinstance(item, dict) and item else item
        if isinstance(name, str) and name.removeprefix("material/") not in SITE_PLUGINS:
            line, col = config_position(config.path, "plugins", name)
            c.at("mkdocs.yml", line, col, "plugins", f"the plugin '{name}' is not one workshopkit builds with",
                 f"plugins that change pages would run after the audience gate; use {', '.join(sorted(SITE_PLUGINS))}")


@rule("WK406", "extension-fails", scope="site",
      summary="The Markdown extensions of `mkdocs.yml` cannot be loaded: a name that does not exist, or a "
              "setting the extension does not have. Texts cannot be rendered until it is fixed.",
      fix="check the extension's name and settings in the Python-Markdown and pymdown-extensions documentation",
      example=example(SITE, "markdown_extensions:\n  - toc:\n      perma_link: true\n"))
def extension_fails(c: SiteCheck) -> None:
    problem = c.run.extensions_problem
    if problem:
        c.at("mkdocs.yml", problem[0], problem[1], "markdown_extensions", problem[2],
             "check the extension's name; see the list in the MkDocs and Material documentation")


# --------------------------------------------------------------------------------------------
# WK3xx: Markdown texts


_RAW_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][\w-]*)([^<>]*)>")  # [^<>]: linear on a line of many '<'
_EVENT_ATTR = re.compile(r"\bon[a-z]+\s*=", re.I)
_STYLE_ATTR = re.compile(r"\bstyle\s*=", re.I)
_HTML_URL_ATTR = re.compile(r"\b(?:href|src)\s*=\s*[\"']?\s*([^\"'\s>]+)", re.I)
_ALLOWED_TAGS = {"br", "sup", "sub", "abbr", "kbd", "mark", "small", "span", "div", "p", "strong", "em", "b", "i",
                 "u", "s", "del", "ins", "dl", "dt", "dd", "details", "summary", "table", "thead", "tbody", "tr",
                 "th", "td", "caption", "figure", "figcaption", "hr", "a", "img", "ol", "ul", "li", "q", "cite"}


_FENCE_LINE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"`[^`]*`")


def _strip_code(text: str) -> list[tuple[int, str]]:
    """Lines of ``text`` with fenced code blocks and inline code blanked out."""
    out: list[tuple[int, str]] = []
    fence = None
    for no, line in enumerate(text.split("\n"), start=1):
        m = _FENCE_LINE.match(line)
        if m:
            if fence is None:
                fence = m.group(1)
            elif m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            out.append((no, ""))
            continue
        if fence is not None:
            out.append((no, ""))
            continue
        out.append((no, _INLINE_CODE.sub("", line) if "`" in line else line))
    return out


MAX_NESTING = 12


_NESTING_HINT = "flatten the structure; print and screen readers cannot follow it either"


_NESTING_PREFIX = re.compile(r"(?:[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)))+")


def _too_nested(line: str) -> bool:
    """True for a line of quotes or list items nested more than :data:`MAX_NESTING` deep, by
    indentation or by markers written one after the other ('> - > - …')."""
    if line[:1] in (" ", "\t") and len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" ")) > 4 * MAX_NESTING:
        return True
    prefix = _NESTING_PREFIX.match(line)
    if prefix is None:
        return False
    markers = len(re.findall(r">|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)", prefix.group()))
    return markers > MAX_NESTING


#: Most lines in a run without a blank line (Python-Markdown splits such a run once per heading
#: in it, which takes time that grows with the square of its length).
MAX_BLOCK_LINES = 500


def _long_block(text: str) -> int:
    """The first line of a run of more than :data:`MAX_BLOCK_LINES` non-blank lines, or 0."""
    if text.count("\n") <= MAX_BLOCK_LINES:
        return 0
    run = 0
    for no, line in enumerate(text.split("\n"), start=1):
        run = run + 1 if line.strip() else 0
        if run > MAX_BLOCK_LINES:
            return no - run + 1
    return 0


def _crowded_paragraph(text: str) -> int:
    """The first line of a paragraph with more than :data:`links.MAX_BRACKETS` '[' or '<', or 0."""
    if text.count("[") <= links.MAX_BRACKETS and text.count("<") <= links.MAX_BRACKETS:
        return 0
    line = 1
    for para in re.split(r"(\n[ \t]*\n)", text):
        if para.count("[") > links.MAX_BRACKETS or para.count("<") > links.MAX_BRACKETS:
            return line
        line += para.count("\n")
    return 0


@dataclass(frozen=True)
class Tag:
    """A raw HTML tag on a line of a text (outside code)."""

    no: int  # line in the text
    col: int
    closing: bool
    name: str  # lower case
    attrs: str


class Text:
    """One Markdown text and what the text rules read from it, each read once."""

    def __init__(self, t: TextRef, project: Project):
        self.ref, self.project = t, project

    @cached_property
    def lines(self) -> list[tuple[int, str]]:
        """Lines with code blanked out."""
        return _strip_code(self.ref.text)

    @cached_property
    def tags(self) -> list[Tag]:
        return [Tag(no, m.start() + 1, bool(m.group(1)), m.group(2).lower(), m.group(3))
                for no, line in self.lines for m in _RAW_TAG.finditer(line)]

    @cached_property
    def without_comments(self) -> str:
        return links.strip_comments(self.ref.text)


@dataclass
class TextCheck:
    """What a ``text`` rule is given: the text, and ``add`` to report at a line of it."""

    text: Text
    rule: Rule
    diags: list[Diagnostic]

    def add(self, no: int, col: int, message: str, hint: str = "") -> None:
        t = self.text.ref
        self.diags.append(Diagnostic(t.file, t.line + no - 1, col, t.key, message, hint, self.rule.severity, self.rule.code))


@rule("WK320", "html-tag-not-allowed", scope="text",
      summary="Raw HTML with a tag that is not allowed: `<script>`, `<iframe>`, `<style>`, forms, `<svg>` and "
              "`<math>` (which can carry scripts of their own) and any tag but a few simple ones (`br`, `sup`, "
              "`abbr`, `details` …).",
      fix="use Markdown instead",
      example=example(TEXT, "<script>alert(1)</script>\n"))
def html_tag_not_allowed(c: TextCheck) -> None:
    for tag in c.text.tags:
        if tag.closing:
            continue  # one report per element, not for its closing tag too
        if tag.name in FORBIDDEN_TAGS:
            c.add(tag.no, tag.col, f"raw HTML <{tag.name}> is not allowed", "use Markdown instead")
        elif tag.name not in _ALLOWED_TAGS:
            c.add(tag.no, tag.col, f"raw HTML <{tag.name}> is not allowed",
                  "use Markdown, or one of the simple tags (br, sup, abbr, details …)")


@rule("WK321", "event-handler-attribute", scope="text",
      summary="Raw HTML with an event-handler attribute (`onclick=`, `onerror=` …), which runs a script.",
      fix="remove the attribute",
      example=example(TEXT, '<span onclick="alert(1)">Click</span>\n'))
def event_handler_attribute(c: TextCheck) -> None:
    for tag in c.text.tags:
        if _EVENT_ATTR.search(tag.attrs):
            c.add(tag.no, tag.col, "event-handler attributes (on…=) are not allowed in raw HTML", "remove the attribute")


@rule("WK322", "style-attribute", scope="text",
      summary="Raw HTML with a `style=` attribute.",
      fix="remove the style; the theme styles the page",
      example=example(TEXT, '<span style="color: red">Important</span>\n'))
def style_attribute(c: TextCheck) -> None:
    for tag in c.text.tags:
        if _STYLE_ATTR.search(tag.attrs):
            c.add(tag.no, tag.col, "inline style attributes are not allowed", "remove the style; the theme styles the page")


@rule("WK323", "html-url-scheme", scope="text",
      summary="Raw HTML whose `href` or `src` uses a scheme other than `http`, `https`, `mailto` and `tel` "
              "(such as `javascript:`).",
      fix="link to http(s) addresses or files in the module",
      example=example(TEXT, '<a href="javascript:alert(1)">Click</a>\n'))
def html_url_scheme(c: TextCheck) -> None:
    for tag in c.text.tags:
        for u in _HTML_URL_ATTR.finditer(tag.attrs):
            scheme = url_scheme(u.group(1))
            if scheme and scheme not in SAFE_SCHEMES:
                c.add(tag.no, tag.col, f"the URL '{u.group(1)[:30]}' uses a scheme that is not allowed",
                      "link to http(s) addresses or files in the module")


@rule("WK324", "raw-image", scope="text",
      summary="An image written as raw `<img>`: images are written in Markdown, so that their files are checked, "
              "copied and given alt text.",
      fix="write `![what the image shows](images/name.png)` with the image in the module folder",
      example=example(TEXT, '<img src="images/chart.png" alt="A chart">\n'))
def raw_image(c: TextCheck) -> None:
    for tag in c.text.tags:
        if tag.name == "img":
            c.add(tag.no, tag.col, "images are written in Markdown, not as raw <img>",
                  "write ![what the image shows](images/name.png) with the image in the module folder")


@rule("WK325", "nesting-too-deep", scope="text",
      summary=f"Quotes or lists nested more than {MAX_NESTING} levels deep.",
      fix="flatten the structure; print and screen readers cannot follow it either",
      example=example(TEXT, "> " * 13 + "deep\n"))
def nesting_too_deep(c: TextCheck) -> None:
    for no, line in c.text.lines:
        if _too_nested(line):
            c.add(no, 1, f"quotes or lists nested more than {MAX_NESTING} deep", _NESTING_HINT)


@rule("WK326", "unclosed-comment", scope="text",
      summary="An HTML comment (`<!--`) is never closed, so the rest of the text would be part of it.",
      fix="close it with `-->`, or remove it; comments never reach any output",
      example=example(TEXT, "Ask what safe means. <!-- a note for editors\n"))
def unclosed_comment(c: TextCheck) -> None:
    text = c.text.ref.text
    unclosed = links.unclosed_comment(text)
    if unclosed >= 0:
        no = text.count("\n", 0, unclosed) + 1
        c.add(no, unclosed - (text.rfind("\n", 0, unclosed) + 1) + 1, "an HTML comment ('<!--') that is never closed",
              "close it with '-->' or remove it; comments never reach any output")


@rule("WK327", "crowded-paragraph", scope="text",
      summary=f"A paragraph with more than {links.MAX_BRACKETS} '[' or '<'. Renderers slow down sharply on such "
              "input.",
      fix="split the text into paragraphs",
      example=example(TEXT, "[" * (links.MAX_BRACKETS + 1) + "\n"))
def crowded_paragraph(c: TextCheck) -> None:
    crowded = _crowded_paragraph(c.text.without_comments)
    if crowded:
        c.add(crowded, 1, f"a paragraph with more than {links.MAX_BRACKETS} '[' or '<'",
              "split the text into paragraphs; renderers slow down sharply on such input")


@rule("WK328", "long-block", scope="text",
      summary=f"More than {MAX_BLOCK_LINES} lines without a blank line. Renderers slow down sharply on such input.",
      fix="put blank lines between paragraphs, headings and lists",
      exempt=f"an example would be {MAX_BLOCK_LINES} lines long")
def long_block(c: TextCheck) -> None:
    long = _long_block(c.text.without_comments)
    if long:
        c.add(long, 1, f"more than {MAX_BLOCK_LINES} lines without a blank line",
              "put blank lines between paragraphs, headings and lists; renderers slow down sharply on such input")


# --------------------------------------------------------------------------------------------
# WK34x, WK35x: links and images, judged one by one


#: (message, hint) of a link problem; None when the link is fine.
Problem = tuple[str, str] | None


class LinkSite:
    """One link or image of a text (as :func:`links.find` reads it), and what the link rules
    ask about it, each found out once."""

    def __init__(self, link: links.Link, t: TextRef, project: Project):
        self.link, self.t, self.project = link, t, project
        self.target = link.target.strip()

    @cached_property
    def scheme(self) -> str:
        m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", self.target)
        return m.group(1).lower() if m else ""

    @property
    def is_file(self) -> bool:
        """A link to a file (not to an address or an anchor of the page)."""
        return bool(self.target) and not self.scheme and not self.target.startswith("#")

    @cached_property
    def path(self) -> str:
        return self.target.split("#", 1)[0]

    @cached_property
    def repo(self) -> str | None:
        """The repository path the link points to."""
        return links.repo_path(self.path, self.t.base, self.project.root)

    @cached_property
    def exists(self) -> bool | None:
        """Whether the file exists; None for a name the system refuses (too long, a NUL byte)."""
        try:
            return (self.project.root / (self.repo or "")).exists()
        except (OSError, ValueError):
            return None

    @property
    def suffix(self) -> str:
        return Path(self.repo or "").suffix.lower()

    @cached_property
    def publishable(self) -> bool:
        return links.publishable(self.project.root, self.repo or "") is not None


@rule("WK340", "link-without-target", scope="link",
      summary="A link or image without a target: `[text]()`.",
      fix="write `[text](target)`",
      example=example(TEXT, "See [the case]().\n"))
def link_without_target(s: LinkSite) -> Problem:
    return ("a link without a target", "write [text](target)") if not s.target else None


@rule("WK341", "link-masked", scope="link",
      summary="A link target with a backslash or a backtick, which renderers read in different ways.",
      fix="write the file name or address as it is",
      example=example(TEXT, "See [the case](handouts/case\\-lin.md).\n"))
def link_masked(s: LinkSite) -> Problem:
    return ("a link target with a backslash or a backtick", "write the file name or address as it is") if s.link.masked else None


@rule("WK342", "link-scheme-not-allowed", scope="link",
      summary="A link with a scheme other than `http`, `https`, `mailto` and `tel` (such as `javascript:` or "
              "`file:`).",
      fix="use an http(s) address, or a file in the module folder",
      example=example(TEXT, "See [this](javascript:alert(1)).\n"))
def link_scheme_not_allowed(s: LinkSite) -> Problem:
    if s.scheme and not s.link.image and s.scheme not in ("http", "https", "mailto", "tel"):
        return f"links with the scheme '{s.scheme}:' are not allowed", "use an http(s) address, or a file in the module folder"
    return None


@rule("WK343", "invalid-web-address", scope="link",
      summary="An http(s) link that is not a valid web address.",
      fix="write the whole address, such as `https://example.org/page`",
      example=example(TEXT, "See [the site](https://).\n"))
def invalid_web_address(s: LinkSite) -> Problem:
    if s.scheme in ("http", "https") and not s.link.image and not re.match(r"^https?://[^\s/$.?#][^\s]*$", s.target):
        return f"'{s.target}' is not a valid web address", ""
    return None


@rule("WK344", "remote-image", scope="link",
      summary="An image from a web address. Images come from the module folder, so that they are there offline "
              "and in print, and no page reports its readers to another site.",
      fix="download the image (if its licence allows) and write `![what it shows](images/name.png)`",
      example=example(TEXT, "![A chart](https://example.org/chart.png)\n"))
def remote_image(s: LinkSite) -> Problem:
    if s.scheme and s.link.image:
        return ("images must be files in the module folder, not web addresses",
                "download the image (if its licence allows) and write ![what it shows](images/name.png)")
    return None


@rule("WK345", "file-link-in-plain-text", scope="link",
      summary="A link to a file in a plain-text field, where links to files are not followed.",
      fix="move the link into a Markdown field (summary, participant, body …), or link to a web address",
      example=example(MODULE, "aim: Practise with [the case](handouts/case-lin.md).\n"))
def file_link_in_plain_text(s: LinkSite) -> Problem:
    if s.is_file and s.t.plain:
        return ("this field is plain text: links to files are not followed here",
                "move the link into a Markdown field (summary, participant, body …) or link to a web address")
    return None


@rule("WK346", "absolute-link", scope="link",
      summary="A link to a file with an absolute path (starting with `/`).",
      fix="link relative to the text's file",
      example=example(TEXT, "See [the case](/modules/alpha/handouts/case-lin.md).\n"))
def absolute_link(s: LinkSite) -> Problem:
    return ("absolute paths are not allowed", "link relative to this file") if s.is_file and s.path.startswith("/") else None


@rule("WK347", "link-outside-modules", scope="link",
      summary="A link to a file outside the `modules/` folder; only module files are published.",
      fix="link to files in the modules folder",
      example=example(TEXT, "See [the agenda](../../curriculum/demo.yml).\n"))
def link_outside_modules(s: LinkSite) -> Problem:
    if s.is_file and (s.repo is None or not s.repo.startswith("modules/")):
        return f"'{s.target}' points outside the modules folder", "link to files in the modules folder"
    return None


@rule("WK348", "link-file-name-characters", scope="link",
      summary="A link to a file whose name has characters that links cannot carry (spaces, `%`, quotes …).",
      fix="name files with letters, digits, '-', '_' and '.' only",
      example=example(TEXT, "See [the notes](notes%20v2.pdf).\n"))
def link_file_name_characters(s: LinkSite) -> Problem:
    if s.is_file and not links.SAFE_PATH.match(s.repo or ""):
        return (f"the file name '{s.path[:60]}' has characters that links cannot carry",
                "name files with letters, digits, '-', '_' and '.' only")
    return None


@rule("WK349", "link-through-symbolic-link", scope="link",
      summary="A link to a file reached through a symbolic link; nothing is published through one.",
      fix="put the file itself in the module folder",
      exempt="a symbolic link is made in the file system; no text can show one")
def link_through_symbolic_link(s: LinkSite) -> Problem:
    symlink = links.symlink_on_path(s.project.root, s.repo or "") if s.is_file else None
    if symlink:
        return f"'{s.path}' goes through the symbolic link '{symlink}'", "put the file itself in the module folder"
    return None


def _more_private_module(repo: str, t: TextRef, project: Project) -> str:
    """The id of the module holding ``repo`` if it is not the text's own module and is more
    private than participant material (its files would show what a closed-door module holds)."""
    owner = repo.split("/")[1]
    if t.file.startswith(f"modules/{owner}/"):
        return ""
    module = project.module(owner)
    if module is None or Visibility.parse(module.visibility) <= Visibility.participant:
        return ""
    return owner


@rule("WK350", "link-to-closed-module", scope="link",
      summary="A link to a file of another module that fewer people may see (a restricted module): the link "
              "would show what that module holds.",
      fix="copy the file into this module's folder, or link to it only from that module",
      example=example(OTHER_MODULE, "visibility: restricted\n", "modules/beta/notes.pdf", "",
                      TEXT, "See [the notes](../beta/notes.pdf).\n"))
def link_to_closed_module(s: LinkSite) -> Problem:
    closed = _more_private_module(s.repo or "", s.t, s.project) if s.is_file else ""
    if closed:
        return (f"'{s.path}' belongs to the module '{closed}', which fewer people may see than this text",
                "copy the file into this module's folder, or link to it only from that module")
    return None


@rule("WK351", "link-file-name-unusable", scope="link",
      summary="A link to a file name that the system refuses (for example, one that is too long).",
      fix="check the file name",
      example=example(TEXT, "See [the notes](" + "n" * 300 + ".pdf).\n"))
def link_file_name_unusable(s: LinkSite) -> Problem:
    if s.is_file and s.exists is None:
        return f"link target '{s.path[:40]}' is not a usable file name", "check the file name"
    return None


@rule("WK352", "link-target-not-found", scope="link",
      summary="A link or image points to a file that does not exist.",
      fix="check the file name",
      example=example(TEXT, "See [the case](handouts/case-linn.md).\n"))
def link_target_not_found(s: LinkSite) -> Problem:
    if not (s.is_file and s.exists is False):
        return None
    return f"link target '{s.path}' not found", _where_the_file_is(s) or "check the file name"


def _where_the_file_is(s: LinkSite) -> str:
    """A hint for a link written relative to another folder than its text's: the path that
    reaches the file, if the file is in the text's module (at the path the link gives, read from
    the module folder, or as the only file of its name there)."""
    parts = s.t.file.split("/")
    if len(parts) < 3 or parts[0] != "modules" or not s.path or s.path.startswith("/"):
        return ""
    folder = s.project.root / "modules" / parts[1]
    wanted = os.path.normpath(folder / s.path)
    found = Path(wanted) if Path(wanted).is_relative_to(folder) and os.path.isfile(wanted) else None
    if found is None:
        name = os.path.basename(s.path)
        same = [Path(here) / name for here, _dirs, files in os.walk(folder) if name in files]
        found = same[0] if len(same) == 1 else None
    if found is None:
        return ""
    written = Path(os.path.relpath(found, s.t.base)).as_posix()
    if written == s.path:
        return ""
    anchor = s.target[len(s.path):]
    where = ("links are relative to the Markdown file they are in" if s.t.file.endswith(".md")
             else f"links in {parts[-1]} are relative to its folder")
    return f"{where}: write '{written}{anchor}'"


@rule("WK353", "image-format", scope="link",
      summary="An image that is not PNG, JPEG, GIF or WebP (SVG images can carry scripts).",
      fix="use PNG, JPEG, GIF or WebP",
      example=example("modules/alpha/images/chart.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
                      TEXT, "![A chart](images/chart.svg)\n"))
def image_format(s: LinkSite) -> Problem:
    if s.is_file and s.link.image and s.suffix not in links.IMAGE_EXT:
        return f"'{s.path}' is not an image that is published", "use PNG, JPEG, GIF or WebP"
    return None


@rule("WK354", "image-not-published", scope="link",
      summary="An image that is not inside a module's folder (for example, directly in `modules/`).",
      fix="put the image in the module's folder, e.g. `images/`",
      example=example("modules/chart.png", "", TEXT, "![A chart](../chart.png)\n"))
def image_not_published(s: LinkSite) -> Problem:
    if s.is_file and s.link.image and not s.publishable:
        return f"'{s.path}' is not a file that is published", "link to an image inside a module folder"
    return None


@rule("WK355", "image-without-alt", scope="link",
      summary="An image without alt text, the words that screen readers read and that show when the image "
              "cannot be loaded.",
      fix="write `![what the image shows](file.png)`",
      example=example("modules/alpha/images/chart.png", "", TEXT, "![](images/chart.png)\n"))
def image_without_alt(s: LinkSite) -> Problem:
    if s.is_file and s.link.image and not s.link.label.strip():
        return "an image needs alt text", "write ![what the image shows](file.png)"
    return None


@rule("WK356", "link-to-markdown-not-a-handout", scope="link",
      summary="A link to a Markdown file that is not a handout's file; only handouts have pages of their own.",
      fix="link to a handout's file, or to a web address",
      example=example("modules/alpha/notes.md", "Notes.\n", TEXT, "See [the notes](notes.md).\n"))
def link_to_markdown_not_a_handout(s: LinkSite) -> Problem:
    if not (s.is_file and not s.link.image and s.suffix == ".md"):
        return None
    if s.project.handout_for_file(s.project.root / (s.repo or "")) or _handouts_unknown(s):
        return None
    return f"'{s.path}' is not the file of a handout", "link to a handout's file, or to a web address"


def _handouts_unknown(s: LinkSite) -> bool:
    """Whether the handouts of the module holding the link's file are not all known: its
    module.yml failed to load, or a handout was left out because it failed the schema."""
    parts = (s.repo or "").split("/")
    if len(parts) < 3 or parts[0] != "modules":
        return False
    module = s.project.module(parts[1])
    if module is None:
        return parts[1] in s.project.broken
    return not s.project.complete(module, "handouts")


@rule("WK357", "link-not-published", scope="link",
      summary="A link to a file of a kind that is not published (only handouts, images and PDFs are).",
      fix="link to a handout, an image or a PDF",
      example=example("modules/alpha/form.docx", "", TEXT, "Fill in [the form](form.docx).\n"))
def link_not_published(s: LinkSite) -> Problem:
    if s.is_file and not s.link.image and s.suffix != ".md" and not s.publishable:
        return f"'{s.path}' is not a file that is published", "link to a handout, an image or a PDF"
    return None


def check_text(t: TextRef, project: Project, diags: list[Diagnostic]) -> None:
    """Run the text rules on ``t``, then judge each of its links and images with the link rules
    (:func:`links.find` is the one reader that the loader and the publishers also use: what is
    not judged here is never rewritten or copied)."""
    text = Text(t, project)
    for r in _rules("text"):
        assert r.func is not None
        r.func(TextCheck(text, r, diags))
    link_rules = _rules("link")
    source = text.without_comments
    for link in links.find(source):
        site = LinkSite(link, t, project)
        for r in link_rules:
            assert r.func is not None
            problem = r.func(site)
            if problem:
                no, col = link.line_col(source)
                message, hint = problem
                diags.append(Diagnostic(t.file, t.line + no - 1, col, t.key, message, hint, r.severity, r.code))
                break


# --------------------------------------------------------------------------------------------
# WK36x: what a text renders to


# Only a text with one of these can render to anything but plain paragraphs, lists and links
# to ordinary addresses; the others need not be rendered to be judged.
_MAY_RENDER_UNSAFE = re.compile(r"[<&{]|\]\s*:|\]\(\s*<?\s*[A-Za-z][A-Za-z0-9+.\-\s]*:")


@dataclass
class RenderedCheck:
    """What a ``rendered`` rule is given: a text, the source that was rendered (links rewritten
    by the loader), and its HTML (None if the renderer could not finish)."""

    t: TextRef
    source: str
    html: str | None
    rule: Rule
    diags: list[Diagnostic]
    #: (path, line, message) already reported for the text's file, by the rules of the source
    seen: set[tuple[str, int, str]]

    def add(self, no: int, message: str, hint: str) -> None:
        self.diags.append(Diagnostic(self.t.file, self.t.line + no - 1, 1, self.t.key, message, hint,
                                     self.rule.severity, self.rule.code))


@rule("WK360", "rendered-html-unsafe", scope="rendered",
      summary="What the text renders to holds something unsafe (a script, an event handler, a style, a "
              "`javascript:` link, HTML nested too deeply), however the source spelt it: entities, reference "
              "links, attribute lists or tags split over lines.",
      fix="write plain Markdown; links may go to http(s), mailto: and tel: addresses or to files in the module",
      example=example(TEXT, '<a href="jav&#x61;script:alert(1)">Click</a>\n'))
def rendered_html_unsafe(c: RenderedCheck) -> None:
    from .htmlsafety import lines_with, scan_fragment

    if c.html is None:
        return
    used: dict[str, int] = {}
    hint = "write plain Markdown; links may go to http(s), mailto: and tel: addresses or to files in the module"
    for problem in scan_fragment(c.html, allow_prefix=links.PREFIX):
        # The n-th finding of a needle goes on the n-th line that shows it (in document order).
        lines = lines_with(c.t.text, problem.needle) or [1]
        n = used.get(problem.needle, 0)
        used[problem.needle] = n + 1
        no = lines[min(n, len(lines) - 1)]
        if (c.t.file, c.t.line + no - 1, problem.message) in c.seen:
            continue  # the source-level rules already said so, with the column
        c.add(no, problem.message, _NESTING_HINT if "nested" in problem.message else hint)


@rule("WK361", "rendered-comment", scope="rendered",
      summary="An HTML comment would reach the page's source: the loader read it as code, and the renderer "
              "did not (for example, after an indented fence).",
      fix="remove the comment, or close the code block it belongs to",
      example=example(TEXT, "Discuss one more example.\n    ```\n<!-- the answer is B -->\n```\n"))
def rendered_comment(c: RenderedCheck) -> None:
    from .htmlsafety import lines_with

    if c.html is not None and links.has_comment(c.html):
        # The loader strips comments outside code; one that still renders was read as code by
        # the loader but not by the renderer (an indented fence): refuse rather than publish it.
        no = (lines_with(c.t.text, "<!--") or [1])[0]
        c.add(no, "an HTML comment would reach the page's source", "remove the comment, or close the code block it belongs to")


@rule("WK362", "unchecked-link", scope="rendered",
      summary="The text renders to a link or image that is not written as a Markdown link (it comes from raw "
              "HTML, a title or an attribute list), so it cannot be checked.",
      fix="write it as `[text](file)` or `![what it shows](image.png)` on its own",
      example=example(TEXT, '<a href="handouts/case-lin.md">the case</a>\n'))
def unchecked_link(c: RenderedCheck) -> None:
    from .htmlsafety import lines_with

    if c.html is None:
        return
    read = {link.target.strip() for link in links.find(c.source)}
    for url in links.rendered_urls(c.html):
        if not url or url.startswith("#") or (links.SCHEME.match(url) and not url.startswith(links.PREFIX)):
            continue  # anchors and addresses: judged by scheme above
        if url in read:
            continue
        needle = url[len(links.PREFIX):] if url.startswith(links.PREFIX) else url
        no = (lines_with(c.t.text, needle.rsplit("/", 1)[-1] or needle) or [1])[0]
        c.add(no, f"the link or image '{needle[:60]}' is not written as a Markdown link that can be checked",
              "write it as [text](file) or ![what it shows](image.png) on its own, "
              "not inside a title, raw HTML or an attribute list")


@rule("WK363", "too-deep-to-render", scope="rendered",
      summary="The text is nested too deeply for the renderer to finish. A text that cannot be rendered is "
              "refused, never passed.",
      fix="flatten the structure; print and screen readers cannot follow it either",
      exempt="only a text that the nesting rule (WK325) lets through and the renderer still cannot finish "
             "reaches it; it is the last line of defence")
def too_deep_to_render(c: RenderedCheck) -> None:
    if c.html is None:
        c.add(1, "the text is nested too deeply to render", _NESTING_HINT)


def check_rendered(t: TextRef, render: Callable[[str], str], diags: list[Diagnostic], root: Path | None = None) -> None:
    """Judge what the text renders to, however the source spelt it (entities, attribute lists, …).

    The text is rendered as the publishers receive it (links rewritten by the loader), and every
    link and image in the result must be one that :func:`links.find` read and the link rules
    judged: a link the renderer sees and the reader does not (hidden in a title, an attribute
    list, raw HTML) would otherwise escape the rules.
    """
    if not (_MAY_RENDER_UNSAFE.search(t.text) or "[" in t.text):
        return
    text = links.strip_comments(t.text)
    if _crowded_paragraph(text) or _long_block(text) or any(_too_nested(line) for _, line in _strip_code(text)):
        return  # refused by the text rules before anything renders it
    source = links.normalise(text, t.base, root) if root is not None else text
    html: str | None
    try:
        html = render(source)
    except (RecursionError, BuildError):
        html = None  # fail closed: a text the renderer cannot finish is refused, never passed
    seen = {(d.path, d.line, d.message) for d in diags if d.path == t.file}
    for r in _rules("rendered"):
        assert r.func is not None
        r.func(RenderedCheck(t, source, html, r, diags, seen))


# --------------------------------------------------------------------------------------------
# Running the rules


def run_checks(project: Project) -> list[Diagnostic]:
    """Every rule over a loaded project; the diagnostics in the order the rules found them."""
    run = Run(project)
    for r in _rules("project"):
        assert r.func is not None
        r.func(Check(run, r))
    for r in _rules("site"):
        assert r.func is not None
        r.func(SiteCheck(run, r))
    render = run.renderer()
    for t in project.texts:
        check_text(t, project, run.diags)
        if render is not None:
            check_rendered(t, render, run.diags, project.root)
    return run.diags


def check(root: Path) -> tuple[Project, list[Diagnostic]]:
    """Load and check a repository; return the project and all diagnostics, sorted."""
    project, diags = load_project(root)
    diags.extend(run_checks(project))
    known = set(diags)
    for language in project.curriculum.languages if project.curriculum else []:
        translated, found = load_project(root, language)
        found.extend(run_checks(translated))
        project.translations[language] = translated
        # What the English texts already show is said once; the rest is the translation's.
        diags.extend(d for d in found if d not in known)
    return project, sorted(set(diags), key=lambda d: (d.path, d.line, d.col, d.message))


def summary(project: Project) -> dict[str, int]:
    modules = project.modules
    return {
        "modules": len(modules),
        "sessions": sum(len(m.sessions) for m in modules),
        "minutes": sum(m.minutes for m in modules),
        "handouts": sum(len(m.handouts) for m in modules),
        "items": sum(len(m.assessment) for m in modules),
        "workshops": len(project.workshops),
        "sources": len(project.all_sources),
    }


__all__ = ["check", "check_rendered", "check_text", "run_checks", "summary"]
