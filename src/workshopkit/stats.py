"""``workshopkit stats``: how big each module is and whether each workshop fits its days.

Per module: core and full minutes, sessions, activities, assessment items, handouts, words
(what the participant edition shows, and the words only facilitators see, both counted through
the audience gate), and the date it last changed. Per workshop: teaching minutes against the
minutes available on each day.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import typing
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
