"""Cross-file rules: ids, references, durations, links, safety of raw HTML.

The schema checks each file on its own; these rules need the whole repository. Every rule adds
a :class:`Diagnostic` located at the key it is about, and every rule runs, so an editor sees
all problems at once.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from . import links
from .agenda import _to_minutes, compute, session_minutes
from .errors import BuildError, Diagnostic, name_list
from .htmlsafety import FORBIDDEN_TAGS, SAFE_SCHEMES, url_scheme
from .load import Project, TextRef, load_project
from .model import Module
from .visibility import Visibility
from .walk import Loc


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


#: Session pages sit beside these pages of their module, so a session may not take their names.
RESERVED_SESSION_IDS = frozenset({"index", "answer-key", "handouts"})


@dataclass
class Checker:
    project: Project
    diags: list[Diagnostic]

    def add(self, obj: BaseModel, loc: Loc, message: str, hint: str = "", severity: str = "error") -> None:
        path, line, col = self.project.where(obj, loc)
        key = _dotted(loc)
        self.diags.append(Diagnostic(path, line, col, key, message, hint, severity))

    # ---------------------------------------------------------------------------------------

    def unique(self, owner: BaseModel, items: list[Any], loc: Loc, what: str) -> None:
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.id in seen:
                self.add(owner, loc + (i, "id"), f"duplicate {what} id '{item.id}' (also at {_dotted(loc + (seen[item.id],))})",
                         "give each one its own id")
            else:
                seen[item.id] = i

    def ref(self, owner: BaseModel, loc: Loc, value: str, known: Iterable[str], what: str) -> bool:
        known = list(known)
        if value in known:
            return True
        if value in self.project.broken or (what == "source" and "*sources" in self.project.broken):
            return False  # its own file failed to load and was reported already
        hint = _suggest(value, known) or (f"known {what}s: {name_list(sorted(known))}" if known else f"define the {what} first")
        self.add(owner, loc, f"unknown {what} '{value}'", hint)
        return False

    # ---------------------------------------------------------------------------------------

    def module(self, m: Module) -> None:
        self.unique(m, m.learning_objectives, ("learning_objectives",), "objective")
        self.unique(m, m.sessions, ("sessions",), "session")
        self.unique(m, m.handouts, ("handouts",), "handout")
        self.unique(m, m.assessment, ("assessment",), "assessment item")
        self.module_references(m)
        for si in range(len(m.sessions)):
            self.session(m, si)
        self.module_objectives(m)

    def module_references(self, m: Module) -> None:
        p = self.project
        source_ids = [s.id for s in p.all_sources]
        module_ids = [x.id for x in p.modules]
        for i, s in enumerate(m.sessions):
            if s.id in RESERVED_SESSION_IDS:
                self.add(m, ("sessions", i, "id"), f"'{s.id}' is the name of a page the module already has",
                         f"choose another id, e.g. '{s.id}-session'")
        for i, pre in enumerate(m.prerequisites):
            if pre == m.id:
                self.add(m, ("prerequisites", i), "a module cannot be its own prerequisite")
            else:
                self.ref(m, ("prerequisites", i), pre, module_ids, "module")
        for i, c in enumerate(m.sources):
            self.ref(m, ("sources", i, "ref"), c.ref, source_ids, "source")
        for hi, h in enumerate(m.handouts):
            for ci, c in enumerate(h.sources):
                self.ref(m, ("handouts", hi, "sources", ci, "ref"), c.ref, source_ids, "source")

    def session(self, m: Module, si: int) -> None:
        s = m.sessions[si]
        objectives = [o.id for o in m.learning_objectives]
        handouts = [h.id for h in m.handouts]
        self.unique(m, s.activities, ("sessions", si, "activities"), "activity")
        for oi, o in enumerate(s.objectives):
            self.ref(m, ("sessions", si, "objectives", oi), o, objectives, "objective")
        total = session_minutes(s, "full")
        if total != s.minutes:
            parts = " + ".join(str(a.minutes) for a in s.activities)
            self.add(m, ("sessions", si, "minutes"),
                     f"session is {s.minutes} minutes but its activities add up to {total} ({parts})",
                     f"set minutes: {total} or change the activities")
        if m.visibility == "restricted" and s.visibility not in ("restricted",):
            self.add(m, ("sessions", si, "visibility"), "a session of a restricted module is restricted too",
                     "write 'visibility: restricted' so the intent is explicit", "warning")
        if m.content_warnings.tags and not s.content_warning and s.visibility != "restricted" and si == 0:
            self.add(m, ("sessions", si), "the module has content warnings but its first session announces none",
                     "add 'content_warning:' with a sentence for participants", "warning")
        for ai, a in enumerate(s.activities):
            if a.handout is not None:
                self.ref(m, ("sessions", si, "activities", ai, "handout"), a.handout, handouts, "handout")
            if m.sensitivity != "standard" and a.method in ("role-play", "case-study", "simulation") and not a.safety_notes:
                self.add(m, ("sessions", si, "activities", ai), f"a {a.method} in a {m.sensitivity} module needs safety_notes",
                         "say what to watch for and what to do if someone is distressed")

    def module_objectives(self, m: Module) -> None:
        objectives = [o.id for o in m.learning_objectives]
        for qi, q in enumerate(m.assessment):
            self.ref(m, ("assessment", qi, "objective"), q.objective, objectives, "objective")
            self.item(m, qi)
        covered = {q.objective for q in m.assessment}
        for oi, o in enumerate(m.learning_objectives):
            if m.assessment and o.id not in covered:
                self.add(m, ("learning_objectives", oi), f"no assessment item checks objective '{o.id}'",
                         "add an item with 'objective: " + o.id + "'", "warning")
        taught = {o for s in m.sessions for o in s.objectives}
        for oi, o in enumerate(m.learning_objectives):
            if o.id not in taught:
                self.add(m, ("learning_objectives", oi), f"no session serves objective '{o.id}'",
                         "list it under a session's 'objectives'")

    def item(self, m: Module, qi: int) -> None:
        q = m.assessment[qi]
        loc: Loc = ("assessment", qi)
        keys = list(q.options)
        answers = [q.answer] if isinstance(q.answer, str) else list(q.answer or [])
        if q.type in ("single", "multiple"):
            if len(keys) < 2:
                self.add(m, loc + ("options",), f"a {q.type} item needs at least two options", "add options a, b, c …")
            if not answers:
                self.add(m, loc, "missing required key 'answer'", "give the key of the right option")
            if q.type == "single" and len(answers) > 1:
                self.add(m, loc + ("answer",), "a single-choice item has one answer", "use type: multiple for several")
            for a in answers:
                if a not in keys:
                    self.add(m, loc + ("answer",), f"answer '{a}' is not one of the options ({name_list(keys)})",
                             _suggest(a, keys) or "use the key of an option, e.g. 'b'")
        elif q.type == "true-false":
            if keys:
                self.add(m, loc + ("options",), "a true-false item has no options", "remove 'options'")
            if len(answers) != 1 or answers[0].lower() not in ("true", "false"):
                self.add(m, loc + ("answer",), "the answer of a true-false item is 'true' or 'false'")
        else:
            if keys:
                self.add(m, loc + ("options",), "an open item has no options", "remove 'options' or use type: single")
        if q.type != "open" and not q.explanation:
            self.add(m, loc, "a scored item needs an explanation", "add 'explanation:' for the answer key", "warning")

    def prerequisite_cycles(self) -> None:
        graph = {m.id: list(m.prerequisites) for m in self.project.modules}
        owner = {m.id: m for m in self.project.modules}  # the module each graph entry came from
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
                        self.add(m, ("prerequisites", m.prerequisites.index(nxt)),
                                 "prerequisites form a cycle: " + " -> ".join(cycle),
                                 "remove one of the prerequisites")
                elif state.get(nxt) is None:
                    visit(nxt, stack + [nxt])
            state[node] = 2

        for mid in graph:
            if state.get(mid) is None:
                visit(mid, [mid])

    def workshop(self, w: Any) -> None:
        modules = {m.id: m for m in self.project.modules}
        self.workshop_references(w, modules)
        self.workshop_days(w, modules)
        self.workshop_support(w, modules)

    def workshop_references(self, w: Any, modules: dict[str, Module]) -> None:
        for di, day in enumerate(w.days):
            for si, slot in enumerate(day.slots):
                loc: Loc = ("days", di, "slots", si)
                if slot.module is not None:
                    self.ref(w, loc + ("module",), slot.module, modules, "module")
                if slot.session is not None:
                    mid, sid = slot.session.split("/", 1)
                    if self.ref(w, loc + ("session",), mid, modules, "module"):
                        m = modules[mid]
                        if m.session(sid) is None:
                            self.add(w, loc + ("session",), f"module '{mid}' has no session '{sid}'",
                                     _suggest(sid, [s.id for s in m.sessions]) or
                                     "sessions: " + name_list(s.id for s in m.sessions))
        for ti, ref in enumerate(w.knowledge_test):
            mid, qid = ref.split("/", 1)
            if self.ref(w, ("knowledge_test", ti), mid, modules, "module"):
                items = [q.id for q in modules[mid].assessment]
                if qid not in items:
                    self.add(w, ("knowledge_test", ti), f"module '{mid}' has no assessment item '{qid}'",
                             _suggest(qid, items) or ("items: " + name_list(items) if items else "the module has no "
                                                                                                 "assessment items"))

    def workshop_days(self, w: Any, modules: dict[str, Module]) -> None:
        for day in compute(w, modules):
            if day.overrun > 0:
                self.add(w, ("days", day.index, "end"),
                         f"day {day.index + 1} ends at {day.end}, {day.overrun} minutes after its end time {day.end_by}",
                         "shorten the day (core variants, fewer slots) or move the end time")
            if _to_minutes(day.start) > _to_minutes(day.end_by):
                self.add(w, ("days", day.index, "start"), "the day starts after its end time")
            run = 0
            for row in day.rows:
                run = 0 if row.kind == "break" else run + row.minutes
                if run > 120:
                    self.add(w, ("days", day.index, "slots", row.slot_index),
                             f"more than 120 minutes without a break on day {day.index + 1} (until {row.end})",
                             "add a break", "warning")
                    run = 0

    def workshop_support(self, w: Any, modules: dict[str, Module]) -> None:
        used = set()
        for day in w.days:
            for slot in day.slots:
                if slot.module:
                    used.add(slot.module)
                if slot.session:
                    used.add(slot.session.split("/")[0])
        warned = [modules[mid] for mid in sorted(used) if mid in modules and modules[mid].content_warnings.tags]
        if warned and not w.support_contacts:
            self.add(w, ("id",), "modules with content warnings "
                     f"({name_list(m.id for m in warned)}) need support contacts for participants",
                     "add 'support_contacts:' with at least one service")

    def sources(self) -> None:
        seen: dict[str, BaseModel] = {}
        for src in self.project.all_sources:
            if src.id in seen:
                other = self.project.file_of(seen[src.id])
                self.add(src, self._source_loc(src), f"duplicate source id '{src.id}' (also in {other})",
                         "give each source its own id")
            seen[src.id] = src
        g = self.project.glossary
        if g is not None:
            ids = [s.id for s in self.project.all_sources]
            for i, term in enumerate(g.terms):
                if term.source is not None:
                    self.ref(g, ("terms", i, "source", "ref"), term.source.ref, ids, "source")

    def _source_loc(self, src: BaseModel) -> Loc:
        """Where a source's id is written: 'id' of a seed file, 'sources[i].id' in a library file."""
        path = self.project.file_of(src)
        same_file = [s for s in self.project.sources if self.project.file_of(s) == path]
        index = next((i for i, s in enumerate(same_file) if s is src), None)
        return ("id",) if index is None else ("sources", index, "id")

    def tracks(self) -> None:
        c = self.project.curriculum
        if c is None:
            return
        self.unique(c, c.tracks, ("tracks",), "track")
        track_ids = [t.id for t in c.tracks]
        listed: dict[str, str] = {}
        modules = {m.id: m for m in self.project.modules}
        for ti, t in enumerate(c.tracks):
            for mi, mid in enumerate(t.modules):
                if not self.ref(c, ("tracks", ti, "modules", mi), mid, modules, "module"):
                    continue
                if mid in listed:
                    self.add(c, ("tracks", ti, "modules", mi), f"module '{mid}' is already listed in track '{listed[mid]}'",
                             "list each module once, in the track of its 'track' key")
                listed[mid] = t.id
                if modules[mid].track != t.id:
                    self.add(c, ("tracks", ti, "modules", mi),
                             f"module '{mid}' has track '{modules[mid].track}' in its module.yml, not '{t.id}'",
                             "make the two agree")
        for m in self.project.modules:
            if m.track not in track_ids:
                self.add(m, ("track",), f"unknown track '{m.track}'; the module is shown after the listed tracks",
                         _suggest(m.track, track_ids) or f"tracks in curriculum/curriculum.yml: {name_list(track_ids)}",
                         "warning")
            elif m.id not in listed:
                self.add(m, ("id",), f"module '{m.id}' is not listed in curriculum/curriculum.yml; it is shown after "
                                     f"the listed modules",
                         f"add it under track '{m.track}'", "warning")

    def texts(self) -> None:
        render = _renderer(self.project.root, self.diags)
        for t in self.project.texts:
            check_text(t, self.project, self.diags)
            if render is not None:
                check_rendered(t, render, self.diags, self.project.root)

    def run(self) -> None:
        for m in self.project.modules:
            self.module(m)
        self.prerequisite_cycles()
        for w in self.project.workshops:
            self.workshop(w)
        self.sources()
        self.tracks()
        self.texts()
        check_titles(self.project, self.diags)


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out



# --------------------------------------------------------------------------------------------
# Titles


_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*;|#[0-9]+;?|#[xX][0-9A-Fa-f]+;?)")


def check_titles(project: Project, diags: list[Diagnostic]) -> None:
    """Titles (the fields marked ``x-title`` in the model) are plain text on one line.

    The sites print titles in the nav, header, footer, ``<title>`` and search index, where
    MkDocs and Material read them as HTML (for ``<title>`` Material even unescapes them), and a
    backtick, Markdown code in a heading, shows as written everywhere else. So '<', '>', HTML
    entities (also those a browser reads without ';', such as '&copy'), backticks and line breaks
    are refused rather than guessed at; a plain '&' (as in 'Health & safety') is fine.
    """
    from .htmlsafety import reference_at
    from .model import TITLE_KEY
    from .walk import extra, fields

    roots: list[tuple[BaseModel, Loc]] = [(obj, ()) for obj in (*project.modules, *project.workshops, *project.seeds,
                                                                 project.curriculum, project.glossary) if obj is not None]
    in_file: dict[str, int] = {}
    for src in project.sources:  # the shared library: several sources to a file
        index = in_file.get(project.file_of(src), 0)
        in_file[project.file_of(src)] = index + 1
        roots.append((src, ("sources", index)))
    lines: dict[str, list[str]] = {}
    for obj, base in roots:
        for visit in fields(obj, base):
            if not (extra(visit.info).get(TITLE_KEY) and isinstance(visit.value, str)):
                continue
            text = visit.value
            for i, c in enumerate(text):
                entity = _ENTITY.match(text, i) if c == "&" else None
                if c in "<>":
                    what, hint = f"'{c}'", "HTML tags show as written in some places and vanish in others"
                elif c == "`":
                    what, hint = "a backtick", "code shows as code in a heading but as written in the navigation"
                elif c in "\r\n":
                    what, hint = "a line break", "a title is one line"
                elif c in "{}":
                    what, hint = f"'{c}'", "braces in a heading become HTML attributes (an attribute list)"
                elif c == "&" and (entity or reference_at(text, i)):
                    spelt = re.match(r"&#?[A-Za-z0-9]*;?", text[i:])
                    written = entity.group() if entity else spelt.group() if spelt else "&"
                    what, hint = f"the HTML entity '{written}'", f"write the character itself instead of '{written}'"
                else:
                    continue
                path, line, col = project.where(obj, visit.loc)
                if path not in lines:
                    source = project.inputs.get(path)
                    try:
                        lines[path] = source.read_text(encoding="utf-8").split("\n") if source else []
                    except (OSError, UnicodeDecodeError):
                        lines[path] = []
                raw = lines[path][line - 1] if 0 < line <= len(lines[path]) else ""
                at = raw.find(c, max(col - 1, 0)) if c not in "\r\n" else -1
                diags.append(Diagnostic(path, line, at + 1 if at >= 0 else col, _dotted(visit.loc),
                                        f"{what} in a title",
                                        f"titles are plain text: write the title without HTML or code; {hint}"))
                break


# --------------------------------------------------------------------------------------------
# Markdown text rules: links, images and raw HTML


_RAW_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][\w-]*)([^<>]*)>")  # [^<>]: linear on a line of many '<'
_EVENT_ATTR = re.compile(r"\bon[a-z]+\s*=", re.I)
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

# Only a text with one of these can render to anything but plain paragraphs, lists and links
# to ordinary addresses; the others need not be rendered to be judged.
_MAY_RENDER_UNSAFE = re.compile(r"[<&{]|\]\s*:|\]\(\s*<?\s*[A-Za-z][A-Za-z0-9+.\-\s]*:")


def _renderer(root: Path, diags: list[Diagnostic]) -> Any:
    """Markdown to HTML as the sites render it, or None (with a diagnostic) if that cannot be set up."""
    from .markdown import load_site_config, markdown_problem, to_html

    try:
        config = load_site_config(root)
    except BuildError as exc:
        diags.append(exc.diagnostic)
        return None
    site_config_rules(config, diags)
    problem = markdown_problem(config)
    if problem:
        diags.append(Diagnostic("mkdocs.yml", problem[0], problem[1], "markdown_extensions", problem[2],
                                "check the extension's name; see the list in the MkDocs and Material documentation"))
        return None
    return lambda text: to_html(text, config)


def site_config_rules(config: Any, diags: list[Diagnostic]) -> None:
    """Settings of ``mkdocs.yml`` that would run or publish after the audience gate: any setting
    but those workshopkit builds with (an allowlist: ``INHERIT``, hooks, scripts, ``custom_dir``
    … are refused), extensions that include files while rendering, and plugins other than
    Material's offline-safe built-ins."""
    from .markdown import (
        ALLOWED_EXTENSIONS,
        EXTRA_SETTINGS,
        INCLUDE_EXTENSIONS,
        SITE_PLUGINS,
        SITE_SETTINGS,
        THEME_SETTINGS,
        allowed_extension,
        config_position,
        extension_name,
        refused_settings,
    )

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
    settings = {"": SITE_SETTINGS, "theme": THEME_SETTINGS, "extra": EXTRA_SETTINGS}
    for keys in refused_settings(config.data):
        where = ".".join(keys)
        allowed = settings[keys[0] if len(keys) > 1 else ""]
        message, hint = reasons.get(where, (
            f"'{where}' is not a setting workshopkit builds with",
            f"settings that run code or bring in other files would act after the audience gate; "
            f"{'under ' + repr(keys[0]) + ' ' if len(keys) > 1 else ''}use only {', '.join(sorted(allowed))}"))
        line, col = config_position(config.path, *keys)
        diags.append(Diagnostic("mkdocs.yml", line, col, where, message, hint))
    names, _ = config.extensions
    for name in names:
        if allowed_extension(name):
            continue
        line, col = config_position(config.path, "markdown_extensions", name)
        if extension_name(name) in INCLUDE_EXTENSIONS:
            diags.append(Diagnostic("mkdocs.yml", line, col, "markdown_extensions",
                                    f"the extension '{name}' includes files while pages render, after the audience "
                                    "gate has run", "remove it; write the text into the module (or a handout) instead"))
        else:
            diags.append(Diagnostic("mkdocs.yml", line, col, "markdown_extensions",
                                    f"the Markdown extension '{name}' cannot be loaded: it is not one workshopkit builds with",
                                    _suggest(extension_name(name), ALLOWED_EXTENSIONS) or
                                    "use Python-Markdown's or pymdown-extensions' own extensions; others could run code "
                                    "or bring in files after the audience gate"))
    for item in config.data.get("plugins") or []:
        name = next(iter(item)) if isinstance(item, dict) and item else item
        if isinstance(name, str) and name.removeprefix("material/") not in SITE_PLUGINS:
            line, col = config_position(config.path, "plugins", name)
            diags.append(Diagnostic("mkdocs.yml", line, col, "plugins",
                                    f"the plugin '{name}' is not one workshopkit builds with",
                                    f"plugins that change pages would run after the audience gate; use "
                                    f"{', '.join(sorted(SITE_PLUGINS))}"))


def check_rendered(t: TextRef, render: Any, diags: list[Diagnostic], root: Path | None = None) -> None:
    """Judge what the text renders to, however the source spelt it (entities, attribute lists, …).

    The text is rendered as the publishers receive it (links rewritten by the loader), and every
    link and image in the result must be one that :func:`links.find` read and ``check_links``
    judged: a link the renderer sees and the reader does not (hidden in a title, an attribute
    list, raw HTML) would otherwise escape the rules.
    """
    from .htmlsafety import lines_with, scan_fragment

    if not (_MAY_RENDER_UNSAFE.search(t.text) or "[" in t.text):
        return
    text = links.strip_comments(t.text)
    if _crowded_paragraph(text) or _long_block(text) or any(_too_nested(line) for _, line in _strip_code(text)):
        return  # refused by check_text before anything renders it
    source = links.normalise(text, t.base, root) if root is not None else text
    try:
        html = render(source)
    except (RecursionError, BuildError):
        # Fail closed: a text the renderer cannot finish is refused, never passed.
        diags.append(Diagnostic(t.file, t.line, 1, t.key, "the text is nested too deeply to render", _NESTING_HINT))
        return
    seen = {(d.path, d.line, d.message) for d in diags if d.path == t.file}
    used: dict[str, int] = {}
    hint = ("write plain Markdown; links may go to http(s), mailto: and tel: addresses "
            "or to files in the module")
    for problem in scan_fragment(html, allow_prefix=links.PREFIX):
        # The n-th finding of a needle goes on the n-th line that shows it (in document order).
        lines = lines_with(t.text, problem.needle) or [1]
        n = used.get(problem.needle, 0)
        used[problem.needle] = n + 1
        no = lines[min(n, len(lines) - 1)]
        if (t.file, t.line + no - 1, problem.message) in seen:
            continue  # the source-level rules already said so, with the column
        diags.append(Diagnostic(t.file, t.line + no - 1, 1, t.key, problem.message,
                                _NESTING_HINT if "nested" in problem.message else hint))
    if links.has_comment(html):
        # The loader strips comments outside code; one that still renders was read as code by
        # the loader but not by the renderer (an indented fence): refuse rather than publish it.
        no = (lines_with(t.text, "<!--") or [1])[0]
        diags.append(Diagnostic(t.file, t.line + no - 1, 1, t.key, "an HTML comment would reach the page's source",
                                "remove the comment, or close the code block it belongs to"))
    read = {link.target.strip() for link in links.find(source)}
    for url in links.rendered_urls(html):
        if not url or url.startswith("#") or (links.SCHEME.match(url) and not url.startswith(links.PREFIX)):
            continue  # anchors and addresses: judged by scheme above
        if url in read:
            continue
        needle = url[len(links.PREFIX):] if url.startswith(links.PREFIX) else url
        no = (lines_with(t.text, needle.rsplit("/", 1)[-1] or needle) or [1])[0]
        diags.append(Diagnostic(t.file, t.line + no - 1, 1, t.key,
                                f"the link or image '{needle[:60]}' is not written as a Markdown link that can be checked",
                                "write it as [text](file) or ![what it shows](image.png) on its own, "
                                "not inside a title, raw HTML or an attribute list"))


def check_text(t: TextRef, project: Project, diags: list[Diagnostic]) -> None:
    def add(no: int, col: int, message: str, hint: str = "", severity: str = "error") -> None:
        diags.append(Diagnostic(t.file, t.line + no - 1, col, t.key, message, hint, severity))

    for no, line in _strip_code(t.text):
        if _too_nested(line):
            add(no, 1, f"quotes or lists nested more than {MAX_NESTING} deep", _NESTING_HINT)
        for m in _RAW_TAG.finditer(line):
            tag = m.group(2).lower()
            attrs = m.group(3)
            col = m.start() + 1
            if tag in FORBIDDEN_TAGS and not m.group(1):  # one report per element, not for its closing tag too
                add(no, col, f"raw HTML <{tag}> is not allowed", "use Markdown instead")
            elif tag not in _ALLOWED_TAGS and not m.group(1):
                add(no, col, f"raw HTML <{tag}> is not allowed", "use Markdown, or one of the simple tags (br, sup, "
                                                                 "abbr, details …)")
            if _EVENT_ATTR.search(attrs):
                add(no, col, "event-handler attributes (on…=) are not allowed in raw HTML", "remove the attribute")
            if re.search(r"\bstyle\s*=", attrs, re.I):
                add(no, col, "inline style attributes are not allowed", "remove the style; the theme styles the page")
            for u in _HTML_URL_ATTR.finditer(attrs):
                scheme = url_scheme(u.group(1))
                if scheme and scheme not in SAFE_SCHEMES:
                    add(no, col, f"the URL '{u.group(1)[:30]}' uses a scheme that is not allowed",
                        "link to http(s) addresses or files in the module")
            if tag == "img":
                add(no, col, "images are written in Markdown, not as raw <img>",
                    "write ![what the image shows](images/name.png) with the image in the module folder")
    check_links(t, project, add)


#: (message, hint) of a link problem; None when the link is fine.
Problem = tuple[str, str] | None


def check_links(t: TextRef, project: Project, add: Any) -> None:
    """Judge every link and image that :func:`links.find` reads, the one reader that the loader
    and the publishers also use: what is not judged here is never rewritten or copied."""
    unclosed = links.unclosed_comment(t.text)
    if unclosed >= 0:
        no = t.text.count("\n", 0, unclosed) + 1
        add(no, unclosed - (t.text.rfind("\n", 0, unclosed) + 1) + 1, "an HTML comment ('<!--') that is never closed",
            "close it with '-->' or remove it; comments never reach any output")
    text = links.strip_comments(t.text)
    crowded = _crowded_paragraph(text)
    if crowded:
        add(crowded, 1, f"a paragraph with more than {links.MAX_BRACKETS} '[' or '<'",
            "split the text into paragraphs; renderers slow down sharply on such input")
    long_block = _long_block(text)
    if long_block:
        add(long_block, 1, f"more than {MAX_BLOCK_LINES} lines without a blank line",
            "put blank lines between paragraphs, headings and lists; renderers slow down sharply on such input")
    for link in links.find(text):
        problem = _judge_link(link, t, project)
        if problem:
            add(*link.line_col(text), *problem)


def _judge_link(link: links.Link, t: TextRef, project: Project) -> Problem:
    target = link.target.strip()
    if not target:
        return "a link without a target", "write [text](target)"
    if link.masked:
        return "a link target with a backslash or a backtick", "write the file name or address as it is"
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", target)
    if scheme:
        return _judge_address(target, scheme.group(1).lower(), link.image)
    if target.startswith("#"):
        return None
    path_part = target.split("#", 1)[0]
    if t.plain:
        return ("this field is plain text: links to files are not followed here",
                "move the link into a Markdown field (summary, participant, body …) or link to a web address")
    if path_part.startswith("/"):
        return "absolute paths are not allowed", "link relative to this file"
    return _judge_file(path_part, target, link, t, project)


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


def _judge_address(target: str, scheme: str, image: bool) -> Problem:
    if image:
        return ("images must be files in the module folder, not web addresses",
                "download the image (if its licence allows) and write ![what it shows](images/name.png)")
    if scheme not in ("http", "https", "mailto", "tel"):
        return f"links with the scheme '{scheme}:' are not allowed", "use an http(s) address, or a file in the module folder"
    if scheme in ("http", "https") and not re.match(r"^https?://[^\s/$.?#][^\s]*$", target):
        return f"'{target}' is not a valid web address", ""
    return None


def _judge_file(path_part: str, target: str, link: links.Link, t: TextRef, project: Project) -> Problem:
    """A link to a file: inside a module folder, reached without a symbolic link, of a kind that
    is published (the judgement :func:`links.publishable` makes again before copying)."""
    root = project.root
    repo = links.repo_path(path_part, t.base, root)
    if repo is None or not repo.startswith("modules/"):
        return f"'{target}' points outside the modules folder", "link to files in the modules folder"
    if not links.SAFE_PATH.match(repo):
        return (f"the file name '{path_part[:60]}' has characters that links cannot carry",
                "name files with letters, digits, '-', '_' and '.' only")
    symlink = links.symlink_on_path(root, repo)
    if symlink:
        return f"'{path_part}' goes through the symbolic link '{symlink}'", "put the file itself in the module folder"
    closed = _more_private_module(repo, t, project)
    if closed:
        return (f"'{path_part}' belongs to the module '{closed}', which fewer people may see than this text",
                "copy the file into this module's folder, or link to it only from that module")
    dest = root / repo
    try:
        exists = dest.exists()
    except (OSError, ValueError):  # too long, a NUL byte
        return f"link target '{path_part[:40]}' is not a usable file name", "check the file name"
    if not exists:
        return f"link target '{path_part}' not found", "check the file name"
    suffix = dest.suffix.lower()
    if link.image:
        if suffix not in links.IMAGE_EXT:
            return f"'{path_part}' is not an image that is published", "use PNG, JPEG, GIF or WebP"
        if links.publishable(root, repo) is None:
            return f"'{path_part}' is not a file that is published", "link to an image inside a module folder"
        if not link.label.strip():
            return "an image needs alt text", "write ![what the image shows](file.png)"
        return None
    if suffix == ".md":
        if not project.handout_for_file(dest):
            return f"'{path_part}' is not the file of a handout", "link to a handout's file, or to a web address"
        return None
    if links.publishable(root, repo) is None:
        return f"'{path_part}' is not a file that is published", "link to a handout, an image or a PDF"
    return None


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


def run_checks(project: Project) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    Checker(project, diags).run()
    return diags


def check(root: Path) -> tuple[Project, list[Diagnostic]]:
    """Load and check a repository; return the project and all diagnostics, sorted."""
    project, diags = load_project(root)
    diags.extend(run_checks(project))
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


__all__ = ["check", "run_checks", "summary"]
