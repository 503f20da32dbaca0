"""A corpus of broken inputs: each one must fail ``workshopkit check`` with a located message.

Every case copies ``tests/fixtures/mini`` (a valid repository), applies one breakage, runs
``workshopkit check`` and asserts the exit code, the exact ``path:line:col`` of the expected
diagnostic (``path`` alone for a problem with a whole file), a fragment of its message, and that
no traceback was printed. Whole-file inputs live in ``tests/fixtures/bad/``; small breakages are
text replacements written here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from workshopkit.cli import main
from workshopkit.load import load_project
from workshopkit.model import Module

from conftest import FIXTURES, ROOT

BAD = FIXTURES / "bad"

ALPHA = "modules/alpha/module.yml"
BETA = "modules/beta/module.yml"
INTRO = "modules/alpha/intro.md"
CASE_MD = "modules/alpha/handouts/case-lin.md"
DEMO = "curriculum/demo.yml"
GLOSSARY = "curriculum/glossary.yml"
LIBRARY = "curriculum/sources/library.yml"
SEED = "seeds/seed-one.yml"


# --------------------------------------------------------------------------------------------
# Edits: each turns the bytes of one file (None when it does not exist yet) into new bytes.

Transform = Callable[[bytes | None], bytes | None]


@dataclass(frozen=True)
class Edit:
    file: str  # path inside the repository
    change: Transform
    what: str  # for the test id and failure messages


def replace(file: str, old: str, new: str) -> Edit:
    """Replace the one occurrence of ``old`` in ``file`` by ``new``."""

    def change(raw: bytes | None) -> bytes:
        assert raw is not None, f"{file} does not exist"
        text = raw.decode("utf-8")
        assert text.count(old) == 1, f"{old!r} must occur exactly once in {file}"
        return text.replace(old, new).encode("utf-8")

    return Edit(file, change, f"replace {old!r}")


def replace_bytes(file: str, old: bytes, new: bytes) -> Edit:
    def change(raw: bytes | None) -> bytes:
        assert raw is not None and raw.count(old) == 1, f"{old!r} must occur exactly once in {file}"
        return raw.replace(old, new)

    return Edit(file, change, f"replace bytes {old!r}")


def write(file: str, text: str) -> Edit:
    return Edit(file, lambda _raw: text.encode("utf-8"), "write text")


def write_bytes(file: str, data: bytes) -> Edit:
    return Edit(file, lambda _raw: data, "write bytes")


def from_bad(file: str, name: str) -> Edit:
    """Replace ``file`` by ``tests/fixtures/bad/<name>`` byte for byte."""
    return Edit(file, lambda _raw: (BAD / name).read_bytes(), f"copy bad/{name}")


def append(file: str, text: str) -> Edit:
    def change(raw: bytes | None) -> bytes:
        assert raw is not None
        return raw + text.encode("utf-8")

    return Edit(file, change, "append")


def delete(file: str) -> Edit:
    return Edit(file, lambda _raw: None, "delete")


def transform(file: str, fn: Callable[[bytes], bytes], what: str) -> Edit:
    def change(raw: bytes | None) -> bytes:
        assert raw is not None
        return fn(raw)

    return Edit(file, change, what)


def apply(root: Path, edits: tuple[Edit, ...]) -> None:
    for edit in edits:
        path = root / edit.file
        old = path.read_bytes() if path.exists() else None
        new = edit.change(old)
        if new is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(new)


@dataclass(frozen=True)
class Case:
    name: str
    edits: tuple[Edit, ...]
    where: str  # "path:line:col" of the expected diagnostic, or "path: " for the whole file
    fragment: str  # part of its message (or hint)
    xfail: str = ""  # a known bug outside the loader and checker: the reason


# The sites' Markdown extensions (the fixture alone renders with a minimal set).
REPO_MKDOCS = Edit("mkdocs.yml", lambda _raw: (ROOT / "mkdocs.yml").read_bytes(), "the repository's mkdocs.yml")


def case(name: str, edits: Edit | tuple[Edit, ...], where: str, fragment: str, xfail: str = "") -> Case:
    return Case(name, edits if isinstance(edits, tuple) else (edits,), where, fragment, xfail)


def line_of(path: Path, text: str) -> int:
    """The number of the first line of ``path`` that starts with ``text``."""
    return next(no for no, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1)
                if line.startswith(text))


def whole(path: str) -> str:
    """The place of a problem with a whole file or folder: its path, without a line."""
    return f"{path}: "


# --------------------------------------------------------------------------------------------
# Generated inputs too large or too regular to keep as files

def _big(raw: bytes) -> bytes:
    """The module padded with comment lines to just over 2 MiB."""
    line = b"# " + b"x" * 1021 + b"\n"
    return raw + line * (2 * 1024 + 1)


DEEP_BLOCK = "id: alpha\nkey_messages:\n  " + "- " * 1000 + "deep\n"

#: A third module (folder 'a-first', id 'gamma') that sorts before the others; with alpha's id
#: changed to 'beta', two modules share the id 'beta' and the cycle beta -> gamma -> beta forms.
GAMMA_FIRST = ((FIXTURES / "mini" / BETA).read_text()
               .replace("id: beta", "id: gamma").replace("prerequisites: [alpha]", "prerequisites: [beta]"))


def module_with_sessions(mid: str, count: int) -> str:
    """A valid module with ``count`` sessions (s01, s02, …), one activity each."""
    sessions = "".join(
        f"  - id: s{i:02d}\n    title: Session {i}\n    minutes: 10\n    objectives: [lo1]\n    activities:\n"
        f"      - id: talk\n        title: Talk\n        method: presentation\n        minutes: 10\n"
        for i in range(1, count + 1))
    return (f"id: {mid}\ntitle: Many sessions\nsummary: A module with many sessions.\naudience: [staff]\n"
            "level: introductory\nlearning_objectives:\n  - id: lo1\n    text: Describe the options.\n"
            f"content_warnings:\n  tags: []\nsources: [lib-handbook]\nsessions:\n{sessions}")


CURRICULUM = "curriculum/curriculum.yml"
CORE_TRACK = "  - id: core\n    title: Core\n    modules: [alpha, beta]\n"


def with_curriculum(tracks: str, alpha_track: str = "core") -> tuple[Edit, ...]:
    """A curriculum.yml with these tracks, and alpha and beta naming their track in module.yml."""
    return (write(CURRICULUM, "title: Mini curriculum\ntracks:\n" + tracks),
            replace(ALPHA, "level: introductory\n", f"level: introductory\ntrack: {alpha_track}\n"),
            replace(BETA, "level: intermediate\n", "level: intermediate\ntrack: core\n"))


CASES: list[Case] = [
    # --- YAML syntax ---------------------------------------------------------------------------
    case("yaml-syntax-unclosed-flow-list",
         replace(ALPHA, "audience: [caseworkers]", "audience: [caseworkers"),
         f"{ALPHA}:11:6", "expected ',' or ']', but got ':' (the '[' on line 10 is not closed)"),
    case("yaml-syntax-unclosed-quote",
         replace(ALPHA, 'version: "1.0"', 'version: "1.0'),
         f"{ALPHA}:8:10", "the quote that starts here runs on to line 113"),
    case("yaml-syntax-unclosed-quote-at-end",
         replace(SEED, "  - Two days of training were held.", '  - "Two days of training were held.'),
         f"{SEED}:9:5", "the quote that starts here is never closed"),
    case("yaml-bad-escape",
         replace(ALPHA, 'version: "1.0"', 'version: "1.\\q"'),
         f"{ALPHA}:8:14", "found unknown escape character 'q'"),
    case("yaml-colon-in-plain-value",
         replace(ALPHA, "aim: Practise a safe first conversation.", "aim: Practise: a safe first conversation: now."),
         f"{ALPHA}:7:14", "mapping values are not allowed"),
    case("tab-indentation",
         replace(ALPHA, "  - id: lo1\n    text: Explain", "  - id: lo1\n\ttext: Explain"),
         f"{ALPHA}:15:1", "a tab character is not allowed here"),
    case("duplicate-key",
         replace(ALPHA, "status: draft\n", "status: draft\nstatus: stable\n"),
         f"{ALPHA}:10:1", "duplicate key 'status' (first defined on line 9)"),
    case("duplicate-key-nested",
         replace(ALPHA, "        minutes: 20\n", "        minutes: 20\n        minutes: 25\n"),
         f"{ALPHA}:51:9", "duplicate key 'minutes'"),
    case("control-character",
         replace(ALPHA, "aim: Practise a safe", "aim: Practise\x07 a safe"),
         f"{ALPHA}:7:14", "the character U+0007 is not allowed in YAML"),
    case("nul-from-escape",
         replace(ALPHA, "participant: Discuss one more example.", 'participant: "See [this](notes\\0.md)."'),
         f"{ALPHA}:61:22", "the text holds the character U+0000, which is not allowed"),
    # --- schema --------------------------------------------------------------------------------
    case("unknown-key-typo",
         replace(ALPHA, "key_messages:\n  - Consent", "key_mesages:\n  - Consent"),
         f"{ALPHA}:18:1", "unknown key 'key_mesages' (did you mean 'key_messages'?)"),
    case("unknown-key-typo-nested",
         replace(ALPHA, "        grouping: small-groups", "        groupping: small-groups"),
         f"{ALPHA}:51:9", "did you mean 'grouping'?"),
    case("missing-required-key",
         replace(BETA, "level: intermediate\n", ""),
         f"{BETA}:2:1", "missing required key 'level'"),
    case("text-for-minutes",
         replace(ALPHA, "        minutes: 15\n", "        minutes: fifteen\n"),
         f"{ALPHA}:43:9", "expected a whole number, got 'fifteen' (write a whole number, e.g. 15)"),
    case("sexagesimal-minutes-stay-text",
         replace(ALPHA, "        minutes: 15\n", "        minutes: 0:15\n"),
         f"{ALPHA}:43:9", "'0:15'"),
    case("negative-minutes",
         replace(ALPHA, "        minutes: 10\n        variant", "        minutes: -10\n        variant"),
         f"{ALPHA}:59:9", "must be at least 1, got -10"),
    case("unknown-enum-value",
         replace(ALPHA, "method: presentation", "method: lecture"),
         f"{ALPHA}:42:9", "'lecture' is not one of the choices (use one of: presentation, discussion"),
    case("yes-no-word-enum-did-you-mean",
         replace(DEMO, "mode: on-site\n", "mode: on-site\nrecording: no\n"),
         f"{DEMO}:7:1", "recording: 'no' is not one of the choices (did you mean 'none'?)"),
    case("enum-in-capitals-did-you-mean",
         replace(ALPHA, "method: presentation", "method: Presentation"),
         f"{ALPHA}:42:9", "'Presentation' is not one of the choices (did you mean 'presentation'?)"),
    case("opt-out-no",
         replace(ALPHA, "opt_out: Act as observer instead.", "opt_out: no"),
         f"{ALPHA}:75:9", "'no' is a yes/no answer, not the sentence this key asks for (write what a participant may "
                          "do instead"),
    case("content-warning-yes",
         replace(ALPHA, "    content_warning: This session mentions exploitation in general terms.\n",
                 "    content_warning: yes\n"),
         f"{ALPHA}:35:5", "'yes' is a yes/no answer"),
    case("empty-title",
         replace(ALPHA, "title: Alpha module on safe first contact", 'title: "  "'),
         f"{ALPHA}:3:1", "title: must not be empty (write the text)"),
    case("bad-clock-time",
         replace(DEMO, 'end: "12:30"', 'end: "24:30"'),
         f"{DEMO}:17:5", "write a time as HH:MM"),
    case("bad-id-pattern",
         replace(ALPHA, "  - id: talk\n", "  - id: Talk_1\n"),
         f"{ALPHA}:40:9", "an id may use only lower-case letters"),
    case("slot-two-kinds",
         replace(DEMO, "      - module: alpha\n", "      - module: alpha\n        session: beta/closed\n"),
         f"{DEMO}:22:9", "a slot is exactly one of"),
    case("source-bad-url",
         replace(LIBRARY, "url: https://example.org/handbook", "url: example.org/handbook"),
         f"{LIBRARY}:7:5", "http:// or https://"),
    # --- durations -----------------------------------------------------------------------------
    case("activities-do-not-add-up",
         replace(ALPHA, "    minutes: 45\n", "    minutes: 50\n"),
         f"{ALPHA}:32:5", "session is 50 minutes but its activities add up to 45 (15 + 20 + 10)"),
    case("day-overflows-end-time",
         replace(DEMO, 'end: "12:30"', 'end: "11:30"'),
         f"{DEMO}:17:5", "minutes after its end time 11:30"),
    case("day-starts-after-end",
         (replace(DEMO, 'start: "09:00"', 'start: "13:00"'),),
         f"{DEMO}:16:5", "the day starts after its end time"),
    # --- dangling references, one of each kind -------------------------------------------------
    case("ref-session-objective",
         replace(ALPHA, "    objectives: [lo1]\n    summary", "    objectives: [lo9]\n    summary"),
         f"{ALPHA}:33:18", "unknown objective 'lo9'"),
    case("ref-activity-handout",
         replace(ALPHA, "handout: case-lin", "handout: case-linn"),
         f"{ALPHA}:52:9", "unknown handout 'case-linn' (did you mean 'case-lin'?)"),
    case("ref-module-source",
         replace(ALPHA, "  - ref: seed-one\n", "  - ref: seed-two\n"),
         f"{ALPHA}:24:5", "unknown source 'seed-two' (did you mean 'seed-one'?)"),
    case("ref-handout-source",
         replace(ALPHA, "    anonymisation: fictional\n",
                 "    anonymisation: fictional\n    sources:\n      - ref: lib-handbok\n"),
         f"{ALPHA}:92:9", "unknown source 'lib-handbok' (did you mean 'lib-handbook'?)"),
    case("ref-glossary-source",
         replace(GLOSSARY, "source: lib-handbook", "source: no-such-source"),
         f"{GLOSSARY}:4:5", "unknown source 'no-such-source'"),
    case("ref-prerequisite-module",
         replace(BETA, "prerequisites: [alpha]", "prerequisites: [alpah]"),
         f"{BETA}:8:17", "unknown module 'alpah' (did you mean 'alpha'?)"),
    case("ref-slot-module",
         replace(DEMO, "- module: alpha", "- module: gamma"),
         f"{DEMO}:22:9", "unknown module 'gamma'"),
    case("ref-slot-session",
         replace(DEMO, "session: beta/open-part", "session: beta/open-prat"),
         f"{DEMO}:25:9", "module 'beta' has no session 'open-prat' (did you mean 'open-part'?)"),
    case("ref-slot-session-module",
         replace(DEMO, "session: beta/open-part", "session: betta/open-part"),
         f"{DEMO}:25:9", "unknown module 'betta' (did you mean 'beta'?)"),
    case("ref-assessment-objective",
         replace(ALPHA, "  - id: q2\n    objective: lo2", "  - id: q2\n    objective: lo7"),
         f"{ALPHA}:110:5", "unknown objective 'lo7'"),
    case("line-100-is-not-an-emoji",
         replace(ALPHA, "  - id: q1\n    objective: lo1", "  - id: q1\n    objective: lo7"),
         f"{ALPHA}:100:5", "unknown objective 'lo7'"),
    case("prerequisite-cycle",
         replace(ALPHA, "level: introductory\n", "level: introductory\nprerequisites: [beta]\n"),
         f"{BETA}:8:17", "prerequisites form a cycle: alpha -> beta -> alpha"),
    case("prerequisite-self",
         replace(BETA, "prerequisites: [alpha]", "prerequisites: [alpha, beta]"),
         f"{BETA}:8:24", "a module cannot be its own prerequisite"),
    case("prerequisite-cycle-with-duplicate-module-ids",
         (write("modules/a-first/module.yml", GAMMA_FIRST),
          replace(ALPHA, "id: alpha\n", "id: beta\n"),
          replace(BETA, "prerequisites: [alpha]", "prerequisites: [gamma]")),
         f"{BETA}:8:17", "prerequisites form a cycle: gamma -> beta -> gamma"),
    case("duplicate-session-id",
         replace(ALPHA, "  - id: practice\n", "  - id: opening\n"),
         f"{ALPHA}:62:5", "duplicate session id 'opening' (also at sessions[0])"),
    # --- Markdown files and audience blocks ----------------------------------------------------
    case("missing-markdown-file",
         replace(ALPHA, "participant: intro.md", "participant: intro-text.md"),
         f"{ALPHA}:44:9", "Markdown file 'intro-text.md' not found"),
    case("missing-handout-file",
         delete(CASE_MD),
         f"{ALPHA}:89:5", "Markdown file 'handouts/case-lin.md' not found"),
    case("markdown-file-outside-module",
         replace(ALPHA, "file: handouts/opening-sheet.md", "file: handouts/../../beta/notes.md"),
         f"{ALPHA}:94:5", "points outside the module folder"),
    case("markdown-file-name-too-long",
         replace(ALPHA, "participant: intro.md", "participant: " + "a" * 300 + ".md"),
         f"{ALPHA}:44:9", "Markdown file 'aaaa"),
    case("nul-in-markdown",
         append(INTRO, "\nSee [this](notes\x00.md).\n"),
         f"{INTRO}:9:17", "the character U+0000 is not allowed"),
    case("unclosed-facilitator-block",
         replace(INTRO, "them.\n///\n", "them.\n"),
         f"{INTRO}:3:1", "'/// facilitator' is never closed"),
    case("unknown-block-name",
         replace(INTRO, "/// facilitator\n", "/// facilitater\n"),
         f"{INTRO}:3:1", "unknown block '/// facilitater'"),
    case("restricted-inside-facilitator",
         replace(INTRO, "them.\n///\n", "them.\n/// restricted\nA closed-door remark.\n///\n///\n"),
         f"{INTRO}:5:1", "'/// restricted' inside '/// facilitator' (line 3)"),
    case("stray-block-close",
         append(INTRO, "\n///\n"),
         f"{INTRO}:9:1", "'///' closes a block that was never opened"),
    case("unclosed-block-inline-yaml",
         replace(BETA, "          ///\n  - id: closed", "  - id: closed"),
         f"{BETA}:28:1", "'/// restricted' is never closed"),
    case("block-in-plain-text-field",
         replace(ALPHA, "aim: Practise a safe first conversation.",
                 "aim: |\n  Practise a safe first conversation.\n  /// facilitator\n  secret\n  ///"),
         f"{ALPHA}:7:1", "audience blocks ('/// …') are only allowed in Markdown fields"),
    # --- assessment ----------------------------------------------------------------------------
    case("answer-not-an-option",
         replace(ALPHA, "    answer: b\n", "    answer: e\n"),
         f"{ALPHA}:107:5", "answer 'e' is not one of the options (a, b, c)"),
    case("true-false-bad-answer",
         replace(ALPHA, '    answer: "true"\n', "    answer: maybe\n"),
         f"{ALPHA}:113:5", "the answer of a true-false item is 'true' or 'false'"),
    case("yaml11-no-stays-text",
         replace(ALPHA, '    answer: "true"\n', "    answer: NO\n"),
         f"{ALPHA}:113:5", "the answer of a true-false item is 'true' or 'false'"),
    # --- ids and file names --------------------------------------------------------------------
    case("module-id-not-folder",
         replace(ALPHA, "id: alpha\n", "id: alpha-two\n"),
         f"{ALPHA}:2:1", "id 'alpha-two' differs from the folder name 'alpha'"),
    case("workshop-id-not-file",
         replace(DEMO, "id: demo\n", "id: demo-two\n"),
         f"{DEMO}:1:1", "id 'demo-two' differs from the file name 'demo'"),
    case("seed-id-not-file",
         replace(SEED, "id: seed-one\n", "id: seed-uno\n"),
         f"{SEED}:1:1", "id 'seed-uno' differs from the file name 'seed-one'"),
    case("module-folder-without-module-yml",
         write("modules/gamma/notes.md", "Just notes.\n"),
         whole("modules/gamma"), "module folder without module.yml"),
    # --- hostile YAML --------------------------------------------------------------------------
    case("alias-bomb",
         from_bad(ALPHA, "alias-bomb.yml"),
         f"{ALPHA}:2:4", "anchors (&a) are not allowed"),
    case("anchor",
         replace(ALPHA, "level: introductory", "level: &lvl introductory"),
         f"{ALPHA}:11:8", "anchors (&lvl) are not allowed"),
    case("alias",
         replace(BETA, "audience: [programme staff]", "audience: *staff"),
         f"{BETA}:6:11", "aliases (*name) are not allowed"),
    case("merge-key",
         replace(BETA, "content_warnings:\n  tags: []", "content_warnings:\n  <<: {tags: []}"),
         f"{BETA}:13:3", "merge keys (<<) are not allowed"),
    case("complex-key",
         replace(BETA, "level: intermediate", "? [level]\n: intermediate"),
         f"{BETA}:7:3", "a key must be plain text"),
    case("python-object-tag",
         from_bad(GLOSSARY, "python-object.yml"),
         f"{GLOSSARY}:3:17", "the tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"),
    case("custom-tag",
         replace(ALPHA, "aim: Practise", "aim: !secret Practise"),
         f"{ALPHA}:7:6", "the tag '!secret' is not allowed"),
    case("multi-document",
         from_bad(DEMO, "multi-document.yml"),
         f"{DEMO}:3:1", "the file holds more than one YAML document"),
    case("top-level-list",
         from_bad(ALPHA, "top-level-list.yml"),
         f"{ALPHA}:1:1", "expected a mapping of keys at the top of the file, found a list"),
    case("top-level-scalar",
         write(SEED, "just a sentence\n"),
         f"{SEED}:1:1", "expected a mapping of keys at the top of the file, found 'just a sentence'"),
    case("empty-module-yml",
         from_bad(ALPHA, "empty.yml"),
         whole(ALPHA), "found nothing"),
    case("deep-nesting-flow",
         from_bad(ALPHA, "deep-nesting.yml"),
         f"{ALPHA}:2:55", "nesting deeper than 40 levels"),
    case("deep-nesting-block",
         write(BETA, DEEP_BLOCK),
         f"{BETA}:3:83", "nesting deeper than 40 levels"),
    case("file-over-2mb",
         transform(ALPHA, _big, "pad to 2 MiB"),
         whole(ALPHA), "the limit is 2048 KiB"),
    # --- encodings -----------------------------------------------------------------------------
    case("non-utf8-module-yml",
         replace_bytes(ALPHA, b"aim: Practise", b"aim: Pr\xe4ctise"),
         f"{ALPHA}:7:8", "not valid UTF-8"),
    case("non-utf8-markdown",
         from_bad(CASE_MD, "latin1-handout.md"),
         f"{CASE_MD}:3:7", "not valid UTF-8"),
    # --- safeguarding rules --------------------------------------------------------------------
    case("vague-objective-verb",
         replace(ALPHA, "text: Explain why consent", "text: Understand why consent"),
         f"{ALPHA}:15:5", "'understand' cannot be observed"),
    case("case-study-without-anonymisation",
         replace(ALPHA, "    anonymisation: fictional\n", ""),
         f"{ALPHA}:86:5", "a case study must say whether it is 'fictional' or 'composite'"),
    case("role-play-without-opt-out",
         replace(ALPHA, "        opt_out: Act as observer instead.\n", ""),
         f"{ALPHA}:67:9", "a role-play needs opt_out"),
    case("restricted-session-on-record",
         replace(BETA, "attribution: chatham-house", "attribution: on-record"),
         f"{BETA}:31:5", "a restricted session needs attribution 'chatham-house' or 'off-record'"),
    case("sensitive-case-study-without-safety-notes",
         replace(ALPHA, "        safety_notes: Watch for distress; offer a break.\n", ""),
         f"{ALPHA}:47:9", "a case-study in a sensitive module needs safety_notes"),
    case("content-warnings-without-support-contacts",
         replace(DEMO, 'support_contacts:\n  - service: Counselling line\n    how_to_reach: "Room 2"\n', ""),
         f"{DEMO}:1:1", "need support contacts for participants"),
    # --- Markdown safety -----------------------------------------------------------------------
    case("raw-script",
         append(INTRO, "\n<script>alert(1)</script>\n"),
         f"{INTRO}:9:1", "raw HTML <script> is not allowed"),
    case("raw-iframe-inline-yaml",
         replace(ALPHA, "participant: Discuss one more example.",
                 'participant: Discuss <iframe src="https://example.org"></iframe> one more example.'),
         f"{ALPHA}:61:", "raw HTML <iframe> is not allowed"),
    case("javascript-link",
         append(INTRO, "\nSee [this](javascript:alert(1)).\n"),
         f"{INTRO}:9:5", "links with the scheme 'javascript:' are not allowed"),
    case("javascript-href",
         append(INTRO, '\n<a href="javascript:alert(1)">x</a>\n'),
         f"{INTRO}:9:1", "uses a scheme that is not allowed"),
    case("onerror-attribute",
         append(INTRO, '\n<img src="x.png" alt="x" onerror="alert(1)">\n'),
         f"{INTRO}:9:1", "event-handler attributes (on…=) are not allowed"),
    case("image-without-alt",
         (write_bytes("modules/alpha/pic.png", b"\x89PNG\r\n\x1a\n"), append(INTRO, "\n![](pic.png)\n")),
         f"{INTRO}:9:1", "an image needs alt text"),
    case("raw-html-image",
         append(CASE_MD, '\n<img src="../pic.png">\n'),
         f"{CASE_MD}:8:1", "images are written in Markdown, not as raw <img>"),
    case("link-to-missing-file",
         replace(INTRO, "(handouts/case-lin.md)", "(handouts/case-linn.md)"),
         f"{INTRO}:7:9", "link target 'handouts/case-linn.md' not found"),
    case("link-name-too-long",
         append(INTRO, "\n[x](" + "a" * 300 + ".md)\n"),
         f"{INTRO}:9:1", "is not a usable file name"),
    case("link-outside-modules",
         append(INTRO, "\n[secret](../../curriculum/demo.yml)\n"),
         f"{INTRO}:9:1", "points outside the modules folder"),
    # What the text renders to is judged too, however the source spells it.
    case("attribute-list-event-handler",
         (REPO_MKDOCS, append(INTRO, '\nHover me\n{: onmouseover="alert(1)" }\n')),
         f"{INTRO}:10:1", "the event-handler attribute 'onmouseover' is not allowed"),
    case("attribute-list-style",
         (REPO_MKDOCS, append(INTRO, '\nBig text\n{: style="font-size:9em" }\n')),
         f"{INTRO}:10:1", "the attribute 'style' is not allowed"),
    case("reference-link-javascript",
         append(INTRO, "\nSee [the note][n].\n\n[n]: javascript:alert(1)\n"),
         f"{INTRO}:11:1", "the scheme 'javascript:' is not allowed"),
    case("nested-brackets-javascript",
         append(INTRO, "\nSee [a [b] c](javascript:alert(1)).\n"),
         f"{INTRO}:9:1", "the scheme 'javascript:' is not allowed"),
    case("entity-encoded-scheme",
         append(INTRO, '\n<a href="jav&#x61;script:alert(1)">x</a>\n'),
         f"{INTRO}:9:1", "the scheme 'javascript:' is not allowed"),
    case("html-tag-split-over-lines",
         append(INTRO, '\n<a\nhref="javascript:alert(1)">x</a>\n'),
         f"{INTRO}:10:1", "the scheme 'javascript:' is not allowed"),
    case("indented-facilitator-block",
         append(INTRO, "\n- A point\n\n    /// facilitator\n    Only for us.\n    ///\n"),
         f"{INTRO}:11:1", "a '///' line must start at the beginning of the line"),
    case("unclosed-code-fence",
         append(INTRO, "\n```text\nsome code\n"),
         f"{INTRO}:9:1", "this code fence is never closed"),
    case("block-in-glossary-definition",
         replace(GLOSSARY, "    definition: Agreement given freely by a person who understands what they agree to.\n",
                 "    definition: |\n      Agreement given freely.\n\n      /// facilitator\n      A note.\n      ///\n"),
         f"{GLOSSARY}:3:", "audience blocks ('/// …') are only allowed in Markdown fields"),
    case("block-in-source-summary",
         replace(LIBRARY, "    reuse: all-rights-reserved\n",
                 "    reuse: all-rights-reserved\n    summary: |\n      A handbook.\n      /// facilitator\n      x\n "
                 "     ///\n"),
         f"{LIBRARY}:9:", "audience blocks ('/// …') are only allowed in Markdown fields"),
    case("quotes-nested-too-deep",
         append(INTRO, "\n" + ">" * 600 + " deep\n"),
         f"{INTRO}:9:1", "quotes or lists nested more than 12 deep"),
    case("lists-nested-too-deep-with-html",
         append(INTRO, "\n" + "".join("    " * i + "- a <b>point</b>\n" for i in range(400))),
         f"{INTRO}:", "quotes or lists nested more than 12 deep"),
    case("session-id-takes-a-page-name",
         replace(ALPHA, "  - id: opening\n", "  - id: index\n"),
         f"{ALPHA}:", "'index' is the name of a page the module already has"),
    case("workshop-date-out-of-range",
         replace(DEMO, "start_date: 2026-03-02", "start_date: 9999-12-31"),
         f"{DEMO}:7:1", "the date must be on or before 2100-12-31, got '9999-12-31'"),
    case("markdown-file-too-large",
         Edit(INTRO, lambda raw: (raw or b"") + b"x" * (2 * 1024 * 1024), "pad the file past 2 MiB"),
         whole(INTRO), "the file is larger than 2048 KiB"),
    case("remote-image",
         append(INTRO, "\n![A chart](https://example.org/chart.png)\n"),
         f"{INTRO}:9:1", "images must be files in the module folder, not web addresses"),
    case("facilitator-block-inside-a-quote",
         append(INTRO, "\n> /// facilitator\n> Only for us.\n> ///\n"),
         f"{INTRO}:9:1", "a '///' line must start at the beginning of the line"),
    case("svg-animation-link",
         append(INTRO, '\nClick <svg\nwidth="9"><a><animate attributeName="href" values="javascript:alert(1)"/>'
                       '<text y="9">me</text></a></svg>\n'),
         f"{INTRO}:9:", "raw HTML <svg> is not allowed"),
    case("javascript-link-in-glossary-definition",
         replace(GLOSSARY, "    definition: Agreement given freely by a person who understands what they agree to.\n",
                 "    definition: Agreement given freely; see [the note](javascript:alert(1)).\n"),
         f"{GLOSSARY}:3:", "the scheme 'javascript:' is not allowed"),
    case("script-in-a-title",
         replace(ALPHA, "title: Alpha module on safe first contact", "title: Alpha <script>alert(1)</script>"),
         f"{ALPHA}:3:", "raw HTML <script> is not allowed"),
    case("unknown-markdown-extension",
         Edit("mkdocs.yml", lambda _raw: (ROOT / "mkdocs.yml").read_bytes().replace(b"pymdownx.caret", b"pymdownx.carret"),
              "the repository's mkdocs.yml with a misspelt extension"),
         f"mkdocs.yml:{line_of(ROOT / 'mkdocs.yml', '  - pymdownx.caret')}:5",
         "the Markdown extension 'pymdownx.carret' cannot be loaded"),
    # --- more YAML refusals --------------------------------------------------------------------
    case("yaml-unclosed-flow-mapping",
         replace(BETA, "content_warnings:\n  tags: []\n", "content_warnings: {tags: []\n"),
         f"{BETA}:13:1", "(the '{' on line 12 is not closed)"),
    case("duplicate-key-in-flow-mapping",
         replace(BETA, "content_warnings:\n  tags: []\n", "content_warnings: {tags: [], tags: []}\n"),
         f"{BETA}:12:30", "duplicate key 'tags' (first defined on line 12)"),
    case("set-tag",
         replace(BETA, "audience: [programme staff]", "audience: !!set {programme staff}"),
         f"{BETA}:6:11", "the tag 'tag:yaml.org,2002:set' is not allowed"),
    case("utf16-seed",
         transform(SEED, lambda raw: raw.decode("utf-8").encode("utf-16"), "re-encode as UTF-16"),
         f"{SEED}:1:1", "not valid UTF-8"),
    case("workshop-file-ending-in-yaml",
         write("curriculum/extra.yaml", "id: extra\n"),
         whole("curriculum/extra.yaml"), "workshop files end in .yml"),
    case("mkdocs-invalid-yaml",
         write("mkdocs.yml", "site_name: Mini\nmarkdown_extensions: [toc, admonition\n"),
         "mkdocs.yml:3:1", "invalid YAML in the site configuration: expected ',' or ']'"),
    case("mkdocs-not-utf8",
         write_bytes("mkdocs.yml", b"site_name: Caf\xe9 training\n"),
         "mkdocs.yml:1:15", "the site configuration is not valid UTF-8 text"),
    case("mkdocs-not-a-mapping",
         write("mkdocs.yml", "# the site\n- site_name: Mini\n"),
         "mkdocs.yml:2:1", "expected a mapping of settings"),
    case("mkdocs-python-tag",
         write("mkdocs.yml", "site_name: Mini\nmarkdown_extensions:\n  - pymdownx.emoji:\n"
                             "      emoji_index: !!python/name:os.system\n"),
         "mkdocs.yml:4:20", "could not determine a constructor for the tag"),
    case("markdown-extension-unknown-setting",
         write("mkdocs.yml", "site_name: Mini\nmarkdown_extensions:\n  - toc:\n      permalink: true\n"
                             "      perma_link: true\n"),
         "mkdocs.yml:5:7", "the Markdown extension 'toc' cannot be loaded (KeyError: 'perma_link')"),
    # --- terminal escapes: refused, and quoted escaped, never echoed raw -------------------------
    case("terminal-escape-in-markdown",
         append(INTRO, "\nSee \x1b]8;;https://example.org\x07this\x1b]8;;\x07 and \x1b[2J.\n"),
         f"{INTRO}:9:5", "the character U+001B is not allowed"),
    case("terminal-escape-in-yaml",
         replace(BETA, "summary: A module with", "summary: A \x1b[2J\x1b[H module with"),
         f"{BETA}:4:12", "the character U+001B is not allowed in YAML"),
    case("c1-control-in-yaml",
         replace(ALPHA, "aim: Practise a safe", "aim: Practise\x9b31m a safe"),
         f"{ALPHA}:7:14", "the character U+009B is not allowed in YAML"),
    case("bidi-override-in-key-is-shown-escaped",
         replace(ALPHA, "aim: Practise", "a\u202eim: Practise"),
         f"{ALPHA}:7:1", "unknown key 'a\\u202eim'"),
    case("bidi-override-in-option-key-is-shown-escaped",
         replace(ALPHA, "      b: Explaining your role", "      b\u202e: Explaining your role"),
         f"{ALPHA}:107:5", "answer 'b' is not one of the options (a, b\\u202e, c)"),
    # --- schema rules and model checks not covered above -----------------------------------------
    case("objective-verb-not-in-list",
         replace(ALPHA, "text: Demonstrate a calm", "text: Ponder a calm"),
         f"{ALPHA}:17:5", "'ponder' is not in the list of observable verbs"),
    case("programme-item-without-title",
         replace(DEMO, "      - title: Opening\n        minutes: 15\n", "      - minutes: 15\n"),
         f"{DEMO}:19:9", "a programme item needs a 'title'"),
    case("break-too-short",
         replace(DEMO, "- break: 15", "- break: 3"),
         f"{DEMO}:23:9", "must be at least 5, got 3"),
    case("fill-in-too-many-lines",
         replace(ALPHA, "        lines: 3\n", "        lines: 31\n"),
         f"{ALPHA}:97:9", "must be at most 30, got 31"),
    case("handout-pages-max-over-limit",
         replace(ALPHA, "    kind: worksheet\n", "    kind: worksheet\n    pages_max: 11\n"),
         f"{ALPHA}:94:5", "must be at most 10, got 11"),
    case("short-title-too-long",
         replace(DEMO, "title: Demo workshop\n", "title: Demo workshop\nshort_title: " + "x" * 61 + "\n"),
         f"{DEMO}:3:1", "is 61 characters long; at most 60 are allowed"),
    case("no-participants",
         replace(DEMO, "participants: 15", "participants: 0"),
         f"{DEMO}:4:1", "must be at least 1, got 0"),
    case("four-part-version",
         replace(ALPHA, 'version: "1.0"', 'version: "1.0.0.0"'),
         f"{ALPHA}:8:1", "write a version as 1.0, 1.2 or 1.2.3, got '1.0.0.0'"),
    case("slot-session-without-module",
         replace(DEMO, "session: beta/closed", "session: closed"),
         f"{DEMO}:26:9", "write 'module-id/session-id'"),
    case("start-date-in-words",
         replace(DEMO, "start_date: 2026-03-02", "start_date: next monday"),
         f"{DEMO}:7:1", "expected a date as YYYY-MM-DD, got 'next monday'"),
    case("source-year-too-early",
         replace(LIBRARY, "year: 2007", "year: 1850"),
         f"{LIBRARY}:6:5", "must be at least 1900, got 1850"),
    case("module-without-sources",
         replace(BETA, "sources: [lib-handbook]", "sources: []"),
         f"{BETA}:14:1", "needs at least 1 item, got 0"),
    case("audience-not-a-list",
         replace(BETA, "audience: [programme staff]", "audience: programme staff"),
         f"{BETA}:6:1", "expected a list, got 'programme staff'"),
    case("activity-minutes-over-limit",
         replace(ALPHA, "        minutes: 50\n", "        minutes: 500\n"),
         f"{ALPHA}:70:9", "must be at most 480, got 500"),
    case("missing-required-key-nested",
         replace(ALPHA, "        method: reflection\n", ""),
         f"{ALPHA}:81:9", "missing required key 'method'"),
    case("unknown-key-lists-at-most-8-allowed-keys",
         append(BETA, "zzzz: 1\n"),
         f"{BETA}:54:1", "allowed keys: aim, assessment, audience, content_warnings, facilitator, handouts, id, "
                         f"key_messages … and {len(Module.model_fields) - 8} more"),
    # --- ids, references and assessment items --------------------------------------------------
    case("duplicate-objective-id",
         replace(ALPHA, "  - id: lo2\n", "  - id: lo1\n"),
         f"{ALPHA}:16:5", "duplicate objective id 'lo1' (also at learning_objectives[0])"),
    case("duplicate-handout-id",
         replace(ALPHA, "  - id: opening-sheet\n", "  - id: case-lin\n"),
         f"{ALPHA}:91:5", "duplicate handout id 'case-lin' (also at handouts[0])"),
    case("duplicate-assessment-item-id",
         replace(ALPHA, "  - id: q3\n", "  - id: q1\n"),
         f"{ALPHA}:115:5", "duplicate assessment item id 'q1'"),
    case("duplicate-activity-id",
         replace(ALPHA, "      - id: extra\n", "      - id: talk\n"),
         f"{ALPHA}:56:9", "duplicate activity id 'talk' (also at sessions[0].activities[0])"),
    case("duplicate-source-id-across-files",
         replace(LIBRARY, "  - id: lib-handbook\n", "  - id: seed-one\n"),
         f"{LIBRARY}:2:5", "duplicate source id 'seed-one' (also in seeds/seed-one.yml)"),
    case("single-choice-item-with-one-option",
         replace(ALPHA, "      a: Detailed questions about the journey\n      b: Explaining your role and asking for "
                        "consent\n      c: Taking a photo of documents\n",
                 "      b: Explaining your role and asking for consent\n"),
         f"{ALPHA}:103:5", "a single item needs at least two options"),
    case("single-choice-item-without-answer",
         replace(ALPHA, "    answer: b\n", ""),
         f"{ALPHA}:99:5", "missing required key 'answer'"),
    case("single-choice-item-with-two-answers",
         replace(ALPHA, "    answer: b\n", "    answer: [a, b]\n"),
         f"{ALPHA}:107:5", "a single-choice item has one answer"),
    case("true-false-item-with-options",
         replace(ALPHA, '    answer: "true"\n', '    options:\n      a: "Yes"\n    answer: "true"\n'),
         f"{ALPHA}:113:5", "a true-false item has no options"),
    case("open-item-with-options",
         replace(ALPHA, "    prompt: Name one reason consent matters.\n",
                 "    prompt: Name one reason consent matters.\n    options:\n      a: Control\n"),
         f"{ALPHA}:119:5", "an open item has no options"),
    case("objective-served-by-no-session",
         replace(ALPHA, "    objectives: [lo2]\n", "    objectives: [lo1]\n"),
         f"{ALPHA}:16:5", "no session serves objective 'lo2'"),
    case("knowledge-test-unknown-item",
         replace(DEMO, "start_date: 2026-03-02\n", "start_date: 2026-03-02\nknowledge_test: [alpha/q9]\n"),
         f"{DEMO}:8:18", "module 'alpha' has no assessment item 'q9' (items: q1, q2, q3)"),
    case("knowledge-test-item-asked-only-after",
         (replace(ALPHA, "    answer: It gives the person control over their story.\n",
                  "    answer: It gives the person control over their story.\n    phase: post\n"),
          replace(DEMO, "start_date: 2026-03-02\n", "start_date: 2026-03-02\nknowledge_test: [alpha/q1, alpha/q3]\n")),
         f"{DEMO}:8:28", "item 'alpha/q3' is asked only after the workshop (phase: post), but the knowledge test is "
                         "one form taken both before and after"),
    case("knowledge-test-unknown-module",
         replace(DEMO, "start_date: 2026-03-02\n", "start_date: 2026-03-02\nknowledge_test: [gamma/q1]\n"),
         f"{DEMO}:8:18", "unknown module 'gamma'"),
    case("unknown-session-lists-at-most-8-sessions",
         (write("modules/many/module.yml", module_with_sessions("many", 30)),
          replace(DEMO, "session: beta/closed", "session: many/zzz")),
         f"{DEMO}:26:9", "module 'many' has no session 'zzz' (sessions: s01, s02, s03, s04, s05, s06, s07, s08 "
                         "… and 22 more)"),
    case("handout-without-file",
         replace(ALPHA, "    file: handouts/opening-sheet.md\n", ""),
         f"{ALPHA}:91:5", "a handout needs 'file'"),
    case("handout-file-not-markdown",
         replace(ALPHA, "file: handouts/opening-sheet.md", "file: handouts/opening-sheet.txt"),
         f"{ALPHA}:94:5", "is not the name of a Markdown file"),
    # --- tracks of the curriculum ---------------------------------------------------------------
    case("track-lists-unknown-module",
         with_curriculum(CORE_TRACK.replace("alpha, beta", "alpha, beta, gamma")),
         f"{CURRICULUM}:5:28", "unknown module 'gamma'"),
    case("module-listed-in-two-tracks",
         with_curriculum(CORE_TRACK + "  - id: extra\n    title: Extra\n    modules: [alpha]\n"),
         f"{CURRICULUM}:8:15", "module 'alpha' is already listed in track 'core'"),
    case("track-disagrees-with-module",
         with_curriculum(CORE_TRACK + "  - id: extra\n    title: Extra\n", alpha_track="extra"),
         f"{CURRICULUM}:5:15", "module 'alpha' has track 'extra' in its module.yml, not 'core'"),
    case("duplicate-track-id",
         with_curriculum(CORE_TRACK + "  - id: core\n    title: Core again\n"),
         f"{CURRICULUM}:6:5", "duplicate track id 'core' (also at tracks[0])"),
]


def test_case_names_are_unique(record_property):
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))
    assert len(CASES) >= 150
    record_property("figure: bad inputs tried (each: exact place, message, exit 1)", len(CASES))


def run_check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", str(root)])
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert "Traceback" not in out, out
    return code, out


PARAMS = [pytest.param(c, id=c.name, marks=[pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else [])
          for c in CASES]


@pytest.mark.parametrize("c", PARAMS)
def test_bad_input(c: Case, mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    apply(mini, c.edits)
    code, out = run_check(mini, capsys)
    assert code == 1, out
    lines = [line for line in out.splitlines() if line.startswith(c.where)]
    assert lines, f"no diagnostic at {c.where}:\n{out}"
    assert any(c.fragment in line for line in lines), f"no {c.fragment!r} at {c.where}:\n{out}"


# --------------------------------------------------------------------------------------------
# Inputs that must pass, and YAML 1.1 traps that must stay text


def test_bom_and_windows_line_endings_pass(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in (ALPHA, INTRO, DEMO):
        path = mini / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    code, out = run_check(mini, capsys)
    assert code == 0, out
    assert "ok:" in out
    project, _ = load_project(mini)
    alpha = project.module("alpha")
    assert alpha is not None and "\r" not in alpha.summary


def test_bom_crlf_errors_keep_their_line(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = mini / ALPHA
    text = path.read_text().replace("    answer: b\n", "    answer: e\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    code, out = run_check(mini, capsys)
    assert code == 1
    assert f"{ALPHA}:107:5: assessment[0].answer: answer 'e' is not one of the options" in out


def test_yaml11_traps_stay_text(mini: Path) -> None:
    path = mini / ALPHA
    text = (path.read_text()
            .replace('version: "1.0"', "version: 1.10")
            .replace("aim: Practise a safe first conversation.", "aim: no")
            .replace("title: The case of Lin", "title: 1:30")
            .replace("        title: Short input", "        title: 0o17")
            .replace("  - Consent comes first.", "  - off\n  - 2001-12-14\n  - .inf")
            .replace("      c: Taking a photo of documents", "      c: YES\n      d: 1e3"))
    path.write_text(text)
    beta = mini / BETA
    beta.write_text(beta.read_text().replace("answer: [a, b]", "answer: [a, b, ~]"))
    project, diags = load_project(mini)
    alpha = project.module("alpha")
    assert alpha is not None, diags
    assert alpha.version == "1.10"
    assert alpha.aim == "no"
    assert alpha.handouts[0].title == "1:30"
    assert alpha.sessions[0].activities[0].title == "0o17"
    assert alpha.key_messages == ["off", "2001-12-14", ".inf"]
    assert alpha.assessment[0].options["c"] == "YES"
    assert alpha.assessment[0].options["d"] == "1e3"
    assert [d for d in diags if d.path == ALPHA] == []
    # '~' is YAML's null, not text: the list answer then has a non-text entry.
    assert any(d.path == BETA and d.key.startswith("assessment[0].answer") for d in diags)


def test_answer_no_stays_no(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = mini / ALPHA
    path.write_text(path.read_text().replace('    answer: "true"\n', "    answer: NO\n")
                    .replace("    answer: b\n", "    answer: yes\n"))
    project, _ = load_project(mini)
    alpha = project.module("alpha")
    assert alpha is not None
    assert alpha.assessment[0].answer == "yes"
    assert alpha.assessment[1].answer == "NO"
    code, out = run_check(mini, capsys)
    assert code == 1
    assert f"{ALPHA}:107:5: assessment[0].answer: answer 'yes' is not one of the options" in out


def test_single_digit_hour_is_a_valid_start(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = mini / DEMO
    path.write_text(path.read_text().replace('start: "09:00"', 'start: "9:00"'))
    code, out = run_check(mini, capsys)
    assert code == 0, out
