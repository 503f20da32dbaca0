"""What ``check`` and ``build`` print about hostile content, and where they say it is.

Threats covered:

* **Terminal injection through diagnostics.** ``check`` quotes the content it complains about
  (the offending line under a caret, key names, option keys, file names). Content written by
  someone outside the team may hold escape sequences (CSI, OSC window titles and hyperlinks, BEL),
  C1 controls (the 8-bit CSI) or bidirectional overrides and isolates (the "Trojan Source"
  characters). Printed raw, they clear or retitle the reviewer's terminal, hide part of a report,
  forge an "ok" line, or show text in another order than it is stored. Text output shows them
  escaped (``\\x1b``, ``\\u202e``) with the caret still under the offending character; a newline
  inside a quoted value cannot start a line of its own; console markup in a value cannot crash
  the printer.
* **Workflow-command injection.** ``--format github`` lines are read by the Actions runner: a
  value with a newline could start a ``::command::`` of its own, and a file name with ``,`` or
  ``:`` could add or end a property. Values are escaped by GitHub's rules.
* **JSON stays faithful.** ``--format json`` gives tools the exact strings, yet nothing in it
  acts on a terminal that shows it.
* **Errors without a place.** Problems of the site configuration (``mkdocs.yml``) and of the PDF
  stage name the file (and line) to fix; a problem with a whole file or folder prints as
  ``path: …``, never with an invented ``:0:0`` or ``:1:1``.
* **Hint flooding.** A hint lists at most eight known names, then how many more there are, however
  many thousands the repository holds.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rich.cells import cell_len

from workshopkit.cli import main

from conftest import ROOT

ALPHA = "modules/alpha/module.yml"
INTRO = "modules/alpha/intro.md"
DEMO = "curriculum/demo.yml"
ESC, BEL, CSI8 = "\x1b", "\x07", "\x9b"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
#: Nothing a terminal acts on may reach it (tab and newline are layout, not controls).
RAW_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029{BIDI}]")


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert "Traceback" not in out, out
    return code, out


def excerpt_under(out: str, line_no: int) -> tuple[str, int]:
    """The shown source line ``line_no`` and the cell its caret stands under (both 0-based after
    the ``  NNNN | `` gutter)."""
    lines = out.splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.startswith(f"  {line_no:>4} | "))
    shown, caret = lines[i][len("  NNNN | "):], lines[i + 1]
    assert caret.startswith("       | "), caret
    return shown, caret[len("       | "):].index("^")


# --------------------------------------------------------------------------------------------
# 17: terminal escapes are shown, never acted on


def test_escape_sequences_in_markdown_are_shown_escaped_with_the_caret_under_them(mini: Path, capsys):
    (mini / INTRO).write_text((mini / INTRO).read_text(encoding="utf-8")
                              + f"\n{BIDI[4]}{BIDI[5]} 안녕 {ESC}]0;owned{BEL}{ESC}[2J{ESC}[1A ok\n", encoding="utf-8")
    code, out = run(["check", str(mini)], capsys)
    assert code == 1
    assert not RAW_CONTROL.search(out), repr(out)
    assert f"{INTRO}:9:7: the character U+001B is not allowed" in out
    shown, caret = excerpt_under(out, 9)
    assert shown == "\\u202e\\u2066 안녕 \\x1b]0;owned\\x07\\x1b[2J\\x1b[1A ok"
    # Under the escaped ESC, counting the escapes before it and the two cells of each Hangul syllable.
    assert caret == cell_len(shown[:shown.index("\\x1b")]) == 18


def test_c1_controls_in_yaml_are_shown_escaped(mini: Path, capsys):
    edit(mini, ALPHA, "aim: Practise a safe", f"aim: Practise{CSI8}2J{ESC}[31m a safe")
    code, out = run(["check", str(mini)], capsys)
    assert code == 1
    assert not RAW_CONTROL.search(out), repr(out)
    assert f"{ALPHA}:7:14: the character U+009B is not allowed in YAML" in out
    shown, caret = excerpt_under(out, 7)
    assert shown == "aim: Practise\\x9b2J\\x1b[31m a safe first conversation."
    assert shown[caret:].startswith("\\x9b")


def test_escapes_and_overrides_quoted_in_messages_are_shown_escaped(mini: Path, capsys):
    # Keys are not values: a double-quoted key may spell ESC and BEL as YAML escapes.
    edit(mini, ALPHA, "aim: Practise", '"a\\e]0;owned\\aim": Practise')
    edit(mini, "modules/beta/module.yml", "      b: Humanitarian", f"      b{BIDI[4]}: Humanitarian")
    code, out = run(["check", str(mini)], capsys)
    assert code == 1
    assert not RAW_CONTROL.search(out), repr(out)
    assert f"{ALPHA}:7:1: a\\x1b]0;owned\\x07im: unknown key 'a\\x1b]0;owned\\x07im'" in out
    assert "modules/beta/module.yml:52:5: assessment[0].answer: answer 'b' is not one of the options (a, b\\u202e, c)" in out


def test_file_names_with_escapes_are_shown_escaped(mini: Path, capsys):
    folder = mini / "modules" / f"x{ESC}]0;owned{BEL}{BIDI[4]}"
    folder.mkdir()
    (folder / "notes.md").write_text("notes\n", encoding="utf-8")
    code, out = run(["check", str(mini)], capsys)
    assert code == 1
    assert not RAW_CONTROL.search(out), repr(out)
    assert "modules/x\\x1b]0;owned\\x07\\u202e: module folder without module.yml" in out


def test_a_long_line_is_shown_around_its_column(mini: Path, capsys):
    (mini / INTRO).write_text((mini / INTRO).read_text(encoding="utf-8")
                              + "\n" + "word " * 10_000 + f"{ESC}[2J and more words after it\n", encoding="utf-8")
    code, out = run(["check", str(mini)], capsys)
    assert code == 1
    assert f"{INTRO}:9:50001: the character U+001B is not allowed" in out
    shown, caret = excerpt_under(out, 9)
    assert len(shown) < 150 and shown.startswith("…")
    assert shown[caret:].startswith("\\x1b[2J and more words after it")


def test_a_newline_in_a_quoted_value_cannot_forge_a_line(mini: Path, capsys):
    forged = "modules/alpha/module.yml:1:1: all clear"
    edit(mini, ALPHA, "aim: Practise", f'"aim\\n{forged}\\r2 modules, ok": Practise')
    code, out = run(["check", str(mini)], capsys)
    assert code == 1
    assert not any(line.startswith(forged) for line in out.splitlines()), out
    assert f"unknown key 'aim\\n{forged}\\r2 modules, ok'" in out


def test_console_markup_and_escapes_in_an_argument_are_printed_as_text(mini: Path, capsys):
    code, out = run(["new", "module", "--path", str(mini), "--", f"[/red]{ESC}[2J[bold]x"], capsys)
    assert code == 1
    assert "'[/red]\\x1b[2J[bold]x' is not a valid module id" in " ".join(out.split())
    assert not RAW_CONTROL.search(out), repr(out)


def test_github_annotations_cannot_start_a_workflow_command(mini: Path, capsys):
    edit(mini, ALPHA, "aim: Practise", '"aim\\n::add-mask::secret\\r\\n::error file=x::100% fake": Practise')
    (mini / "modules" / "a,b:c").mkdir()  # a folder without module.yml, named to end the property
    (mini / "modules" / "a,b:c" / "notes.md").write_text("notes\n", encoding="utf-8")
    code, out = run(["check", str(mini), "--format", "github"], capsys)
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 2 and all(line.startswith("::error file=") for line in lines), lines
    key = next(line for line in lines if "add-mask" in line)
    assert key.startswith(f"::error file={ALPHA},line=7,col=1::")
    assert "aim%0A::add-mask::secret%0D%0A::error file=x::100%25 fake" in key
    folder = next(line for line in lines if "module folder" in line)
    # The whole folder: no line or column, and the name cannot add a property or end the value.
    assert folder.startswith("::error file=modules/a%2Cb%3Ac::module folder without module.yml")


def test_json_keeps_the_exact_text_and_nothing_in_it_acts_on_a_terminal(mini: Path, capsys):
    edit(mini, ALPHA, "aim: Practise", '"a\\e[2J\\x85\\u202eim": Practise')
    code, out = run(["check", str(mini), "--format", "json"], capsys)
    assert code == 1
    assert not RAW_CONTROL.search(out), repr(out)
    records = json.loads(out)
    key = next(r for r in records if r["message"].startswith("unknown key"))
    assert key["message"] == "unknown key 'a\x1b[2J\x85\u202eim'"
    assert (key["path"], key["line"], key["col"]) == (ALPHA, 7, 1)


# --------------------------------------------------------------------------------------------
# 18: every problem names its place; whole files print without a line; hints stay short


def test_whole_file_problems_print_without_a_line(mini: Path, capsys):
    (mini / "modules/gamma").mkdir()
    (mini / "modules/gamma/notes.md").write_text("Just notes.\n", encoding="utf-8")
    (mini / "curriculum/extra.yaml").write_text("id: extra\n", encoding="utf-8")
    code, out = run(["check", str(mini)], capsys)
    assert code == 1
    assert "modules/gamma: module folder without module.yml (add module.yml or remove the folder)" in out
    assert "curriculum/extra.yaml: workshop files end in .yml" in out
    assert ":0:0" not in out and ":0:" not in out
    code, out = run(["check", str(mini), "--format", "json"], capsys)
    records = {r["path"]: r for r in json.loads(out)}
    assert (records["modules/gamma"]["line"], records["modules/gamma"]["col"]) == (0, 0)  # tools still get numbers


def test_a_missing_top_level_key_is_reported_at_the_first_key_not_at_a_comment(mini: Path, capsys):
    edit(mini, "modules/beta/module.yml", "level: intermediate\n", "")
    code, out = run(["check", str(mini)], capsys)
    assert code == 1
    assert "modules/beta/module.yml:2:1: level: missing required key 'level' (add it)" in out
    shown, caret = excerpt_under(out, 2)
    assert (shown, caret) == ("id: beta", 0)


def test_site_configuration_problems_name_their_line_once(mini: Path, capsys):
    (mini / "mkdocs.yml").write_text("site_name: Mini\nmarkdown_extensions:\n  - toc:\n      permalink: true\n"
                                     "      perma_link: true\n", encoding="utf-8")
    code, out = run(["check", str(mini)], capsys)
    assert code == 1
    assert ("mkdocs.yml:5:7: markdown_extensions: the Markdown extension 'toc' cannot be loaded "
            "(KeyError: 'perma_link')") in out
    (mini / "mkdocs.yml").write_text("site_name: Mini\nmarkdown_extensions: [toc\n", encoding="utf-8")
    code, out = run(["check", str(mini)], capsys)
    assert code == 1
    assert re.search(r"^mkdocs\.yml:3:1: invalid YAML in the site configuration: .*started on line 2", out, re.M), out
    assert out.count("mkdocs.yml:") == 1  # the place is given once, not 'mkdocs.yml:1:1: mkdocs.yml:3:1: …'


def test_a_setting_mkdocs_refuses_is_reported_at_its_line(mini: Path, capsys):
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert text.count("  name: material\n") == 1
    (mini / "mkdocs.yml").write_text(text.replace("  name: material\n", "  name: materia\n"), encoding="utf-8")
    theme = next(no for no, line in enumerate(text.split("\n"), start=1) if line == "theme:")
    code, out = run(["build", str(mini), "--site", "--audience", "participant"], capsys)
    assert code == 1
    assert (f"error: mkdocs.yml:{theme}:1: MkDocs could not build the participant site: Config value 'theme': "
            "Unrecognised theme name: 'materia'") in " ".join(out.split())


def test_a_pdf_that_cannot_be_rendered_names_the_file_it_comes_from(mini: Path, capsys, monkeypatch):
    from workshopkit.pdf import html as print_html

    original = print_html.PrintGenerator.handout

    def with_a_forbidden_image(self, subject):  # HTML that reaches the renderer unscanned
        doc = original(self, subject)
        doc.html = doc.html.replace("</body>", '<img src="file:///etc/hostname" alt="x"></body>')
        return doc

    monkeypatch.setattr(print_html.PrintGenerator, "handout", with_a_forbidden_image)
    code, out = run(["build", str(mini), "--pdf", "--only", "alpha", "--audience", "participant"], capsys)
    assert code == 1
    text = " ".join(out.split())
    assert "error: modules/alpha/handouts/case-lin.md: PDF rendering failed:" in text
    assert "modules/alpha/handouts/opening-sheet.md: My opening lines: refused to fetch 'file:///etc/hostname'" in text


def test_a_problem_found_while_making_print_html_names_the_file_it_comes_from(mini: Path, capsys, monkeypatch):
    from workshopkit.errors import BuildError
    from workshopkit.pdf import html as print_html

    def unsafe(self, text, shift, anchors=None):
        raise BuildError("print HTML would hold unsafe content (a test); run 'workshopkit check' to find the source line")

    monkeypatch.setattr(print_html.PrintGenerator, "md", unsafe)
    code, out = run(["build", str(mini), "--pdf", "--only", "demo", "--audience", "participant"], capsys)
    assert code == 1
    assert (f"error: {DEMO}: participant/demo/workbook.pdf: print HTML would hold unsafe content (a test)"
            in " ".join(out.split())), out


def _module_with_sessions(mid: str, count: int) -> str:
    sessions = "".join(
        f"  - id: s{i:04d}\n    title: Session {i}\n    minutes: 10\n    objectives: [lo1]\n    activities:\n"
        f"      - id: talk\n        title: Talk\n        method: presentation\n        minutes: 10\n"
        for i in range(1, count + 1))
    return (f"id: {mid}\ntitle: Many sessions\nsummary: A module with many sessions.\naudience: [staff]\n"
            "level: introductory\nlearning_objectives:\n  - id: lo1\n    text: Describe the options.\n"
            f"content_warnings:\n  tags: []\nsources: [lib-handbook]\nsessions:\n{sessions}")


def test_hints_list_at_most_eight_names(mini: Path, capsys):
    (mini / "modules/many").mkdir()
    (mini / "modules/many/module.yml").write_text(_module_with_sessions("many", 1000), encoding="utf-8")
    edit(mini, DEMO, "session: beta/closed", "session: many/zzz")
    edit(mini, DEMO, "start_date: 2026-03-02\n", "start_date: 2026-03-02\nknowledge_test: [many/q1]\n")
    code, out = run(["check", str(mini)], capsys)
    assert code == 1
    assert ("module 'many' has no session 'zzz' (sessions: s0001, s0002, s0003, s0004, s0005, s0006, s0007, "
            "s0008 … and 992 more)") in out
    assert "module 'many' has no assessment item 'q1' (the module has no assessment items)" in out
    assert max(len(line) for line in out.splitlines()) < 300
