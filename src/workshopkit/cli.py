"""The ``workshopkit`` command: one table of sub-commands, each declared once.

A row of ``COMMANDS`` names a command, its help line, the function that runs it and its
arguments in the order ``--help`` lists them. The options several commands share (the project
folder, ``--out``, ``--format``) are declared once below and put into the rows that take them.
The handlers live in ``commands.py`` (check, schema, build, clean) and ``editor_commands.py``
(new, serve, stats); they hold no parser code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.markup import escape

from . import __version__
from .commands import cmd_build, cmd_check, cmd_clean, cmd_schema
from .editor_commands import cmd_new, cmd_serve
from .errors import WorkshopkitError, shown
from .i18n.commands import cmd_i18n
from .kit.commands import cmd_event
from .stats import cmd_stats

Handler = Callable[[argparse.Namespace], int]


@dataclass(frozen=True)
class Arg:
    """One argument of a command, as given to ``ArgumentParser.add_argument``."""

    flags: tuple[str, ...]
    options: Mapping[str, Any] = field(default_factory=dict)


def arg(*flags: str, **options: Any) -> Arg:
    return Arg(flags, options)


@dataclass(frozen=True)
class Command:
    """A sub-command: either a handler with its arguments, or a group of sub-commands (``new``)."""

    name: str
    help: str
    handler: Handler | None = None
    args: tuple[Arg, ...] = ()
    subcommands: tuple[Command, ...] = ()
    dest: str = ""  # of a group: the attribute that holds the chosen sub-command


# The shared options.
_PATH_HELP = "repository folder (default: the current folder)"
PATH = arg("path", nargs="?", help=_PATH_HELP)
PATH_OPTION = arg("--path", help=_PATH_HELP)  # where the command's positional is something else
OUT_HELP = "output folder (default: <path>/build)"


def out(help_text: str = OUT_HELP) -> Arg:
    return arg("--out", help=help_text)


def output_format(*choices: str) -> Arg:
    """``--format``, with the first choice as the default."""
    return arg("--format", choices=list(choices), default=choices[0])


COMMANDS: tuple[Command, ...] = (
    Command("check", "validate modules, workshops and sources; print every problem", cmd_check, (
        PATH,
        output_format("text", "json", "github"),
        arg("--strict", action="store_true", help="fail on warnings too"),
        arg("--errors-only", action="store_true", help="do not show warnings"),
        arg("--explain", metavar="CODE", help="say what a code (e.g. WK101) means, how to fix it, with an example"),
    )),
    Command("schema", "write the JSON Schemas of the content files", cmd_schema, (
        out("folder to write into (default: the package's schema folder)"),
    )),
    Command("build", "build the sites and PDFs into build/", cmd_build, (
        PATH,
        out(),
        arg("--site", action="store_true", help="build the websites (alone, unless --pdf is given too)"),
        arg("--pdf", action="store_true", help="build the PDFs (alone, unless --site is given too)"),
        arg("--audience", choices=["participant", "facilitator", "all"], default="all"),
        arg("--include-restricted", action="store_true",
            help="put closed-door material into the facilitator outputs and the restricted pack "
                 "(written to build/restricted/ unless --out is given)"),
        arg("--zip", action="store_true", help="also pack the participant site into build/offline/ for use without a network"),
        arg("--only", metavar="ID", help="build one module, or one workshop and its modules"),
        arg("--paper", choices=["A4", "Letter"], default="A4", help="paper size of the PDFs"),
        arg("--language", default="all", metavar="LANG",
            help="'en', a language of curriculum.yml (e.g. 'ko') or 'all' (default): the editions to build"),
        arg("--workers", type=int, help="PDF worker processes (default: one per core)"),
    )),
    Command("clean", "delete the output folder (only if workshopkit made everything in it; links are never followed)",
            cmd_clean, (
        PATH,
        out(),
    )),
    Command("new", "create a valid skeleton of a module or a workshop", dest="kind", subcommands=(
        Command("module", "create modules/ID/ with module.yml, a session text and a handout", cmd_new, (
            arg("id", help="module id: lower-case letters, digits and '-'"),
            arg("--title", help="module title (default: from the id)"),
            PATH_OPTION,
        )),
        Command("workshop", "create curriculum/ID.yml with an agenda of existing modules", cmd_new, (
            arg("id", help="workshop id: lower-case letters, digits and '-'"),
            arg("--title", help="workshop title (default: from the id)"),
            arg("--module", action="append", metavar="MODULE",
                help="a module to put on the agenda (repeatable; default: the first module)"),
            PATH_OPTION,
        )),
    )),
    Command("serve", "live preview: regenerate pages on every save and reload the browser", cmd_serve, (
        PATH,
        arg("--audience", choices=["participant", "facilitator"], default="participant"),
        arg("--port", type=int, default=8000, help="port of the preview server (default: 8000)"),
        arg("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"),
        out("output folder (default: <path>/build); the preview works in "
            "<out>/.serve-<pid>-<audience>/, removed when it stops"),
        arg("--include-restricted", action="store_true", help="show closed-door material in the facilitator preview"),
    )),
    Command("stats", "minutes, sessions, items, words and last change per module; time per workshop day; with "
                     "--items, each assessment item across the results of every event", cmd_stats, (
        PATH,
        output_format("text", "json"),
        arg("--items", action="store_true",
            help="per assessment item, from the answers of every event in events/: difficulty before and after, "
                 "discrimination (item-rest correlation), how often each wrong option was chosen, and flags"),
        arg("--skip-bad", action="store_true", help="with --items: leave out answer rows that have a problem"),
        arg("--min-answers", type=int, default=10, metavar="N",
            help="with --items: the fewest answers in a phase before an item is flagged (default: 10)"),
    )),
    Command("i18n", "translations: gettext catalogues (locales/LANG.po) of every module and of the curriculum",
            dest="action", subcommands=(
        Command("update", "extract the English texts and merge them into each catalogue (new: untranslated, "
                          "changed: fuzzy, removed: obsolete)", cmd_i18n, (
            arg("language", nargs="?", help="one declared language (default: every language in curriculum.yml)"),
            PATH_OPTION,
        )),
        Command("status", "translated, fuzzy and untranslated messages and words per catalogue", cmd_i18n, (
            arg("language", nargs="?", help="one declared language (default: every language in curriculum.yml)"),
            output_format("text", "json"),
            PATH_OPTION,
        )),
    )),
    Command("event", "run an event: its roster, sign-in sheets, name tents, certificates and results (events/ID/)",
            dest="action", subcommands=(
        Command("new", "create events/ID/ with event.yml and an empty roster.csv", cmd_event, (
            arg("event", help="event id: lower-case letters, digits and '-' (e.g. seoul-2027-03)"),
            arg("--workshop", required=True, metavar="ID", help="the workshop the event runs"),
            PATH_OPTION,
        )),
        Command("check", "check events/ID/ (event.yml, roster.csv, attendance.csv, answer files) and the curriculum",
                cmd_event, (
            arg("event", help="event id"),
            PATH_OPTION,
        )),
        Command("build", "make the event's kit in build/events/ID/ (private: never on a site)", cmd_event, (
            arg("event", help="event id"),
            arg("--paper", choices=["A4", "Letter"], default="A4", help="paper size"),
            PATH_OPTION,
        )),
        Command("results", "read the test and evaluation answers in events/ID/ and write the results report and the "
                           "evaluation summary into build/events/ID/results/", cmd_event, (
            arg("event", help="event id"),
            arg("--skip-bad", action="store_true",
                help="leave out the rows that have a problem (each is listed, and how many) instead of stopping"),
            arg("--paper", choices=["A4", "Letter"], default="A4", help="paper size"),
            PATH_OPTION,
        )),
    )),
)


def _add(sub: argparse._SubParsersAction, command: Command) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(command.name, help=command.help)
    for a in command.args:
        parser.add_argument(*a.flags, **a.options)
    if command.subcommands:
        inner = parser.add_subparsers(dest=command.dest, required=True)
        for subcommand in command.subcommands:
            _add(inner, subcommand)
    else:
        parser.set_defaults(func=command.handler)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workshopkit", description="Training modules in YAML + Markdown → sites and PDFs.")
    parser.add_argument("--version", action="version", version=f"workshopkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        _add(sub, command)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except WorkshopkitError as exc:
        # The message may quote content, a file name or an argument: shown as text, never as
        # terminal escapes or console markup.
        Console(emoji=False, stderr=True, highlight=False, soft_wrap=True).print("[red]error:[/red] "
                                                                                 f"{escape(shown(str(exc), keep_lines=True))}")
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
