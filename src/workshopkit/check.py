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

from .agenda import _to_minutes, compute, session_minutes
from .errors import Diagnostic
from .load import Project, TextRef, load_project
from .model import Module
from .walk import Loc

IMAGE_EXT = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}


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
        hint = _suggest(value, known) or (f"known {what}s: {', '.join(sorted(known)[:8])}" if known else f"define the {what} first")
        self.add(owner, loc, f"unknown {what} '{value}'", hint)
        return False

    # ---------------------------------------------------------------------------------------

    def module(self, m: Module) -> None:
        p = self.project
        source_ids = [s.id for s in p.all_sources]
        module_ids = [x.id for x in p.modules]
        self.unique(m, m.learning_objectives, ("learning_objectives",), "objective")
        self.unique(m, m.sessions, ("sessions",), "session")
        self.unique(m, m.handouts, ("handouts",), "handout")
        self.unique(m, m.assessment, ("assessment",), "assessment item")
        objectives = [o.id for o in m.learning_objectives]
        handouts = [h.id for h in m.handouts]
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
        for si, s in enumerate(m.sessions):
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
            if (m.content_warnings.tags and not s.content_warning and s.visibility != "restricted"
                    and si == 0):
                self.add(m, ("sessions", si), "the module has content warnings but its first session announces none",
                         "add 'content_warning:' with a sentence for participants", "warning")
            for ai, a in enumerate(s.activities):
                if a.handout is not None:
                    self.ref(m, ("sessions", si, "activities", ai, "handout"), a.handout, handouts, "handout")
                if m.sensitivity != "standard" and a.method in ("role-play", "case-study", "simulation") and not a.safety_notes:
                    self.add(m, ("sessions", si, "activities", ai), f"a {a.method} in a {m.sensitivity} module needs safety_notes",
                             "say what to watch for and what to do if someone is distressed")
        for hi, h in enumerate(m.handouts):
            for ci, c in enumerate(h.sources):
                self.ref(m, ("handouts", hi, "sources", ci, "ref"), c.ref, source_ids, "source")
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
                    self.add(m, loc + ("answer",), f"answer '{a}' is not one of the options ({', '.join(keys)})",
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
        p = self.project
        modules = {m.id: m for m in p.modules}
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
                                     "sessions: " + ", ".join(s.id for s in m.sessions))
        for ti, ref in enumerate(w.knowledge_test):
            mid, qid = ref.split("/", 1)
            if self.ref(w, ("knowledge_test", ti), mid, modules, "module"):
                items = [q.id for q in modules[mid].assessment]
                if qid not in items:
                    self.add(w, ("knowledge_test", ti), f"module '{mid}' has no assessment item '{qid}'",
                             _suggest(qid, items) or "items: " + ", ".join(items))
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
                     f"({', '.join(m.id for m in warned)}) need support contacts for participants",
                     "add 'support_contacts:' with at least one service")

    def sources(self) -> None:
        seen: dict[str, BaseModel] = {}
        for src in self.project.all_sources:
            if src.id in seen:
                path, line, col = self.project.where(src, ())
                other = self.project.file_of(seen[src.id])
                self.diags.append(Diagnostic(path, line, col, "id", f"duplicate source id '{src.id}' (also in {other})",
                                             "give each source its own id"))
            seen[src.id] = src
        g = self.project.glossary
        if g is not None:
            ids = [s.id for s in self.project.all_sources]
            for i, term in enumerate(g.terms):
                if term.source is not None:
                    self.ref(g, ("terms", i, "source", "ref"), term.source.ref, ids, "source")

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
                         _suggest(m.track, track_ids) or f"tracks in curriculum/curriculum.yml: {', '.join(track_ids)}",
                         "warning")
            elif m.id not in listed:
                self.add(m, ("id",), f"module '{m.id}' is not listed in curriculum/curriculum.yml; it is shown after the listed modules",
                         f"add it under track '{m.track}'", "warning")

    def texts(self) -> None:
        render = _renderer(self.project.root, self.diags)
        for t in self.project.texts:
            check_text(t, self.project, self.diags)
            if render is not None:
                check_rendered(t, render, self.diags)

    def run(self) -> None:
        for m in self.project.modules:
            self.module(m)
        self.prerequisite_cycles()
        for w in self.project.workshops:
            self.workshop(w)
        self.sources()
        self.tracks()
        self.texts()


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


# --------------------------------------------------------------------------------------------
# Markdown text rules: links, images and raw HTML


_LINK = re.compile(r"(!?)\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_RAW_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][\w-]*)([^>]*)>")
_EVENT_ATTR = re.compile(r"\bon[a-z]+\s*=", re.I)
_DANGEROUS_URL = re.compile(r"^\s*(javascript|vbscript|data|file):", re.I)
_HTML_URL_ATTR = re.compile(r"\b(?:href|src)\s*=\s*[\"']?\s*([^\"'\s>]+)", re.I)
_ALLOWED_TAGS = {"br", "sup", "sub", "abbr", "kbd", "mark", "small", "span", "div", "p", "strong", "em", "b", "i",
                 "u", "s", "del", "ins", "dl", "dt", "dd", "details", "summary", "table", "thead", "tbody", "tr",
                 "th", "td", "caption", "figure", "figcaption", "hr", "a", "img", "ol", "ul", "li", "q", "cite"}
_FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "style", "form", "input", "button", "link", "meta",
                   "base", "frame", "frameset", "svg", "math", "textarea", "select", "applet", "template"}


_FENCE_LINE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"`[^`]*`")
_QUOTE_MARKERS = re.compile(r"^[ \t]*((?:>[ \t]*)*)")


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

# Only a text with one of these can render to anything but plain paragraphs, lists and links
# to ordinary addresses; the others need not be rendered to be judged.
_MAY_RENDER_UNSAFE = re.compile(r"[<&{]|\]\s*:|\]\(\s*<?\s*[A-Za-z][A-Za-z0-9+.\-\s]*:")


def _renderer(root: Path, diags: list[Diagnostic]) -> Any:
    """Markdown to HTML as the sites render it, or None (with a diagnostic) if that cannot be set up."""
    from .errors import BuildError
    from .markdown import load_site_config, markdown_problem, to_html

    try:
        config = load_site_config(root)
    except BuildError as exc:
        diags.append(Diagnostic("mkdocs.yml", 1, 1, "", str(exc), "fix the site configuration"))
        return None
    problem = markdown_problem(config)
    if problem:
        diags.append(Diagnostic("mkdocs.yml", problem[0], 1, "markdown_extensions", problem[1],
                                "check the extension's name; see the list in the MkDocs and Material documentation"))
        return None
    return lambda text: to_html(text, config)


def check_rendered(t: TextRef, render: Any, diags: list[Diagnostic]) -> None:
    """Judge what the text renders to, however the source spelt it (entities, attribute lists, …)."""
    from .htmlsafety import lines_with, scan_fragment

    if not _MAY_RENDER_UNSAFE.search(t.text):
        return
    try:
        html = render(t.text)
    except RecursionError:
        return  # nested too deeply to render: the nesting rule reports it
    seen = {(d.path, d.line, d.message) for d in diags if d.path == t.file}
    used: dict[str, int] = {}
    for problem in scan_fragment(html):
        # The n-th finding of a needle goes on the n-th line that shows it (in document order).
        lines = lines_with(t.text, problem.needle) or [1]
        n = used.get(problem.needle, 0)
        used[problem.needle] = n + 1
        no = lines[min(n, len(lines) - 1)]
        if (t.file, t.line + no - 1, problem.message) in seen:
            continue  # the source-level rules already said so, with the column
        diags.append(Diagnostic(t.file, t.line + no - 1, 1, t.key, problem.message,
                                "write plain Markdown; links may go to http(s), mailto: and tel: addresses "
                                "or to files in the module"))


def check_text(t: TextRef, project: Project, diags: list[Diagnostic]) -> None:
    def add(no: int, col: int, message: str, hint: str = "", severity: str = "error") -> None:
        diags.append(Diagnostic(t.file, t.line + no - 1, col, t.key, message, hint, severity))

    root = project.root
    for no, line in _strip_code(t.text):
        if line[:1] in (" ", "\t", ">") and (
                _QUOTE_MARKERS.match(line).group(1).count(">") > MAX_NESTING
                or len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" ")) > 4 * MAX_NESTING):
            add(no, 1, f"quotes or lists nested more than {MAX_NESTING} deep",
                "flatten the structure; print and screen readers cannot follow it either")
        for m in _RAW_TAG.finditer(line):
            tag = m.group(2).lower()
            attrs = m.group(3)
            col = m.start() + 1
            if tag in _FORBIDDEN_TAGS and not m.group(1):  # one report per element, not for its closing tag too
                add(no, col, f"raw HTML <{tag}> is not allowed", "use Markdown instead")
            elif tag not in _ALLOWED_TAGS and not m.group(1):
                add(no, col, f"raw HTML <{tag}> is not allowed", "use Markdown, or one of the simple tags (br, sup, abbr, details …)")
            if _EVENT_ATTR.search(attrs):
                add(no, col, "event-handler attributes (on…=) are not allowed in raw HTML", "remove the attribute")
            if re.search(r"\bstyle\s*=", attrs, re.I):
                add(no, col, "inline style attributes are not allowed", "remove the style; the theme styles the page")
            for u in _HTML_URL_ATTR.finditer(attrs):
                if _DANGEROUS_URL.match(u.group(1)):
                    add(no, col, f"the URL '{u.group(1)[:30]}' uses a scheme that is not allowed", "link to http(s) addresses or files in the module")
            if tag == "img":
                add(no, col, "images are written in Markdown, not as raw <img>",
                    "write ![what the image shows](images/name.png) with the image in the module folder")
        for m in _LINK.finditer(line):
            image, label, target = m.group(1) == "!", m.group(2), m.group(3)
            col = m.start() + 1
            if not target:
                add(no, col, "a link without a target", "write [text](target)")
                continue
            scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", target)
            if scheme and image:
                add(no, col, "images must be files in the module folder, not web addresses",
                    "download the image (if its licence allows) and write ![what it shows](images/name.png)")
                continue
            if scheme:
                if scheme.group(1).lower() not in ("http", "https", "mailto", "tel"):
                    add(no, col, f"links with the scheme '{scheme.group(1)}:' are not allowed",
                        "use an http(s) address, or a file in the module folder")
                elif scheme.group(1).lower() in ("http", "https") and not re.match(r"^https?://[^\s/$.?#][^\s]*$", target):
                    add(no, col, f"'{target}' is not a valid web address")
                continue
            if target.startswith("#"):
                continue
            path_part = target.split("#", 1)[0]
            if path_part.startswith("/"):
                add(no, col, "absolute paths are not allowed", "link relative to this file")
                continue
            try:
                dest = (t.base / path_part).resolve()
                exists = dest.exists()
            except (OSError, ValueError, RuntimeError):  # too long, a NUL byte, a symlink loop
                add(no, col, f"link target '{path_part[:40]}' is not a usable file name", "check the file name")
                continue
            try:
                dest.relative_to(root / "modules")
            except ValueError:
                add(no, col, f"'{target}' points outside the modules folder", "link to files in the modules folder")
                continue
            if not exists:
                add(no, col, f"link target '{path_part}' not found", "check the file name")
                continue
            if image:
                if dest.suffix.lower() not in IMAGE_EXT:
                    add(no, col, f"'{path_part}' is not an image", "use PNG, JPEG, GIF, SVG or WebP")
                if not label.strip():
                    add(no, col, "an image needs alt text", "write ![what the image shows](file.png)")
            elif dest.suffix.lower() == ".md":
                if not project.handout_for_file(dest):
                    add(no, col, f"'{path_part}' is not the file of a handout", "link to a handout's file, or to a web address")
            elif dest.suffix.lower() not in IMAGE_EXT | {".pdf"}:
                add(no, col, f"'{path_part}' is not a file that is published", "link to a handout, an image or a PDF")


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
