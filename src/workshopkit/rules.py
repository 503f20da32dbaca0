"""The codes of ``workshopkit check``: every problem it can report has one, registered here.

A rule is a small function registered with :func:`rule` under a code, a name, a summary of
what the problem means, how to fix it, and an example of input that breaks it (the way ruff,
markdownlint and mkdocs-material register their rules). The loader's problems (files, YAML and
the schema) have no function of their own in ``check``: the loader reports them, and their
codes are declared here with :func:`declare`. The editor's guide lists every code from this
registry, ``workshopkit check --explain CODE`` prints one, and the tests put each example into
a small repository and expect its code.

Codes by family:

======  ============================================================================
WK0xx   files, YAML and the schema: what the loader finds in one file on its own
WK1xx   ids and references between files
WK2xx   time: session lengths and the agenda of a workshop day
WK3xx   Markdown texts: audience blocks, raw HTML, links and images, size and nesting
WK4xx   the site configuration (``mkdocs.yml``)
WK5xx   titles, and the safety of participants
WK6xx   learning objectives and assessment items
WK7xx   events (``events/<id>/``: the event, its roster, attendance and answer files)
======  ============================================================================

A code, once given, never changes and is never given to another rule, not even after its rule
is removed (leave the code out, and do not reuse it).

An example is one or more parts, each a file and its text, written into a small repository
with the modules ``alpha`` and ``beta``, the workshop ``demo`` and the seed ``seed-one``
(the test fixture ``tests/fixtures/mini``). A YAML part that starts with a key takes the place
of the same top-level keys of that file; any other part is the whole file. A rule whose
example cannot stand alone says why in ``exempt``.
"""

from __future__ import annotations

import difflib
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

#: The families, by the first digit of a code.
FAMILIES: dict[str, str] = {
    "0": "Files, YAML and the schema",
    "1": "Ids and references",
    "2": "Time: sessions and the agenda",
    "3": "Markdown texts: blocks, HTML, links and images",
    "4": "The site configuration (mkdocs.yml)",
    "5": "Titles and the safety of participants",
    "6": "Objectives and assessment items",
    "7": "Events: event.yml, the roster, attendance and answers",
    "8": "Translations: the gettext catalogues (locales/LANG.po)",
}

#: What a rule's function is given (see :mod:`workshopkit.check`); "load": a code the loader
#: reports, with no function of its own.
SCOPES = ("load", "project", "site", "text", "link", "rendered")

_CODE = re.compile(r"^WK\d{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")

#: Where examples are written (paths in the example repository).
MODULE = "modules/alpha/module.yml"
OTHER_MODULE = "modules/beta/module.yml"
TEXT = "modules/alpha/intro.md"
WORKSHOP = "curriculum/demo.yml"
CURRICULUM = "curriculum/curriculum.yml"
LIBRARY = "curriculum/sources/library.yml"
SEED = "seeds/seed-one.yml"
SITE = "mkdocs.yml"

Example = tuple[tuple[str, str], ...]


def example(*parts: str) -> Example:
    """An example from ``file, text, file, text, …``."""
    if len(parts) % 2:
        raise ValueError("an example is pairs of a file and its text")
    return tuple((parts[i], parts[i + 1]) for i in range(0, len(parts), 2))


@dataclass(frozen=True)
class Rule:
    """One code of ``workshopkit check``: what it means, how to fix it, and an example."""

    code: str
    name: str
    summary: str  # what the problem is, in a sentence or two
    fix: str  # what to do about it
    example: Example = ()
    #: why the rule has no example that stands alone (empty when it has one)
    exempt: str = ""
    severity: str = "error"
    scope: str = "load"  # one of SCOPES
    func: Callable[..., Any] | None = None

    def explain(self) -> str:
        """The rule as plain text for a terminal (``check --explain``)."""
        lines = [f"{self.code} {self.name} ({self.severity})", "", self.summary, "", f"Fix: {self.fix}"]
        if self.example:
            lines += ["", "Example:"]
            for file, text in self.example:
                lines += ["", f"  {file}:"] + [f"    {line}" for line in text.rstrip("\n").split("\n")]
        else:
            lines += ["", f"No example: {self.exempt}"]
        return "\n".join(lines)


#: Every code, by code.
RULES: dict[str, Rule] = {}


def _register(r: Rule) -> Rule:
    if not _CODE.match(r.code) or r.code[2] not in FAMILIES:
        raise ValueError(f"{r.code}: a code is 'WK' and three digits, in a known family")
    if r.code in RULES:
        raise ValueError(f"{r.code} is already the code of '{RULES[r.code].name}'")
    if not _NAME.match(r.name) or any(other.name == r.name for other in RULES.values()):
        raise ValueError(f"{r.code}: the name '{r.name}' is not a new lower-case-with-dashes name")
    if bool(r.example) == bool(r.exempt):
        raise ValueError(f"{r.code}: give an example, or say in 'exempt' why there is none")
    if r.severity not in ("error", "warning"):
        raise ValueError(f"{r.code}: severity is 'error' or 'warning'")
    if r.scope not in SCOPES or (r.func is None) != (r.scope == "load"):
        raise ValueError(f"{r.code}: a rule of scope '{r.scope}' needs a function (only 'load' codes have none)")
    RULES[r.code] = r
    return r


def rule(code: str, name: str, *, summary: str, fix: str, example: Example = (), exempt: str = "",
         severity: str = "error", scope: str = "project") -> Callable[[F], F]:
    """Register the decorated function as the rule ``code``; see :class:`Rule`."""

    def register(func: F) -> F:
        _register(Rule(code, name, summary, fix, example, exempt, severity, scope, func))
        return func

    return register


def declare(code: str, name: str, *, summary: str, fix: str, example: Example = (), exempt: str = "",
            severity: str = "error") -> str:
    """Register a code that the loader reports; returns the code."""
    return _register(Rule(code, name, summary, fix, example, exempt, severity)).code


def rules_for(scope: str) -> list[Rule]:
    """The rules of one scope, in the order they were registered (the order they run in)."""
    _load_rules()
    return [r for r in RULES.values() if r.scope == scope]


def all_rules() -> list[Rule]:
    """Every registered code, in order of code."""
    _load_rules()
    return sorted(RULES.values(), key=lambda r: r.code)


def find(code_or_name: str) -> Rule | None:
    """The rule with this code (any case) or name."""
    _load_rules()
    wanted = code_or_name.strip()
    return RULES.get(wanted.upper()) or next((r for r in RULES.values() if r.name == wanted.lower()), None)


def suggest(code_or_name: str) -> str:
    """A hint for a code or name that is not registered: a code one character away, or a close name."""
    _load_rules()
    wanted = code_or_name.strip()
    near = [code for code in sorted(RULES)
            if len(code) == len(wanted) and sum(a != b for a, b in zip(code, wanted.upper(), strict=True)) == 1]
    close = near or difflib.get_close_matches(wanted.lower(), [r.name for r in RULES.values()], n=1, cutoff=0.6)
    return f"did you mean {close[0]}?" if close else f"codes run from {min(RULES)} to {max(RULES)}"


def _load_rules() -> None:
    """Make sure the rules of ``check`` are registered (importing it registers them)."""
    importlib.import_module(f"{__package__}.check")


# --------------------------------------------------------------------------------------------
# WK0xx: what the loader reports, file by file

_NOT_SHOWN = "the problem is in the file system, not in text an example could show"

declare("WK001", "no-such-folder",
        summary="The folder given to the command does not exist.",
        fix="give the folder of a workshopkit repository, or run the command inside one",
        exempt=_NOT_SHOWN)
declare("WK002", "not-a-repository",
        summary="The folder has neither `modules/` nor `curriculum/`, so it is not a workshopkit repository.",
        fix="run the command in a workshopkit repository, or start one with `workshopkit new module ID`",
        exempt=_NOT_SHOWN)
declare("WK003", "symbolic-link",
        summary="A file or folder inside `modules/`, `curriculum/` or `seeds/` is a symbolic link. Links could bring "
                "in files from anywhere on the machine that builds the sites, so none is read or published.",
        fix="replace the link by the file or folder itself",
        exempt=_NOT_SHOWN)
declare("WK004", "not-a-regular-file",
        summary="A content file is a folder, a named pipe, a device or a socket, which workshopkit does not read.",
        fix="make it an ordinary file",
        exempt=_NOT_SHOWN)
declare("WK005", "unreadable-file",
        summary="A content file cannot be read (for example, its permissions do not allow it).",
        fix="check the file's permissions",
        exempt=_NOT_SHOWN)
declare("WK006", "file-too-large",
        summary="A YAML or Markdown file is larger than 2 MiB (2048 KiB), the most workshopkit reads.",
        fix="split it into smaller files, or move images and data out of the text",
        exempt="an example would be two megabytes long")
declare("WK007", "not-utf8",
        summary="A file is not valid UTF-8 text (for example, it was saved as Latin-1 or UTF-16).",
        fix="save it as UTF-8 in your editor",
        exempt="bytes that are not UTF-8 cannot be shown as text")
declare("WK008", "forbidden-character",
        summary="A file or a value holds a control character (such as NUL, a bell or a terminal escape), typed "
                "directly or written as an escape in a double-quoted YAML value. Control characters are invisible "
                "in most editors and can change what a terminal shows.",
        fix="delete the character, or remove the escape sequence",
        example=example(MODULE, 'aim: "Practise\\a a safe first conversation."\n'))
declare("WK009", "module-folder-without-module-yml",
        summary="A folder in `modules/` has no `module.yml`, so it is not a module.",
        fix="add `module.yml`, or remove the folder",
        example=example("modules/gamma/notes.md", "Notes for a module to come.\n"))
declare("WK010", "yaml-extension",
        summary="A file in `curriculum/` ends in `.yaml`; workshopkit reads only `.yml` files there.",
        fix="rename it to end in `.yml`",
        example=example("curriculum/extra.yaml", "id: extra\n"))
declare("WK011", "id-not-file-name",
        summary="The `id` of a module differs from its folder's name, or the `id` of a workshop or seed differs "
                "from its file's name.",
        fix="make the two the same: change the id, or rename the folder or file",
        example=example(MODULE, "id: alpha-two\n"))

declare("WK020", "invalid-yaml",
        summary="The file is not valid YAML: an unclosed quote or bracket, a value with ': ' in it, a tab used for "
                "indenting, more than one document (a second `---`) and the like.",
        fix="follow the hint; put a value in quotes when it holds ': ', and indent with spaces",
        example=example(MODULE, "audience: [caseworkers\n"))
declare("WK021", "duplicate-key",
        summary="The same key is written twice in one mapping. YAML readers keep only the last one, silently.",
        fix="remove one of the two",
        example=example(MODULE, "status: draft\nstatus: stable\n"))
declare("WK022", "anchor-or-alias",
        summary="The file uses a YAML anchor (`&name`) or alias (`*name`). They make a file hard to read and can "
                "expand into enormous data, so they are refused.",
        fix="write each value out in full",
        example=example(MODULE, "level: &level introductory\n"))
declare("WK023", "yaml-tag",
        summary="A value carries a YAML tag (`!name` or `!!python/…`). Tags can make a reader build objects or "
                "run code; content needs plain values only.",
        fix="remove the tag",
        example=example(MODULE, "aim: !secret Practise a safe first conversation.\n"))
declare("WK024", "merge-key",
        summary="A mapping uses the merge key `<<`, which copies keys from elsewhere without showing them.",
        fix="write the keys out in full",
        example=example(OTHER_MODULE, "content_warnings:\n  <<: {tags: []}\n"))
declare("WK025", "complex-key",
        summary="A key is a list or a mapping (written with `?`, brackets or braces) instead of plain text.",
        fix="write the key as plain text",
        example=example(MODULE, "? [level]\n: introductory\n"))
declare("WK026", "yaml-too-deep",
        summary="The data is nested more than 40 levels deep.",
        fix="flatten the structure",
        example=example(MODULE, "key_messages: " + "[" * 41 + "deep" + "]" * 41 + "\n"))
declare("WK027", "not-a-mapping",
        summary="The file is empty, or holds a list or a single value, where a mapping of keys (`id: …`, "
                "`title: …`) is expected.",
        fix="start the file with `id: …` and the other keys",
        example=example(SEED, "- id: seed-one\n  title: A seed news item\n"))

declare("WK030", "unknown-key",
        summary="A key that the schema does not have, often a typo. Unknown keys are errors so that a misspelt "
                "key never drops its value silently.",
        fix="correct the spelling (the hint suggests the closest key), or remove the key",
        example=example(MODULE, "key_mesages:\n  - Consent comes first.\n"))
declare("WK031", "missing-key",
        summary="A key that the schema requires is missing.",
        fix="add the key",
        example=example(MODULE,
                        "sessions:\n"
                        "  - id: opening\n"
                        "    title: Opening a first conversation\n"
                        "    minutes: 15\n"
                        "    objectives: [lo1, lo2]\n"
                        "    activities:\n"
                        "      - id: talk\n"
                        "        title: Short input\n"
                        "        minutes: 15\n"))
declare("WK032", "wrong-type",
        summary="A value of the wrong kind: text where a number, a list, a date or a mapping is expected.",
        fix="write the kind of value the message names (for example a list as `[a, b]`)",
        example=example(MODULE, "audience: caseworkers\n"))
declare("WK033", "not-a-choice",
        summary="A value that is not one of the choices the schema allows for that key.",
        fix="use one of the values the message lists",
        example=example(MODULE, "level: beginner\n"))
declare("WK034", "bad-format",
        summary="Text in the wrong format: an id with capitals or spaces, a time that is not HH:MM, a version "
                "that is not `1.0`, a session reference that is not `module-id/session-id`.",
        fix="write the value in the format the message gives",
        example=example(MODULE, 'version: "1.0.0.0"\n'))
declare("WK035", "out-of-range",
        summary="A number, date, text or list outside the limits the schema sets (for example no participants, "
                "a break shorter than 5 minutes, an empty title, a module without sources).",
        fix="use a value within the limits the message gives",
        example=example(WORKSHOP, "participants: 0\n"))
declare("WK036", "schema-rule",
        summary="A rule the schema states for one item is not met: learning objectives start with an observable "
                "verb, a case study says whether it is fictional or composite, a role play has its opt-out, "
                "de-roling and debrief, a restricted session is not on the record, a slot is one kind of slot, a "
                "web address starts with http:// or https://, only an open evaluation question has `lines`, an "
                "evaluation that replaces the default questions has questions of its own, a timing range "
                "(`minutes: 10-15`) goes from the shorter time to the longer.",
        fix="do what the message says",
        example=example(MODULE, "handouts:\n  - id: case-lin\n    title: The case of Lin\n    kind: case-study\n"
                                "    file: handouts/case-lin.md\n"))

declare("WK037", "yes-no-for-a-sentence",
        summary="A key that asks for a sentence (a role play's `opt_out`, `observer` or `de_roling`, a session's "
                "`content_warning`, the note of `content_warnings`) holds only a yes/no word such as `no`, `yes`, "
                "`true` or `off`. Other YAML readers take such a word for true or false; workshopkit keeps it as "
                "text, so participants would read \"If you prefer not to take part: no\".",
        fix="write the sentence the key asks for (for `opt_out`: what a participant may do instead), or leave "
            "the key out",
        example=example(MODULE, "sessions:\n"
                                "  - id: practice\n"
                                "    title: Practising the opening\n"
                                "    minutes: 50\n"
                                "    objectives: [lo1, lo2]\n"
                                "    activities:\n"
                                "      - id: roleplay\n"
                                "        title: Triad role play\n"
                                "        method: role-play\n"
                                "        minutes: 50\n"
                                "        safety_notes: Stop the role play if anyone is upset.\n"
                                "        opt_out: no\n"
                                "        de_roling: Each person says their real name.\n"
                                "        debrief: [What helped?, What was hard?]\n"))

_CASE_LIN = ("  - id: case-lin\n"
             "    title: The case of Lin\n"
             "    kind: case-study\n"
             "    anonymisation: fictional\n")

declare("WK040", "markdown-file-not-found",
        summary="A field names a Markdown file that does not exist.",
        fix="create the file, or correct its name (the hint suggests the closest one)",
        example=example(MODULE, "handouts:\n" + _CASE_LIN + "    file: handouts/case-linn.md\n"))
declare("WK041", "markdown-file-outside-module",
        summary="A field names a Markdown file outside the module's folder.",
        fix="keep a module's Markdown files inside its folder",
        example=example(MODULE, "handouts:\n" + _CASE_LIN + "    file: handouts/../../beta/notes.md\n"))
declare("WK042", "markdown-file-named-twice",
        summary="Two fields name the same Markdown file. A file is named from one place only, so that it has one "
                "visibility.",
        fix="copy the text into a file of its own, or link to the handout instead",
        example=example(MODULE, "handouts:\n" + _CASE_LIN + "    file: handouts/case-lin.md\n"
                                "  - id: lin-again\n    title: Lin again\n    kind: reading\n"
                                "    file: handouts/case-lin.md\n"))
declare("WK043", "not-a-markdown-file-name",
        summary="A handout's `file` is not the name of a Markdown file (ending in `.md`).",
        fix="write a file name ending in `.md`",
        example=example(MODULE, "handouts:\n" + _CASE_LIN + "    file: handouts/case-lin.txt\n"))
declare("WK044", "handout-without-file",
        summary="A handout has neither `file` nor a text of its own.",
        fix="add `file:` with the name of its Markdown file",
        example=example(MODULE, "handouts:\n" + _CASE_LIN))

# --------------------------------------------------------------------------------------------
# WK3xx: audience blocks and code fences, as the loader reads each text

declare("WK301", "unknown-block",
        summary="A block marker names a block that does not exist. Until it is fixed, the text inside is hidden "
                "from everyone, as the most private level.",
        fix="use `/// facilitator`, `/// restricted` or `/// say`",
        example=example(TEXT, "/// facilitater\nAsk what safe means to them.\n///\n"))
declare("WK302", "unclosed-block",
        summary="A block is opened and never closed.",
        fix="add a line with just `///` where the block ends",
        example=example(TEXT, "/// facilitator\nAsk what safe means to them.\n"))
declare("WK303", "stray-block-close",
        summary="A `///` line closes a block that was never opened.",
        fix="remove it, or open the block above it",
        example=example(TEXT, "The first minutes matter.\n///\n"))
declare("WK304", "block-inside-more-private",
        summary="A block sits inside a block that is more private (`restricted` inside `facilitator`): its text "
                "would be shown to more people than the text around it.",
        fix="close the outer block first, or nest only more private blocks",
        example=example(TEXT, "/// facilitator\nAsk the group.\n/// restricted\nA closed-door remark.\n///\n///\n"))
declare("WK305", "marker-not-at-line-start",
        summary="A `///` line is indented, or stands in a list item or a quote. Blocks are whole paragraphs that "
                "start at the beginning of a line.",
        fix="move the marker to the start of its line, outside lists and quotes",
        example=example(TEXT, "- A point\n\n    /// facilitator\n    Only for us.\n    ///\n"))
declare("WK306", "unclosed-code-fence",
        summary="A code fence (```` ``` ```` or `~~~`) is never closed, so the rest of the text would be code.",
        fix="add a line with the same fence where the code ends",
        example=example(TEXT, "```text\nsome code\n"))
declare("WK307", "block-in-plain-text",
        summary="An audience block is written in a plain-text field, where blocks are not read: its text would be "
                "shown to everyone.",
        fix="move the text into a Markdown field, such as an activity's `facilitator`",
        example=example(MODULE, "aim: |\n  Practise a safe first conversation.\n  /// facilitator\n  secret\n  ///\n"))
declare("WK308", "marker-lookalike",
        summary="A line looks like a block marker but is not one (two slashes, four, or look-alike slashes), so it "
                "would hide nothing. Until it is fixed, participants get none of the text.",
        fix="write `/// facilitator` (or restricted, say) alone on its line, and `///` alone where the block ends",
        example=example(TEXT, "// facilitator\nOnly for us.\n//\n"))
declare("WK309", "marker-mid-line",
        summary="A block marker stands in the middle of a line, where it hides nothing. A YAML `>` value folds "
                "lines into one, which puts markers there too.",
        fix="put the marker on a line of its own; in YAML write the text with `|`, which keeps lines apart",
        example=example(TEXT, "Ask the group. /// facilitator Only for us.\n"))
declare("WK310", "marker-odd-space",
        summary="A block marker is typed with a no-break or invisible space (here after the `///`). The audience "
                "gate still reads it as a marker, but it looks like an ordinary one and other tools do not read it.",
        fix="retype the spaces of the line as ordinary spaces",
        example=example(TEXT, "///\u00a0facilitator\nOnly for us.\n///\n"))
declare("WK311", "admonition-hides-nothing",
        summary="An admonition (`!!!` or `???`) named or titled for facilitators is shown to everyone.",
        fix="write `/// facilitator` … `///` around text that only facilitators may see",
        example=example(TEXT, "!!! facilitator\n    Only for us.\n"))
declare("WK312", "fenced-div-hides-nothing",
        summary="A fenced div (`::: facilitator`) is shown to everyone.",
        fix="write `/// facilitator` … `///` around text that only facilitators may see",
        example=example(TEXT, "::: facilitator\nOnly for us.\n:::\n"))
declare("WK313", "class-hides-nothing",
        summary="An HTML class such as `class=\"facilitator\"` does not hide text.",
        fix="write `/// facilitator` … `///` around text that only facilitators may see",
        example=example(TEXT, '<div class="facilitator">Only for us.</div>\n'))
declare("WK314", "attribute-list-hides-nothing",
        summary="An attribute list such as `{: .facilitator }` does not hide text.",
        fix="write `/// facilitator` … `///` around text that only facilitators may see",
        example=example(TEXT, "Only for us.\n{: .facilitator }\n"))
declare("WK315", "hidden-attribute",
        summary="The `hidden` attribute does not keep text from participants: it is in the page and the search "
                "index.",
        fix="write `/// facilitator` … `///` around text that only facilitators may see",
        example=example(TEXT, "<p hidden>Only for us.</p>\n"))


# --------------------------------------------------------------------------------------------
# WK7xx: events/<id>/ (read by workshopkit event, and by check when the curriculum is valid)

EVENT = "events/spring/event.yml"
ROSTER = "events/spring/roster.csv"
ATTENDANCE = "events/spring/attendance.csv"
_EVENT_OK = "workshop: demo\n"
_ROSTER_OK = "name,organisation\nKim Ji-won,Hana Centre\n"

declare("WK710", "csv-not-utf8",
        summary="A roster or attendance file is not UTF-8 text, so names would come out garbled.",
        fix="save it as 'CSV UTF-8' (Excel) or with the UTF-8 encoding (LibreOffice); a byte order mark is fine",
        exempt="bytes that are not UTF-8 cannot be shown as text")
declare("WK711", "csv-unreadable",
        summary="A row of a CSV file cannot be read (for example, it holds a NUL byte).",
        fix="check the quotes of the row and save the file again from the spreadsheet",
        exempt="the CSV reader refuses almost nothing; what it refuses (a NUL byte) cannot be shown as text")
declare("WK712", "csv-unknown-column",
        summary="A column of a roster or attendance file has a name workshopkit does not know, or is there twice.",
        fix="rename the column (the hint suggests the closest name) or delete it",
        example=example(EVENT, _EVENT_OK, ROSTER, "name,organization\nKim Ji-won,Hana Centre\n"))
declare("WK713", "csv-no-name-column",
        summary="The first row of a roster or attendance file names no 'name' column.",
        fix="make the first row the column names, one of them 'name'",
        example=example(EVENT, _EVENT_OK, ROSTER, "person,organisation\nKim Ji-won,Hana Centre\n"))
declare("WK714", "roster-row-without-name",
        summary="A row of the roster has no name.",
        fix="write the person's name, or delete the row",
        example=example(EVENT, _EVENT_OK, ROSTER, "name,organisation\n,Hana Centre\n"))
declare("WK715", "csv-too-many-cells",
        summary="A row has more cells than the file has columns, usually because a comma in a name is not quoted.",
        fix='put quotes around a cell with a comma: "Kim, Ji-won"',
        example=example(EVENT, _EVENT_OK, ROSTER, "name,organisation\nKim, Ji-won,Hana Centre\n"))
declare("WK716", "roster-duplicate-person",
        summary="The same person (name and organisation) is on the roster twice.",
        fix="delete one of the rows",
        example=example(EVENT, _EVENT_OK, ROSTER, _ROSTER_OK + "Kim Ji-won,Hana Centre\n"))
declare("WK717", "roster-bad-email",
        summary="An e-mail cell of the roster is not an e-mail address.",
        fix="write it as name@example.org, or leave the cell empty",
        example=example(EVENT, _EVENT_OK, ROSTER, "name,email\nKim Ji-won,kim at example.org\n"))
declare("WK718", "attendance-unclear",
        summary="A cell of attendance.csv says neither present (x, yes, 1) nor absent (empty, no, 0).",
        fix="write x for present and leave the cell empty for absent",
        example=example(EVENT, _EVENT_OK, ROSTER, _ROSTER_OK, ATTENDANCE, "name,day 1\nKim Ji-won,maybe\n"))
declare("WK719", "attendance-unknown-person",
        summary="attendance.csv names someone who is not on the roster.",
        fix="add the person to roster.csv, or correct the name",
        example=example(EVENT, _EVENT_OK, ROSTER, _ROSTER_OK, ATTENDANCE, "name,day 1\nLee Min-ho,x\n"))
declare("WK720", "no-event-file",
        summary="A folder of events/ has no event.yml.",
        fix="create it with: workshopkit event new ID --workshop WORKSHOP-ID",
        example=example(ROSTER, _ROSTER_OK))
declare("WK721", "event-unknown-workshop",
        summary="event.yml names a workshop that is not in curriculum/.",
        fix="correct the workshop id (the hint suggests the closest one)",
        example=example(EVENT, "workshop: dmeo\n", ROSTER, _ROSTER_OK))
declare("WK722", "roster-missing",
        summary="An event has no roster.csv, or an empty one.",
        fix="add roster.csv with a 'name' column (and 'organisation', 'role', 'email', 'language')",
        example=example(EVENT, _EVENT_OK))
declare("WK723", "attendance-no-such-day",
        summary="attendance.csv has a column for a day the workshop does not have.",
        fix="use the columns 'day 1' to the workshop's last day",
        example=example(EVENT, _EVENT_OK, ROSTER, _ROSTER_OK, ATTENDANCE, "name,day 9\nKim Ji-won,x\n"))
declare("WK724", "event-bad-id",
        summary="The name of a folder of events/ cannot be an event id.",
        fix="rename the folder with lower-case letters, digits and '-', e.g. seoul-2027-03",
        example=example("events/Spring 2027/event.yml", _EVENT_OK, "events/Spring 2027/roster.csv", _ROSTER_OK))

# Answer files: the knowledge test and the evaluation, exported from KoboToolbox/ODK or typed
# into the kit's entry sheets (see workshopkit.kit.answers).
ANSWERS = "events/spring/post-test.csv"
_ANSWERS_HEADER = "participant_code,phase,q_alpha__q1,q_alpha__q2,q_beta__q1\n"
_EVENT_FILES = (EVENT, _EVENT_OK, ROSTER, _ROSTER_OK)

declare("WK725", "answers-unknown-file",
        summary="A CSV file of the event folder (other than roster.csv and attendance.csv) is neither answers of the "
                "knowledge test (a 'participant_code' and a 'phase' column) nor answers of the evaluation.",
        fix="export the answers from KoboToolbox with 'XML values and headers', or start from an entry sheet of "
            "build/events/ID/forms/; keep other files out of the event folder",
        example=example(*_EVENT_FILES, "events/spring/budget.csv", "item,cost\nCoffee,40\n"))
declare("WK726", "answers-unknown-column",
        summary="A column of an answer file is no question of the form, or is there twice; a column of names is "
                "refused, because answers carry participant codes, never names.",
        fix="rename the column (the hint suggests the closest field name) or delete it",
        example=example(*_EVENT_FILES, ANSWERS, "participant_code,phase,name,q_alpha__q1,q_alpha__q2,q_beta__q1\n"
                                                "P01,post,Kim Ji-won,b,true,a b\n"))
declare("WK727", "answers-missing-column",
        summary="An answer file of the knowledge test has no column for a question of the test, so every row of it "
                "would count that item as not answered.",
        fix="add the column (the entry sheet and the form have one per question), or export every question",
        example=example(*_EVENT_FILES, ANSWERS, "participant_code,phase,q_alpha__q1\nP01,post,b\n"))
declare("WK728", "answers-bad-code",
        summary="A row of the knowledge test has no participant code, one that is not a code (2 to 16 letters, "
                "digits or '-'), or a name from the roster.",
        fix="write the code from the test sheet, or delete the row",
        example=example(*_EVENT_FILES, ANSWERS, _ANSWERS_HEADER + "P 01,post,b,true,a b\n"))
declare("WK729", "answers-bad-phase",
        summary="A row of the knowledge test does not say whether it is the pre-test or the post-test.",
        fix="write pre (before the workshop) or post (after it) in the 'phase' column",
        example=example(*_EVENT_FILES, ANSWERS, _ANSWERS_HEADER + "P01,,b,true,a b\n"))
declare("WK730", "answers-unknown-option",
        summary="An answer is not one of the options of its question (for a rating, not 1 to 5).",
        fix="write the key of an option (several, for a multiple choice, separated by spaces), or leave the cell "
            "empty when the question was not answered",
        example=example(*_EVENT_FILES, ANSWERS, _ANSWERS_HEADER + "P01,post,d,true,a b\n"))
declare("WK731", "answers-duplicate",
        summary="The same participant code has two pre-tests or two post-tests.",
        fix="keep one of the rows; if two people share a code, give one of them a new code",
        example=example(*_EVENT_FILES, ANSWERS, _ANSWERS_HEADER + "P01,post,b,true,a b\nP01,post,a,true,a\n"))
declare("WK732", "print-list-no-count",
        summary="The roster of an event is still empty and its workshop gives no expected number of participants, so "
                "the kit cannot count the copies of its print list (and leaves the list out).",
        fix="add the participants to roster.csv, or write the expected number as 'participants:' in the workshop file",
        example=example(EVENT, _EVENT_OK, ROSTER, "name,organisation\n", WORKSHOP,
                        "# A workshop that does not say how many people to expect.\n"
                        "id: demo\ntitle: Demo workshop\naudience: [caseworkers]\nvenue: Seoul\nstart_date: 2026-03-02\n"
                        "support_contacts:\n  - service: Counselling line\n    how_to_reach: Room 2\n"
                        "days:\n  - start: \"09:00\"\n    end: \"12:30\"\n    slots:\n      - module: alpha\n"
                        "      - break: 15\n      - session: beta/open-part\n      - session: beta/closed\n"),
        severity="warning")


# Translations: the catalogues of each declared language (see workshopkit.i18n).
_KO = ("curriculum/curriculum.yml", "title: T\ntracks:\n  - id: t\n    title: T\n    modules: [alpha, beta]\nlanguages: [ko]\n")
_PO_HEAD = 'msgid ""\nmsgstr ""\n"Language: ko\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
KO_CATALOGUE = "modules/alpha/locales/ko.po"

declare("WK801", "catalogue-unreadable",
        summary="A catalogue (locales/LANG.po) is not a gettext file that can be read: a quote not closed, an entry "
                "without msgstr, text outside quotes. Nothing of it is used until it reads.",
        fix="fix the line (Poedit or `msgfmt -c FILE` shows it), or restore the file and run `workshopkit i18n update`",
        example=example(*_KO, KO_CATALOGUE, _PO_HEAD + 'msgctxt "alpha/title"\n'
                        'msgid "Alpha module on safe first contact"\nmsgstr "알파\n'))
declare("WK802", "translation-fuzzy",
        summary="The English text of a message changed after it was translated (`i18n update` marked it fuzzy): "
                "the English is shown until a translator looks at it again.",
        fix="compare with the new English, correct the translation and remove the `#, fuzzy` line",
        example=example(*_KO, KO_CATALOGUE, _PO_HEAD + '#, fuzzy\nmsgctxt "alpha/title"\n'
                        'msgid "Alpha module on safe first contact"\n'
                        'msgstr "안전한 첫 만남 모듈"\n'),
        severity="warning")
declare("WK803", "translation-structure",
        summary="A translation lost or added Markdown structure of its English text (a link or image target, code, "
                "bold marks, table cells) or holds a `///` line; the English is shown instead of it.",
        fix="keep every link and image target, code span, `**` pair and `|` of the English; never write `///`",
        example=example(*_KO, KO_CATALOGUE, _PO_HEAD + 'msgctxt "alpha/title"\nmsgid "Alpha module on safe first contact"\n'
                        'msgstr "**안전한 첫 만남 모듈"\n'),
        severity="warning")
declare("WK804", "translation-missing",
        summary="Messages of a catalogue are not translated yet (or the catalogue does not exist); they show in "
                "English, and the pages and documents say how much is translated.",
        fix="run `workshopkit i18n update LANG`, then translate the empty msgstr entries",
        example=example(*_KO),
        severity="warning")
declare("WK805", "translation-glossary-term",
        summary="The English of a message uses a glossary term, and its translation does not use the glossary's "
                "translation of that term.",
        fix="use the glossary's translation (curriculum/locales/LANG.po), so that one idea has one word; where the "
            "English word means something else, write `# not the glossary term: TERM` above the entry",
        example=example(*_KO, "curriculum/locales/ko.po", _PO_HEAD + 'msgctxt "glossary/terms/Consent/term"\n'
                        'msgid "Consent"\nmsgstr "동의"\n', KO_CATALOGUE, _PO_HEAD + 'msgctxt "alpha/key_messages"\n'
                        'msgid "Consent comes first."\nmsgstr "허락이 먼저입니다."\n'),
        severity="warning")
declare("WK806", "translation-opens-a-block",
        summary="A translation holds a line that opens or closes a `///` block. Who may read a text is decided by "
                "the English source alone; the English is shown instead of the translation.",
        fix="remove the `///` line from the translation (the block around the English text stays as it is)",
        example=example(*_KO, KO_CATALOGUE, _PO_HEAD + 'msgctxt "alpha/title"\n'
                        'msgid "Alpha module on safe first contact"\nmsgstr "안전한 첫 만남\\n/// facilitator\\n정답"\n'))


# --------------------------------------------------------------------------------------------
# WK33x: cut-out cards (a handout with `print:`), read as the print reads them
# (workshopkit.pdf.cards); each code's function reports that code's problems.

_CARD_SHEET = "modules/alpha/handouts/opening-sheet.md"


def _card_handouts(key: str = "") -> str:
    return ("handouts:\n  - id: case-lin\n    title: The case of Lin\n    kind: case-study\n"
            "    file: handouts/case-lin.md\n    anonymisation: fictional\n"
            "  - id: opening-sheet\n    title: My opening lines\n    kind: worksheet\n"
            "    file: handouts/opening-sheet.md\n    print:\n      layout: cards\n" + key)


def _card_problems(c: Any, code: str) -> None:
    from .pdf.cards import card_problems

    for path, line, key, problem in card_problems(c.project):
        if problem.code == code:
            c.at(path, line, 1, key, problem.message, problem.hint)


@rule("WK330", "card-break-under-text",
      summary="In a handout printed as cards, `---` stands directly under a line of text. Markdown reads such a "
              "line as a heading, so the break between two cards disappears.",
      fix="leave a blank line above the `---`",
      example=example(MODULE, _card_handouts(), _CARD_SHEET, "Sort the cards.\n\n**Card 1.** A helper asks first.\n"
                      "---\n\n**Card 2.** A helper asks later.\n"))
def card_break_under_text(c: Any) -> None:
    _card_problems(c, "WK330")


@rule("WK331", "card-break-spelling",
      summary="In a handout printed as cards, a rule is written another way than a line of exactly `---` "
              "(`***`, `___`, `----`, `- - -`, or indented). Only `---` separates cards, so that every reader "
              "cuts the same cards.",
      fix="write `---` alone on the line to separate two cards, or remove the rule",
      example=example(MODULE, _card_handouts(), _CARD_SHEET, "Sort the cards.\n\n---\n\n**Card 1.** A helper asks "
                      "first.\n\n***\n\n**Card 2.** A helper asks later.\n"))
def card_break_spelling(c: Any) -> None:
    _card_problems(c, "WK331")


@rule("WK332", "empty-card",
      summary="In a handout printed as cards, two `---` lines have nothing between them, or the text ends with "
              "`---`: the sheet would have an empty card.",
      fix="remove the extra `---`",
      example=example(MODULE, _card_handouts(), _CARD_SHEET, "Sort the cards.\n\n---\n\n**Card 1.** A helper asks "
                      "first.\n\n---\n\n---\n\n**Card 2.** A helper asks later.\n"))
def empty_card(c: Any) -> None:
    _card_problems(c, "WK332")


@rule("WK333", "block-across-cards",
      summary="In a handout printed as cards, a `///` block opens in one card and closes in another. Each audience "
              "would get a different set of cards.",
      fix="close the block (`///`) before the `---` that ends its card",
      example=example(MODULE, _card_handouts(), _CARD_SHEET, "Sort the cards.\n\n---\n\n/// facilitator\nExpected: "
                      "first.\n\n---\n\n**Card 2.** A helper asks later.\n///\n"))
def block_across_cards(c: Any) -> None:
    _card_problems(c, "WK333")


@rule("WK334", "card-number-out-of-order",
      summary="A numbered card opens with a label whose number is not its place in the set (`**Card 4.**` on the "
              "third card). The sheet prints each card's place, and the answer key uses it.",
      fix="number the cards 1, 2, 3 … in the order they are written",
      example=example(MODULE, _card_handouts(), _CARD_SHEET, "Sort the cards.\n\n---\n\n**Card 1.** A helper asks "
                      "first.\n\n---\n\n**Card 3.** A helper asks later.\n"))
def card_number_out_of_order(c: Any) -> None:
    _card_problems(c, "WK334")


@rule("WK335", "card-key-mismatch",
      summary="The answer key that a card set names (`print.key`) is not a handout of the module, has no table "
              "whose first column numbers the cards, or lists other numbers than the set's cards.",
      fix="name a handout of the module whose table has one row per card, its number in the first column",
      example=example(MODULE, _card_handouts("      key: case-lin\n"), _CARD_SHEET,
                      "Sort the cards.\n\n---\n\n**Card 1.** A helper asks first.\n\n---\n\n**Card 2.** A helper "
                      "asks later.\n"))
def card_key_mismatch(c: Any) -> None:
    _card_problems(c, "WK335")


# --------------------------------------------------------------------------------------------
# WK336-WK339: a session's own slides (`slides:`), read as the decks read them
# (workshopkit.slides.text); each code's function reports that code's problems.

_SLIDES_FILE = "modules/alpha/slides/opening.md"
_SLIDES_SESSION = ("sessions:\n  - id: opening\n    title: Opening a first conversation\n    minutes: 15\n"
                   "    objectives: [lo1, lo2]\n    slides: slides/opening.md\n    activities:\n"
                   "      - id: talk\n        title: Short input\n        method: presentation\n        minutes: 15\n")
_SLIDES_KEY = re.compile(r"sessions\W+\d+\W+slides$")


def _slide_problems(c: Any, code: str) -> None:
    from .slides.text import slide_problems

    for ref in c.project.texts:
        if ref.plain or not _SLIDES_KEY.search(ref.key or ""):
            continue
        for p in slide_problems(ref.text):
            if p.code == code:
                c.at(ref.file, ref.line + p.line - 1, 1, ref.key, p.message, p.hint)


@rule("WK336", "slide-break-under-text",
      summary="In a session's slides, `---` stands directly under a line of text. Markdown reads such a line as a "
              "heading, so the break between two slides disappears.",
      fix="leave a blank line above the `---`",
      example=example(MODULE, _SLIDES_SESSION, _SLIDES_FILE, "# Why consent\n\nIt gives control back.\n---\n\n"
                      "# How to ask\n\nSay who you are first.\n"))
def slide_break_under_text(c: Any) -> None:
    _slide_problems(c, "WK336")


@rule("WK337", "empty-slide",
      summary="In a session's slides, two `---` lines have nothing between them, or the text starts or ends with "
              "`---`: the deck would have an empty slide.",
      fix="remove the extra `---`",
      example=example(MODULE, _SLIDES_SESSION, _SLIDES_FILE, "# Why consent\n\nIt gives control back.\n\n---\n\n"
                      "---\n\n# How to ask\n\nSay who you are first.\n"))
def empty_slide(c: Any) -> None:
    _slide_problems(c, "WK337")


@rule("WK338", "block-across-slides",
      summary="In a session's slides, a `///` block opens on one slide and closes on another. A block becomes the "
              "speaker notes of its slide, so it must stay on one slide.",
      fix="close the block (`///`) before the `---` that ends the slide",
      example=example(MODULE, _SLIDES_SESSION, _SLIDES_FILE, "# Why consent\n\n/// facilitator\nPause here.\n\n"
                      "---\n\n# How to ask\n\nSay who you are first.\n///\n"))
def block_across_slides(c: Any) -> None:
    _slide_problems(c, "WK338")


@rule("WK339", "slide-too-long",
      summary="A slide of a session's slides holds more than can be read from the back of a room (about 60 words "
              "or 8 lines). The deck sets it smaller or continues it on the next slide.",
      fix="keep one idea per slide: split the slide with `---`, or move detail into a `/// facilitator` block "
          "(the speaker notes)",
      example=example(MODULE, _SLIDES_SESSION, _SLIDES_FILE, "# Why consent\n\n" + " ".join(["word"] * 70) + "\n"),
      severity="warning")
def slide_too_long(c: Any) -> None:
    _slide_problems(c, "WK339")
