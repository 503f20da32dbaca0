"""The handlers of ``workshopkit i18n update | status``."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..commands import project_root
from ..errors import Diagnostic
from ..load import Project, load_project
from ..report import print_diagnostics
from .catalogue import (
    Collector,
    Message,
    catalogue_path,
    msgmerge_available,
    read_catalogue,
    words,
    write_catalogue,
)


def declared_languages(project: Project) -> list[str]:
    return list(project.curriculum.languages) if project.curriculum else []


def _extract(root: Path, out: Console) -> tuple[Project, dict[str, dict[tuple[str, str], Message]]] | None:
    project, diags = load_project(root, collect=True)
    errors = [d for d in diags if d.severity == "error"]
    if errors:
        print_diagnostics(sorted(errors), root, "text", out)
        out.print(f"[red]{len(errors)} error(s): fix them first, so that the catalogues hold every text.[/red]")
        return None
    assert isinstance(project.translator, Collector)
    return project, project.translator.messages


def _languages(project: Project, wanted: str | None, out: Console) -> list[str] | None:
    declared = declared_languages(project)
    if wanted and wanted not in declared:
        out.print(f"[red]'{escape(wanted)}' is not a language of this curriculum[/red] (declared: "
                  f"{', '.join(declared) or 'none'}); add it to 'languages' in curriculum/curriculum.yml")
        return None
    if not declared:
        out.print("No languages to translate into: add e.g. 'languages: [ko]' to curriculum/curriculum.yml.")
        return []
    return [wanted] if wanted else declared


@dataclass
class Status:
    catalogue: str
    language: str
    messages: int
    translated: int
    fuzzy: int
    untranslated: int
    words: int
    translated_words: int

    @property
    def share(self) -> float:
        return self.translated_words / self.words if self.words else 1.0


def status(root: Path, project: Project, messages: dict[str, dict[tuple[str, str], Message]],
           languages: list[str]) -> tuple[list[Status], list[Diagnostic]]:
    """What each catalogue holds of the messages the content has now."""
    rows: list[Status] = []
    problems: list[Diagnostic] = []
    for lang in languages:
        for owner in sorted(messages):
            path = catalogue_path(root, owner, lang)
            cat = read_catalogue(path, f"{owner}/locales/{lang}.po")
            if cat.problem:
                problems.append(cat.problem)
            row = Status(cat.display, lang, 0, 0, 0, 0, 0, 0)
            for key, msg in messages[owner].items():
                n = words(msg.msgid)
                row.messages += 1
                row.words += n
                entry = cat.entries.get(key)
                if entry is None or not entry.msgstr.strip():
                    row.untranslated += 1
                elif entry.fuzzy:
                    row.fuzzy += 1
                else:
                    row.translated += 1
                    row.translated_words += n
            rows.append(row)
    return rows, problems


def cmd_i18n(args: argparse.Namespace) -> int:
    root = project_root(args)
    out = Console(emoji=False, highlight=False, soft_wrap=True)
    extracted = _extract(root, out)
    if extracted is None:
        return 1
    project, messages = extracted
    languages = _languages(project, args.language, out)
    if languages is None:
        return 1
    if args.action == "update":
        if not msgmerge_available():
            out.print("[red]GNU gettext's msgmerge is not installed[/red]: install the 'gettext' package "
                      "(scripts/setup does it on Debian and Ubuntu)")
            return 1
        for lang in languages:
            for owner in sorted(messages):
                path = write_catalogue(root, owner, lang, messages[owner].values())
                out.print(f"[green]updated[/green] {escape(path.relative_to(root).as_posix())} "
                          f"({len(messages[owner])} messages)")
        return 0
    rows, problems = status(root, project, messages, languages)
    if args.format == "json":
        print(json.dumps([asdict(r) | {"share": round(r.share, 4)} for r in rows], ensure_ascii=False, indent=2))
    else:
        print_diagnostics(sorted(problems), root, "text", out)
        table = Table("catalogue", "translated", "fuzzy", "untranslated", "words translated", box=None)
        for r in rows:
            table.add_row(escape(r.catalogue), f"{r.translated}/{r.messages}", str(r.fuzzy), str(r.untranslated),
                          f"{r.translated_words}/{r.words} ({r.share:.0%})")
        out.print(table)
    return 1 if problems else 0
