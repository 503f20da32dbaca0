"""``workshopkit stats``: how big each module is and whether each workshop fits its days.

Per module: core and full minutes, sessions, activities, assessment items, handouts, words
(what the participant edition shows, and the words only facilitators see, both counted through
the audience gate), and the date it last changed. Per workshop: teaching minutes against the
minutes available on each day.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import subprocess
import typing
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .agenda import _to_minutes, compute, session_minutes
from .audience import gate
from .load import Project
from .model import Module
from .visibility import Audience
from .walk import fields

#: Text-typed fields that hold names, not prose.
NOT_PROSE = {"file", "url", "version", "language", "track", "seed_file", "pinpoint"}
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_URL = re.compile(r"\(?https?://\S+|\]\([^)]*\)")


def _is_text_type(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        if any(getattr(m, "pattern", None) for m in args[1:]):
            return False  # an id, a clock time, a module/session reference
        return _is_text_type(args[0])
    if origin is typing.Literal:
        return False
    if origin in (list, dict) or origin is typing.Union or type(annotation).__name__ == "UnionType":
        return any(_is_text_type(a) for a in args if a is not type(None))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return False
    return annotation is str


def is_prose(name: str, info: FieldInfo) -> bool:
    if name in NOT_PROSE or any(getattr(m, "pattern", None) for m in info.metadata):
        return False
    return _is_text_type(info.annotation)


def count_words(text: str) -> int:
    text = _URL.sub(" ", text).replace("///", " ")
    return len(_WORD.findall(text))


def words(obj: BaseModel | None) -> int:
    """Words of prose in a (gated) model: Markdown texts, titles, prompts, lists of messages."""
    if obj is None:
        return 0
    total = 0
    for visit in fields(obj):
        if not is_prose(visit.name, visit.info):
            continue
        value = visit.value
        if isinstance(value, str):
            total += count_words(value)
        elif isinstance(value, list):
            total += sum(count_words(v) for v in value if isinstance(v, str))
        elif isinstance(value, dict):
            total += sum(count_words(v) for v in value.values() if isinstance(v, str))
    return total


# --------------------------------------------------------------------------------------------
# Last change


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def in_git_repo(root: Path) -> bool:
    return _git(root, "rev-parse", "--is-inside-work-tree") == "true"


def last_changed(root: Path, folder: Path, use_git: bool) -> tuple[str, str]:
    """(YYYY-MM-DD, 'git' or 'mtime') of the last change to anything in ``folder``."""
    if use_git:
        date = _git(root, "log", "-1", "--format=%cs", "--", folder.relative_to(root).as_posix())
        if date:
            return date, "git"
    stamps = [p.stat().st_mtime for p in folder.rglob("*") if p.is_file()] or [folder.stat().st_mtime]
    return dt.date.fromtimestamp(max(stamps)).isoformat(), "mtime"


# --------------------------------------------------------------------------------------------
# Collecting


def module_stats(project: Project, m: Module, use_git: bool) -> dict[str, Any]:
    # Closed-door text is counted too: it reaches participants, in the restricted pack only.
    participant = words(gate(m, Audience("participant", include_restricted=True)))
    facilitator = words(gate(m, Audience("facilitator", include_restricted=True)))
    folder = project.root / "modules" / m.id
    date, origin = last_changed(project.root, folder, use_git) if folder.is_dir() else ("", "")
    return {
        "id": m.id,
        "title": m.title,
        "status": m.status,
        "minutes_core": sum(session_minutes(s, "core") for s in m.sessions),
        "minutes_full": sum(session_minutes(s, "full") for s in m.sessions),
        "sessions": len(m.sessions),
        "activities": sum(len(s.activities) for s in m.sessions),
        "items": len(m.assessment),
        "handouts": len(m.handouts),
        "words_participant": participant,
        "words_facilitator": max(facilitator - participant, 0),
        "last_changed": date,
        "last_changed_from": origin,
    }


def workshop_stats(project: Project, w: Any) -> dict[str, Any]:
    modules = {m.id: m for m in project.modules}
    days = []
    for day in compute(w, modules):
        available = _to_minutes(day.end_by) - _to_minutes(day.start)
        used = _to_minutes(day.end) - _to_minutes(day.start)
        breaks = sum(r.minutes for r in day.rows if r.kind == "break")
        days.append({
            "day": day.index + 1,
            "title": day.title,
            "date": day.date.isoformat(),
            "start": day.start,
            "end": day.end,
            "end_by": day.end_by,
            "available": available,
            "teaching": day.teaching_minutes,
            "programme": used - breaks - day.teaching_minutes,
            "breaks": breaks,
            "spare": available - used,
        })
    return {
        "id": w.id,
        "title": w.title,
        "days": days,
        "teaching": sum(d["teaching"] for d in days),
        "available": sum(d["available"] for d in days),
        "spare": sum(d["spare"] for d in days),
    }


def collect(project: Project) -> dict[str, Any]:
    use_git = in_git_repo(project.root)
    modules = [module_stats(project, m, use_git) for m in project.modules]
    keys = ("minutes_core", "minutes_full", "sessions", "activities", "items", "handouts",
            "words_participant", "words_facilitator")
    totals = {k: sum(m[k] for m in modules) for k in keys}
    totals["modules"] = len(modules)
    return {
        "modules": modules,
        "totals": totals,
        "workshops": [workshop_stats(project, w) for w in project.workshops],
    }


# --------------------------------------------------------------------------------------------
# Printing


def _hm(minutes: int) -> str:
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    return f"{sign}{minutes // 60}:{minutes % 60:02d}"


def print_stats(data: dict[str, Any], console: Any) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="Modules", title_justify="left", show_footer=bool(data["modules"]))
    t = data["totals"]
    columns = [
        ("module", "left", "id", f"{t['modules']} modules"),
        ("core min", "right", "minutes_core", t["minutes_core"]),
        ("full min", "right", "minutes_full", t["minutes_full"]),
        ("sessions", "right", "sessions", t["sessions"]),
        ("activities", "right", "activities", t["activities"]),
        ("items", "right", "items", t["items"]),
        ("handouts", "right", "handouts", t["handouts"]),
        ("words (participant)", "right", "words_participant", t["words_participant"]),
        ("words (facilitator only)", "right", "words_facilitator", t["words_facilitator"]),
        ("status", "left", "status", ""),
        ("last changed", "left", "last_changed", ""),
    ]
    for header, justify, _, footer in columns:
        table.add_column(header, justify=justify, footer=str(footer))  # type: ignore[arg-type]
    for m in data["modules"]:
        table.add_row(*[escape(str(m[key])) for _, _, key, _ in columns])
    console.print(table)
    for w in data["workshops"]:
        wt = Table(title=escape(f"Workshop {w['id']}: {w['title']}"), title_justify="left", show_footer=True)
        wt.add_column("day", footer="total")
        wt.add_column("date")
        wt.add_column("time")
        wt.add_column("available", justify="right", footer=_hm(w["available"]))
        wt.add_column("teaching", justify="right", footer=_hm(w["teaching"]))
        wt.add_column("programme", justify="right")
        wt.add_column("breaks", justify="right")
        wt.add_column("spare", justify="right", footer=_hm(w["spare"]))
        for d in w["days"]:
            spare = _hm(d["spare"]) if d["spare"] >= 0 else f"[red]{_hm(d['spare'])}[/red]"
            wt.add_row(escape(f"{d['day']} {d['title']}".strip()), d["date"], f"{d['start']}-{d['end']} (by {d['end_by']})",
                       _hm(d["available"]), _hm(d["teaching"]), _hm(d["programme"]), _hm(d["breaks"]), spare)
        console.print(wt)
    if not data["workshops"]:
        console.print("No workshops in curriculum/.")


# --------------------------------------------------------------------------------------------
# `stats --items`: the assessment items across the results of every event
#
# Every knowledge-test answer of every event in events/ (read by the kit's reader, with its
# checks) counts, matched before/after or not: an item's difficulty in a phase is the share of
# the attempts of that phase that answered it correctly (exactly the right options; unanswered
# is wrong). Its discrimination in a phase is the item-rest correlation (a corrected
# point-biserial): the Pearson correlation, over the attempts of that phase, between the item
# (1 right, 0 wrong) and the share of the attempt's other scored items answered correctly. The
# options of a choice item are counted as they were ticked, per phase.

#: An item is too easy before the workshop when at least this share knew it already.
TOO_EASY_BEFORE = 0.9
#: An item is not learned when fewer than this share answer it correctly after ...
NOT_LEARNED_AFTER = 0.5
#: ... and the share correct rose by less than this.
NOT_LEARNED_GAIN = 0.1
#: The fewest attempts in a phase (or in both, for the options) before an item is judged.
MIN_ANSWERS = 10
PHASES = ("pre", "post")


@dataclass
class _Phase:
    right: list[int] = field(default_factory=list)  # 1 or 0 per attempt
    rest: list[float | None] = field(default_factory=list)  # the attempt's other items, share correct
    chosen: dict[str, int] = field(default_factory=dict)  # option -> attempts that ticked it

    @property
    def n(self) -> int:
        return len(self.right)

    @property
    def difficulty(self) -> float | None:
        return sum(self.right) / self.n if self.n else None

    @property
    def discrimination(self) -> float | None:
        pairs = [(x, y) for x, y in zip(self.right, self.rest, strict=True) if y is not None]
        return _pearson([float(x) for x, _ in pairs], [y for _, y in pairs if y is not None])


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    """The correlation of two series; None when there are fewer than two values or one of them
    does not vary (everyone right, or the same rest score for all)."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / n
    vx = sum((x - mx) ** 2 for x in xs) / n
    vy = sum((y - my) ** 2 for y in ys) / n
    if vx <= 1e-12 or vy <= 1e-12:
        return None
    return cov / math.sqrt(vx * vy)


@dataclass
class ItemAnalysis:
    """One assessment item across events."""

    ref: str  # 'module/item'
    name: str  # its field in the forms and answer files
    module_id: str
    objective: str
    prompt: str
    type: str
    key: frozenset[str]
    options: tuple[str, ...]  # the option keys of a choice item, in order
    phases: dict[str, _Phase] = field(default_factory=lambda: {p: _Phase() for p in PHASES})
    events: set[str] = field(default_factory=set)

    @property
    def gain(self) -> float | None:
        before, after = self.phases["pre"].difficulty, self.phases["post"].difficulty
        return None if before is None or after is None else after - before

    @property
    def wrong_options(self) -> list[str]:
        return [o for o in self.options if o not in self.key]

    def flags(self, min_answers: int = MIN_ANSWERS) -> list[tuple[str, str]]:
        """(flag, option) for each problem the answers show: 'too-easy-before', 'not-learned',
        'distractor-never-chosen' (with its option); none while there are too few answers."""
        pre, post = self.phases["pre"], self.phases["post"]
        out: list[tuple[str, str]] = []
        if pre.n >= min_answers and (pre.difficulty or 0) >= TOO_EASY_BEFORE:
            out.append(("too-easy-before", ""))
        if post.n >= min_answers and (post.difficulty or 0) < NOT_LEARNED_AFTER and \
                (pre.n < min_answers or (post.difficulty or 0) - (pre.difficulty or 0) < NOT_LEARNED_GAIN):
            out.append(("not-learned", ""))
        if pre.n + post.n >= min_answers:
            out += [("distractor-never-chosen", o) for o in self.wrong_options
                    if not pre.chosen.get(o) and not post.chosen.get(o)]
        return out


@dataclass
class ItemReport:
    """What ``stats --items`` found: per event how many attempts were read, and the items."""

    events: list[dict[str, Any]]
    items: list[ItemAnalysis]
    skipped_rows: int = 0


def _add_event(kit: Any, answers: Any, project: Project, found: dict[str, ItemAnalysis]) -> dict[str, Any]:
    from .kit.results import knowledge_items

    items = knowledge_items(project, kit.view, kit.workshop)
    full = {m.id: m for m in project.modules}
    for attempt in answers.tests:
        scored = [i for i in items if i.scored and i.asked(attempt.phase)]
        right = {i.field: int(i.correct(attempt)) for i in scored}
        total = sum(right.values())
        for i in scored:
            if i.field not in found:
                source = next((q for q in full[i.module_id].assessment if q.id == i.item_id), None)
                options = tuple(source.options) if source is not None and i.type in ("single", "multiple") else ()
                found[i.field] = ItemAnalysis(f"{i.module_id}/{i.item_id}", i.field, i.module_id,
                                              f"{i.objective_id}: {i.objective}", i.prompt, i.type,
                                              i.key or frozenset(), options)
            analysis = found[i.field]
            analysis.events.add(kit.folder.id)
            phase = analysis.phases[attempt.phase]
            phase.right.append(right[i.field])
            phase.rest.append((total - right[i.field]) / (len(scored) - 1) if len(scored) > 1 else None)
            for option in attempt.picked.get(i.field, frozenset()):
                phase.chosen[option] = phase.chosen.get(option, 0) + 1
    return {"id": kit.folder.id, "workshop": kit.workshop.workshop.id,
            "pre": sum(a.phase == "pre" for a in answers.tests), "post": sum(a.phase == "post" for a in answers.tests)}


def item_analysis(root: Path, project: Project, skip_bad: bool = False) -> tuple[ItemReport | None, list[Any]]:
    """Read the answers of every event in ``events/`` and analyse each assessment item; the
    report, or None with the problems when an event or an answer file has an error (a bad row
    is left out with ``skip_bad``, and counted)."""
    from .kit.answers import read_answers
    from .kit.build import prepare
    from .kit.event import EVENTS

    folder = root / EVENTS
    problems: list[Any] = []
    skipped: list[Any] = []
    found: dict[str, ItemAnalysis] = {}
    events: list[dict[str, Any]] = []
    bad_rows = 0
    translated: dict[str, Project] = {}
    names = sorted(e.name for e in folder.iterdir() if e.is_dir() and not e.is_symlink() and not e.name.startswith(".")) \
        if folder.is_dir() and not folder.is_symlink() else []
    for name in names:
        diags: list[Any] = []
        kit, diags = prepare(root, name, project, translated)
        if kit is None:
            problems += [d for d in diags if d.severity == "error"]
            continue
        before = len(diags)
        answers = read_answers(root, kit, diags)
        errors = [d for d in diags[before:] if d.severity == "error"]
        if errors and (answers.file_problems or not skip_bad):
            problems += errors
            continue
        skipped += errors
        bad_rows += answers.bad_rows
        if answers.tests:
            events.append(_add_event(kit, answers, project, found))
    if problems:
        return None, problems
    order = {(m.id, q.id): n for n, (m, q) in enumerate((m, q) for m in project.modules for q in m.assessment)}
    items = sorted(found.values(), key=lambda a: order.get(tuple(a.ref.split("/", 1)), len(order)))  # type: ignore[arg-type]
    return ItemReport(events, items, bad_rows), skipped


def items_json(report: ItemReport, min_answers: int = MIN_ANSWERS) -> dict[str, Any]:
    def phase(p: _Phase) -> dict[str, Any]:
        return {"answers": p.n, "correct": sum(p.right), "difficulty": p.difficulty, "discrimination": p.discrimination}

    return {
        "events": report.events,
        "skipped_rows": report.skipped_rows,
        "method": {
            "difficulty": "share of the attempts of a phase that answered the item correctly",
            "discrimination": "item-rest correlation (corrected point-biserial) over the attempts of a phase",
            "too_easy_before": TOO_EASY_BEFORE, "not_learned_after": NOT_LEARNED_AFTER,
            "not_learned_gain": NOT_LEARNED_GAIN, "min_answers": min_answers,
        },
        "items": [{
            "item": a.ref, "field": a.name, "objective": a.objective, "prompt": a.prompt, "type": a.type,
            "events": sorted(a.events), "before": phase(a.phases["pre"]), "after": phase(a.phases["post"]),
            "gain": a.gain,
            "options": [{"option": o, "right": o in a.key, "chosen_before": a.phases["pre"].chosen.get(o, 0),
                         "chosen_after": a.phases["post"].chosen.get(o, 0)} for o in a.options],
            "flags": [{"flag": flag, "option": option} if option else {"flag": flag} for flag, option in a.flags(min_answers)],
        } for a in report.items],
    }


def _share(x: float | None) -> str:
    return "–" if x is None else f"{round(100 * x)} %"


def _r(x: float | None) -> str:
    return "–" if x is None else f"{x:+.2f}"


def print_items(report: ItemReport, console: Any, min_answers: int = MIN_ANSWERS) -> None:
    from rich.markup import escape
    from rich.table import Table

    from .strings import load_strings

    s = load_strings("en")
    if not report.items:
        console.print(s["stats_items_none"])
        return
    attempts = sum(e["pre"] + e["post"] for e in report.events)
    table = Table(title=s["stats_items_title"].format(events=len(report.events), attempts=attempts),
                  title_justify="left")
    for key, justify in (("item", "left"), ("answers", "right"), ("before", "right"), ("after", "right"),
                         ("gain", "right"), ("r_before", "right"), ("r_after", "right"), ("wrong", "left"),
                         ("flags", "left")):
        table.add_column(s[f"stats_items_col_{key}"], justify=justify)  # type: ignore[arg-type]
    for a in report.items:
        pre, post = a.phases["pre"], a.phases["post"]
        wrong = ", ".join(f"{o} {pre.chosen.get(o, 0)}/{post.chosen.get(o, 0)}" for o in a.wrong_options)
        flags = [s[f"stats_items_flag_{flag}"].format(option=option) for flag, option in a.flags(min_answers)]
        if pre.n < min_answers or post.n < min_answers:
            flags.append(s["stats_items_few"].format(n=min_answers))
        gain = "–" if a.gain is None else f"{round(100 * a.gain):+d}"
        table.add_row(escape(a.ref), f"{pre.n}/{post.n}", _share(pre.difficulty), _share(post.difficulty), gain,
                      _r(pre.discrimination), _r(post.discrimination), escape(wrong or "–"), escape("; ".join(flags)))
    console.print(table)
    console.print(s["stats_items_method"].format(easy=round(100 * TOO_EASY_BEFORE), after=round(100 * NOT_LEARNED_AFTER),
                                                 gain=round(100 * NOT_LEARNED_GAIN), n=min_answers))


def cmd_stats(args: Any) -> int:
    """``workshopkit stats``: the content's figures, or with ``--items`` the assessment items
    across the results of every event."""
    if not getattr(args, "items", False):
        from .editor_commands import cmd_stats as content_stats

        return content_stats(args)
    import json

    from rich.console import Console

    from .build import load_checked
    from .commands import project_root
    from .errors import ContentError
    from .report import print_diagnostics

    root = project_root(args)
    console = Console(emoji=False, highlight=False, soft_wrap=True)
    try:
        project, _ = load_checked(root)
    except ContentError as exc:
        print_diagnostics(sorted(exc.diagnostics), root, "text", console)
        return 1
    report, diags = item_analysis(root, project, args.skip_bad)
    if report is None:
        print_diagnostics(sorted(diags), root, "text", console)
        console.print(f"[red]{len(diags)} error(s) in the events' answers; nothing was counted "
                      "(run workshopkit event check EVENT; --skip-bad leaves bad rows out)[/red]")
        return 1
    if args.format == "json":
        print(json.dumps(items_json(report, args.min_answers), indent=2, ensure_ascii=False))
        return 0
    wide = console if console.is_terminal else Console(emoji=False, highlight=False, width=200)
    print_diagnostics(sorted(diags), root, "text", wide)
    print_items(report, wide, args.min_answers)
    if report.skipped_rows:
        wide.print(f"[yellow]skipped {report.skipped_rows} bad row(s) (--skip-bad)[/yellow]")
    return 0
