"""The codes of ``workshopkit check``: every diagnostic carries a registered code, codes never
change, every code is explained in the editor's guide, and every example triggers its code.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from workshopkit import rules
from workshopkit.check import check
from workshopkit.cli import main
from workshopkit.errors import Diagnostic
from workshopkit.guide import editor_guide
from workshopkit.kit.build import check_events
from workshopkit.rules import RULES, Rule, all_rules

from conftest import FIXTURES, ROOT
from test_bad_inputs import CASES, Case, apply

SRC = ROOT / "src" / "workshopkit"

#: Every code ever given, with its name. A code is never changed or given to another rule: a
#: rule that is removed moves to RETIRED, and its code is not used again.
CODES = {
    "WK001": "no-such-folder", "WK002": "not-a-repository", "WK003": "symbolic-link",
    "WK004": "not-a-regular-file", "WK005": "unreadable-file", "WK006": "file-too-large", "WK007": "not-utf8",
    "WK008": "forbidden-character", "WK009": "module-folder-without-module-yml", "WK010": "yaml-extension",
    "WK011": "id-not-file-name",
    "WK020": "invalid-yaml", "WK021": "duplicate-key", "WK022": "anchor-or-alias", "WK023": "yaml-tag",
    "WK024": "merge-key", "WK025": "complex-key", "WK026": "yaml-too-deep", "WK027": "not-a-mapping",
    "WK030": "unknown-key", "WK031": "missing-key", "WK032": "wrong-type", "WK033": "not-a-choice",
    "WK034": "bad-format", "WK035": "out-of-range", "WK036": "schema-rule", "WK037": "yes-no-for-a-sentence",
    "WK040": "markdown-file-not-found", "WK041": "markdown-file-outside-module", "WK042": "markdown-file-named-twice",
    "WK043": "not-a-markdown-file-name", "WK044": "handout-without-file",
    "WK101": "duplicate-id", "WK102": "duplicate-source-id", "WK103": "reserved-session-id",
    "WK104": "self-prerequisite", "WK105": "prerequisite-cycle",
    "WK110": "unknown-module", "WK111": "unknown-source", "WK112": "unknown-objective", "WK113": "unknown-handout",
    "WK114": "unknown-session", "WK115": "unknown-assessment-item", "WK116": "unknown-plan",
    "WK117": "unknown-facilitator",
    "WK120": "module-in-two-tracks", "WK121": "track-disagrees", "WK122": "unknown-track",
    "WK123": "module-not-in-curriculum",
    "WK201": "session-minutes", "WK202": "day-overrun", "WK203": "day-starts-after-end", "WK204": "no-break",
    "WK205": "slot-minutes-differ-from-plan",
    "WK301": "unknown-block", "WK302": "unclosed-block", "WK303": "stray-block-close",
    "WK304": "block-inside-more-private", "WK305": "marker-not-at-line-start", "WK306": "unclosed-code-fence",
    "WK307": "block-in-plain-text", "WK308": "marker-lookalike", "WK309": "marker-mid-line",
    "WK310": "marker-odd-space", "WK311": "admonition-hides-nothing", "WK312": "fenced-div-hides-nothing",
    "WK313": "class-hides-nothing", "WK314": "attribute-list-hides-nothing", "WK315": "hidden-attribute",
    "WK320": "html-tag-not-allowed", "WK321": "event-handler-attribute", "WK322": "style-attribute",
    "WK323": "html-url-scheme", "WK324": "raw-image", "WK325": "nesting-too-deep", "WK326": "unclosed-comment",
    "WK327": "crowded-paragraph", "WK328": "long-block",
    "WK336": "slide-break-under-text", "WK337": "empty-slide", "WK338": "block-across-slides",
    "WK339": "slide-too-long",
    "WK340": "link-without-target", "WK341": "link-masked", "WK342": "link-scheme-not-allowed",
    "WK343": "invalid-web-address", "WK344": "remote-image", "WK345": "file-link-in-plain-text",
    "WK346": "absolute-link", "WK347": "link-outside-modules", "WK348": "link-file-name-characters",
    "WK349": "link-through-symbolic-link", "WK350": "link-to-closed-module", "WK351": "link-file-name-unusable",
    "WK352": "link-target-not-found", "WK353": "image-format", "WK354": "image-not-published",
    "WK355": "image-without-alt", "WK356": "link-to-markdown-not-a-handout", "WK357": "link-not-published",
    "WK360": "rendered-html-unsafe", "WK361": "rendered-comment", "WK362": "unchecked-link",
    "WK363": "too-deep-to-render",
    "WK401": "site-config-unreadable", "WK402": "site-setting-not-allowed", "WK403": "include-extension",
    "WK404": "extension-not-allowed", "WK405": "plugin-not-allowed", "WK406": "extension-fails",
    "WK501": "title-not-plain", "WK510": "restricted-module-session", "WK511": "content-warning-not-announced",
    "WK512": "safety-notes-missing", "WK513": "support-contacts-missing", "WK514": "content-warning-repeats-step-out",
    "WK601": "too-few-options", "WK602": "missing-answer", "WK603": "several-answers",
    "WK604": "answer-not-an-option", "WK605": "true-false-with-options", "WK606": "true-false-answer",
    "WK607": "open-item-with-options", "WK608": "missing-explanation", "WK609": "objective-not-assessed",
    "WK610": "objective-not-taught", "WK611": "knowledge-test-item-phase",
    "WK710": "csv-not-utf8", "WK711": "csv-unreadable", "WK712": "csv-unknown-column",
    "WK713": "csv-no-name-column", "WK714": "roster-row-without-name", "WK715": "csv-too-many-cells",
    "WK716": "roster-duplicate-person", "WK717": "roster-bad-email", "WK718": "attendance-unclear",
    "WK719": "attendance-unknown-person", "WK720": "no-event-file", "WK721": "event-unknown-workshop",
    "WK722": "roster-missing", "WK723": "attendance-no-such-day", "WK724": "event-bad-id",
    "WK801": "catalogue-unreadable", "WK802": "translation-fuzzy", "WK803": "translation-structure",
    "WK804": "translation-missing", "WK805": "translation-glossary-term", "WK806": "translation-opens-a-block",
    "WK725": "answers-unknown-file", "WK726": "answers-unknown-column", "WK727": "answers-missing-column",
    "WK728": "answers-bad-code", "WK729": "answers-bad-phase", "WK730": "answers-unknown-option",
    "WK731": "answers-duplicate", "WK732": "print-list-no-count",
    "WK330": "card-break-under-text", "WK331": "card-break-spelling", "WK332": "empty-card",
    "WK333": "block-across-cards", "WK334": "card-number-out-of-order", "WK335": "card-key-mismatch",
}
#: Codes whose rules were removed: never given again.
RETIRED: dict[str, str] = {}

#: The most rules that may go without an example that stands alone.
MAX_EXEMPT = 12


# --------------------------------------------------------------------------------------------
# The registry


def test_codes_never_change_and_are_never_reused():
    registered = {r.code: r.name for r in all_rules()}
    assert registered == CODES, "a new code goes into CODES; a code of a removed rule moves to RETIRED"
    assert not set(RETIRED) & set(registered)


def test_every_rule_has_a_meaning_a_fix_and_an_example_or_a_reason():
    exempt = [r.code for r in all_rules() if r.exempt]
    assert len(exempt) <= MAX_EXEMPT, exempt
    for r in all_rules():
        assert r.summary.endswith(".") and r.fix and not r.fix.endswith("."), r.code
        assert bool(r.example) != bool(r.exempt), r.code
        assert (r.func is None) == (r.scope == "load"), r.code


def test_a_code_is_registered_once():
    with pytest.raises(ValueError, match="already the code"):
        rules.declare("WK101", "another-name", summary="x.", fix="y", exempt="z")
    with pytest.raises(ValueError, match="three digits"):
        rules.declare("WK1011", "long-code", summary="x.", fix="y", exempt="z")
    with pytest.raises(ValueError, match="example"):
        rules.declare("WK699", "no-example", summary="x.", fix="y")
    assert "WK699" not in RULES


def test_every_code_written_in_the_source_is_registered():
    written: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        for code in re.findall(r"[\"'](WK\d{3})[\"']", path.read_text(encoding="utf-8")):
            written.setdefault(code, set()).add(path.name)
    assert set(written) - set(RULES) == set()
    # Every code of the loader is reported somewhere outside the registry.
    loader = {r.code for r in all_rules() if r.scope == "load"}
    assert {code for code in loader if written.get(code, set()) - {"rules.py"}} == loader


def test_every_diagnostic_the_loader_and_check_make_is_given_a_code():
    """Read from the source: each ``Diagnostic(…)`` of the loader and the checker names its code."""
    missing = []
    for name in ("load.py", "yamlload.py", "check.py"):
        tree = ast.parse((SRC / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Diagnostic":
                if not (any(k.arg == "code" for k in node.keywords) or len(node.args) == 8):
                    missing.append(f"{name}:{node.lineno}")
    assert missing == []


# --------------------------------------------------------------------------------------------
# Every diagnostic of the bad-input corpus carries a registered code

#: The code of the expected diagnostic of each case of the bad-input corpus.
CASE_CODES = {
    "WK006": ("file-over-2mb", "markdown-file-too-large"),
    "WK007": ("non-utf8-module-yml", "non-utf8-markdown", "utf16-seed"),
    "WK008": (
        "control-character", "nul-from-escape", "nul-in-markdown", "terminal-escape-in-markdown",
        "terminal-escape-in-yaml", "c1-control-in-yaml",
    ),
    "WK009": ("module-folder-without-module-yml",),
    "WK010": ("workshop-file-ending-in-yaml",),
    "WK011": ("module-id-not-folder", "workshop-id-not-file", "seed-id-not-file"),
    "WK020": (
        "yaml-syntax-unclosed-flow-list", "yaml-syntax-unclosed-quote", "yaml-syntax-unclosed-quote-at-end",
        "yaml-bad-escape", "yaml-colon-in-plain-value", "tab-indentation", "multi-document",
        "yaml-unclosed-flow-mapping",
    ),
    "WK021": ("duplicate-key", "duplicate-key-nested", "duplicate-key-in-flow-mapping"),
    "WK022": ("alias-bomb", "anchor", "alias"),
    "WK023": ("python-object-tag", "custom-tag", "set-tag"),
    "WK024": ("merge-key",),
    "WK025": ("complex-key",),
    "WK026": ("deep-nesting-flow", "deep-nesting-block"),
    "WK027": ("top-level-list", "top-level-scalar", "empty-module-yml"),
    "WK030": (
        "unknown-key-typo", "unknown-key-typo-nested", "bidi-override-in-key-is-shown-escaped",
        "unknown-key-lists-at-most-8-allowed-keys",
    ),
    "WK031": ("missing-required-key", "missing-required-key-nested"),
    "WK032": ("text-for-minutes", "sexagesimal-minutes-stay-text", "start-date-in-words", "audience-not-a-list"),
    "WK033": ("unknown-enum-value", "yes-no-word-enum-did-you-mean", "enum-in-capitals-did-you-mean"),
    "WK037": ("opt-out-no", "content-warning-yes"),
    "WK034": ("bad-clock-time", "bad-id-pattern", "four-part-version", "slot-session-without-module"),
    "WK035": (
        "negative-minutes", "empty-title", "workshop-date-out-of-range", "break-too-short", "fill-in-too-many-lines",
        "handout-pages-max-over-limit", "short-title-too-long", "no-participants", "source-year-too-early",
        "module-without-sources", "activity-minutes-over-limit",
    ),
    "WK036": (
        "slot-two-kinds", "source-bad-url", "vague-objective-verb", "case-study-without-anonymisation",
        "role-play-without-opt-out", "restricted-session-on-record", "objective-verb-not-in-list",
        "programme-item-without-title",
    ),
    "WK040": ("missing-markdown-file", "missing-handout-file", "markdown-file-name-too-long"),
    "WK041": ("markdown-file-outside-module",),
    "WK043": ("handout-file-not-markdown",),
    "WK044": ("handout-without-file",),
    "WK101": (
        "duplicate-session-id", "duplicate-objective-id", "duplicate-handout-id", "duplicate-assessment-item-id",
        "duplicate-activity-id", "duplicate-track-id",
    ),
    "WK102": ("duplicate-source-id-across-files",),
    "WK103": ("session-id-takes-a-page-name",),
    "WK104": ("prerequisite-self",),
    "WK105": ("prerequisite-cycle", "prerequisite-cycle-with-duplicate-module-ids"),
    "WK110": (
        "ref-prerequisite-module", "ref-slot-module", "ref-slot-session-module", "knowledge-test-unknown-module",
        "track-lists-unknown-module",
    ),
    "WK111": ("ref-module-source", "ref-handout-source", "ref-glossary-source"),
    "WK112": ("ref-session-objective", "ref-assessment-objective", "line-100-is-not-an-emoji"),
    "WK113": ("ref-activity-handout",),
    "WK114": ("ref-slot-session", "unknown-session-lists-at-most-8-sessions"),
    "WK115": ("knowledge-test-unknown-item",),
    "WK120": ("module-listed-in-two-tracks",),
    "WK121": ("track-disagrees-with-module",),
    "WK201": ("activities-do-not-add-up",),
    "WK202": ("day-overflows-end-time",),
    "WK203": ("day-starts-after-end",),
    "WK301": ("unknown-block-name",),
    "WK302": ("unclosed-facilitator-block", "unclosed-block-inline-yaml"),
    "WK303": ("stray-block-close",),
    "WK304": ("restricted-inside-facilitator",),
    "WK305": ("indented-facilitator-block", "facilitator-block-inside-a-quote"),
    "WK306": ("unclosed-code-fence",),
    "WK307": ("block-in-plain-text-field", "block-in-glossary-definition", "block-in-source-summary"),
    "WK320": ("raw-script", "raw-iframe-inline-yaml", "script-in-a-title"),
    "WK321": ("onerror-attribute",),
    "WK323": ("javascript-href",),
    "WK324": ("raw-html-image",),
    "WK325": ("quotes-nested-too-deep", "lists-nested-too-deep-with-html"),
    "WK342": ("javascript-link",),
    "WK344": ("remote-image",),
    "WK347": ("link-outside-modules",),
    "WK351": ("link-name-too-long",),
    "WK352": ("link-to-missing-file",),
    "WK355": ("image-without-alt",),
    "WK360": (
        "attribute-list-event-handler", "attribute-list-style", "reference-link-javascript",
        "nested-brackets-javascript", "entity-encoded-scheme", "html-tag-split-over-lines", "svg-animation-link",
        "javascript-link-in-glossary-definition",
    ),
    "WK401": ("mkdocs-invalid-yaml", "mkdocs-not-utf8", "mkdocs-not-a-mapping", "mkdocs-python-tag"),
    "WK404": ("unknown-markdown-extension",),
    "WK406": ("markdown-extension-unknown-setting",),
    "WK512": ("sensitive-case-study-without-safety-notes",),
    "WK513": ("content-warnings-without-support-contacts",),
    "WK601": ("single-choice-item-with-one-option",),
    "WK602": ("single-choice-item-without-answer",),
    "WK603": ("single-choice-item-with-two-answers",),
    "WK604": ("answer-not-an-option", "bidi-override-in-option-key-is-shown-escaped"),
    "WK605": ("true-false-item-with-options",),
    "WK606": ("true-false-bad-answer", "yaml11-no-stays-text"),
    "WK607": ("open-item-with-options",),
    "WK610": ("objective-served-by-no-session",),
    "WK611": ("knowledge-test-item-asked-only-after",),
}


def test_every_case_of_the_corpus_has_its_code():
    named = [name for names in CASE_CODES.values() for name in names]
    assert sorted(named) == sorted(c.name for c in CASES)


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_every_diagnostic_carries_a_registered_code(c: Case, mini: Path) -> None:
    apply(mini, c.edits)
    _, diags = check(mini)
    assert diags
    assert [d.format() for d in diags if d.code not in RULES] == []
    for d in diags:
        assert RULES[d.code].severity == d.severity, d.format()
    expected = {d.code for d in diags if d.format().startswith(c.where) and c.fragment in d.format()}
    assert expected == {code for code, names in CASE_CODES.items() if c.name in names}


def test_a_clean_repository_has_no_diagnostics_without_a_code():
    for root in (ROOT, FIXTURES / "mini"):
        _, diags = check(root)
        assert all(d.code in RULES for d in diags)


# --------------------------------------------------------------------------------------------
# Examples: each, put into the small repository, triggers its code

_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:", re.M)


def _merge(base: str, part: str) -> str:
    """``base`` without its top-level keys that ``part`` sets, then ``part``."""
    keys = set(_TOP_KEY.findall(part))
    out, keep = [], True
    for line in base.splitlines(keepends=True):
        m = _TOP_KEY.match(line)
        if m:
            keep = m.group(1) not in keys
        elif line.startswith("#"):
            keep = True
        if keep:
            out.append(line)
    text = "".join(out)
    return text + ("" if text.endswith("\n") else "\n") + part


def place(root: Path, file: str, text: str) -> None:
    """Write one part of an example as :mod:`workshopkit.rules` describes it."""
    path = root / file
    if path.suffix in (".yml", ".yaml") and path.exists() and _TOP_KEY.match(text):
        path.write_text(_merge(path.read_text(encoding="utf-8"), text), encoding="utf-8")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_merging_replaces_top_level_keys_only():
    base = "# schema\nid: alpha\nsessions:\n  - id: a\n    title: x\nlevel: introductory\n"
    assert _merge(base, "sessions: []\n") == "# schema\nid: alpha\nlevel: introductory\nsessions: []\n"


EXAMPLES = [r for r in sorted(RULES.values(), key=lambda r: r.code) if r.example]


@pytest.mark.parametrize("r", EXAMPLES, ids=[r.code for r in EXAMPLES])
def test_each_example_triggers_its_code(r: Rule, mini: Path) -> None:
    for file, text in r.example:
        place(mini, file, text)
    project, diags = check(mini)
    if r.code.startswith("WK7"):  # events are checked (as by `workshopkit check`) against a valid curriculum
        diags = diags + check_events(mini, project)
    found = [d for d in diags if d.code == r.code]
    assert found, f"{r.code} {r.name}: not reported; got:\n" + "\n".join(d.format() for d in diags)
    assert all(d.severity == r.severity for d in found)


def test_the_fixture_triggers_none_of_the_codes():
    """Examples start from a repository without a single diagnostic, so each code they trigger is theirs."""
    _, diags = check(FIXTURES / "mini")
    assert diags == []


# --------------------------------------------------------------------------------------------
# The editor's guide and --explain


def test_the_guide_lists_every_code_with_its_example():
    guide = editor_guide()
    section = guide[guide.index("## Problems and their codes"):]
    entries = dict(re.findall(r"^#### (WK\d{3}) .*?\n(.*?)(?=^#### |^### |\Z)", section, flags=re.M | re.S))
    assert list(entries) == [r.code for r in all_rules()]
    for r in all_rules():
        entry = entries[r.code]
        assert f"#### {r.code} {r.name} {{ #{r.code.lower()} }}" in section
        assert r.summary in entry and r.fix in entry, r.code
        for file, text in r.example:
            assert f"`{file}`" in entry and text.rstrip("\n") in entry, r.code
        if r.exempt:
            assert r.exempt in entry
        assert f"| [{r.code}](#{r.code.lower()}) | {r.name} | {r.severity} |" in section


def test_examples_in_the_guide_are_fenced_as_code(mini: Path):
    guide = editor_guide()
    # The examples hold markers, comments and fences: each is inside a longer fence.
    assert "````markdown\nDiscuss one more example.\n    ```\n" in guide
    fence = None
    for line in guide[guide.index("## Problems and their codes"):].split("\n"):
        m = re.match(r"^(`{3,})", line)
        if m and fence is None:
            fence = m.group(1)
        elif m and fence is not None and m.group(1) == fence and line == fence:
            fence = None
        elif fence is None:
            assert not line.startswith(("///", "<", "!!!", ":::")), line
    assert fence is None


def test_explain_prints_a_code(capsys):
    assert main(["check", "--explain", "wk101"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("WK101 duplicate-id (error)")
    assert "Fix: give each one its own id" in out and "modules/alpha/module.yml:" in out
    assert main(["check", "--explain", "no-break"]) == 0
    assert capsys.readouterr().out.startswith("WK204 no-break (warning)")
    assert main(["check", "--explain", "WK001"]) == 0
    assert "No example: the problem is in the file system" in capsys.readouterr().out


def test_explain_refuses_an_unknown_code(capsys):
    assert main(["check", "--explain", "WK1O1"]) == 1
    assert "unknown code 'WK1O1' (did you mean WK101?)" in capsys.readouterr().err
    assert main(["check", "--explain", "duplicate-ids"]) == 1
    assert "(did you mean duplicate-id?)" in capsys.readouterr().err
    assert main(["check", "--explain", "WK999"]) == 1
    assert "codes run from WK001 to" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# The code in each output format


def test_the_code_follows_the_place_in_text_json_and_github(mini: Path, capsys):
    yml = mini / "modules/alpha/module.yml"
    yml.write_text(yml.read_text().replace("answer: b\n", "answer: d\n"), encoding="utf-8")
    yml.write_text(yml.read_text().replace("    explanation: Knowing they can stop gives the person control.\n", ""),
                   encoding="utf-8")
    assert main(["check", str(mini)]) == 1
    out = capsys.readouterr().out
    assert ("modules/alpha/module.yml:107:5: assessment[0].answer: answer 'd' is not one of the options (a, b, c) "
            "(use the key of an option, e.g. 'b') [WK604]") in out
    assert ("modules/alpha/module.yml:109:5: warning: assessment[1]: a scored item needs an explanation "
            "(add 'explanation:' for the answer key) [WK608]") in out
    assert main(["check", str(mini), "--format", "json"]) == 1
    records = json.loads(capsys.readouterr().out)
    assert {(r["code"], r["severity"]) for r in records} == {("WK604", "error"), ("WK608", "warning")}
    assert main(["check", str(mini), "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("::error file=modules/alpha/module.yml,line=107,col=5::assessment[0].answer: answer 'd'")
    assert lines[0].endswith(" [WK604]")
    assert lines[1].startswith("::warning file=modules/alpha/module.yml,line=109,col=5::assessment[1]: a scored item")
    assert lines[1].endswith("(add 'explanation:' for the answer key) [WK608]")


def test_a_diagnostic_without_a_code_prints_as_before():
    d = Diagnostic("mkdocs.yml", 3, 1, "", "a build step failed", "fix it")
    assert d.format() == "mkdocs.yml:3:1: a build step failed (fix it)"
    assert d.github() == "::error file=mkdocs.yml,line=3,col=1::a build step failed (fix it)"
    assert d.as_dict()["code"] == ""


def test_explain_matches_the_registry():
    for r in all_rules():
        text = r.explain()
        assert text.startswith(f"{r.code} {r.name} ({r.severity})") and r.summary in text and r.fix in text
