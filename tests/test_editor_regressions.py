"""Regressions for the bugs a new editor hit (issue 16, "Bugs" 2–7).

Each test breaks or uses a copy of ``tests/fixtures/mini`` the way the editor did and checks what
``check``, ``new``, ``build --only`` and the editor's guide say about it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from workshopkit.build import BuildOptions, plan_for, run_build, site_pages, views_for
from workshopkit.check import check
from workshopkit.cli import main
from workshopkit.errors import Diagnostic
from workshopkit.guide import editor_guide
from workshopkit.markdown import load_site_config
from workshopkit.model import YES_NO_WORDS
from workshopkit.schema import schema_text

from conftest import FIXTURES
from test_bad_inputs import ALPHA, BETA, CASES, DEMO, GLOSSARY, INTRO, LIBRARY, Edit, apply, replace, write

CURRICULUM = "curriculum/curriculum.yml"
TRACKS = "title: Mini curriculum\ntracks:\n  - id: core\n    title: Core\n    modules: [alpha, beta]\n"
WITH_TRACKS = (write(CURRICULUM, TRACKS),
               replace(ALPHA, "level: introductory\n", "level: introductory\ntrack: core\n"),
               replace(BETA, "level: intermediate\n", "level: intermediate\ntrack: core\n"))


def diagnostics(root: Path, *edits: Edit) -> list[Diagnostic]:
    apply(root, edits)
    return check(root)[1]


def shown(diags: list[Diagnostic]) -> list[str]:
    return [d.format() for d in diags]


def line_of(root: Path, file: str, text: str) -> int:
    return next(no for no, line in enumerate((root / file).read_text(encoding="utf-8").split("\n"), start=1)
                if text in line)


# --------------------------------------------------------------------------------------------
# Bug 2: an item asked only after the workshop, in the test taken before and after


@pytest.mark.parametrize("phase, when", [("post", "after"), ("pre", "before")])
def test_a_knowledge_test_item_asked_only_once_is_an_error(mini: Path, phase: str, when: str):
    diags = diagnostics(mini, replace(ALPHA, "    answer: It gives the person control over their story.\n",
                                      f"    answer: It gives the person control over their story.\n    phase: {phase}\n"),
                        replace(DEMO, "start_date: 2026-03-02\n",
                                "start_date: 2026-03-02\nknowledge_test: [alpha/q1, alpha/q3]\n"))
    assert shown(diags) == [
        f"{DEMO}:8:28: knowledge_test[1]: item 'alpha/q3' is asked only {when} the workshop (phase: {phase}), but the "
        "knowledge test is one form taken both before and after (set 'phase: both' on the item in "
        "modules/alpha/module.yml, or leave it out of knowledge_test) [WK611]"]
    assert diags[0].severity == "error"


def test_items_asked_both_times_pass(mini: Path):
    assert diagnostics(mini, replace(DEMO, "start_date: 2026-03-02\n",
                                     "start_date: 2026-03-02\nknowledge_test: [alpha/q1, alpha/q3]\n")) == []


# --------------------------------------------------------------------------------------------
# Bug 3: a slot's note shows in the agenda on session, module and break slots too

NOTES = (replace(DEMO, "      - module: alpha\n", "      - module: alpha\n        note: Bring the case cards\n"),
         replace(DEMO, "        title: Coffee\n", "        title: Coffee\n        note: Served in the lobby\n"),
         replace(DEMO, "      - session: beta/open-part\n",
                 "      - session: beta/open-part\n        note: With a guest speaker\n"),
         replace(DEMO, "      - session: beta/closed\n", "      - session: beta/closed\n        note: Closed-door guest\n"))


@pytest.mark.parametrize("audience, restricted", [("participant", False), ("facilitator", False), ("facilitator", True)])
def test_a_slot_note_shows_on_session_and_break_slots_of_the_site_agenda(mini: Path, audience: str, restricted: bool):
    apply(mini, NOTES)
    project, diags = check(mini)
    assert diags == []
    config = load_site_config(mini)
    opts = BuildOptions(root=mini, audiences=(audience,), pdf=False, include_restricted=restricted)
    files, _ = site_pages(views_for(project, opts)[audience], config, mini)
    page = files.pages["workshops/demo.md"]
    assert "*Coffee* <br><small>Served in the lobby</small>" in page
    assert "<small>With a guest speaker</small>" in page
    # A module slot stands for several sessions: its note shows once, under the first.
    assert page.count("Bring the case cards") == 1
    opening = next(line for line in page.split("\n") if "Opening a first conversation" in line)
    assert "<small>Bring the case cards</small>" in opening
    # An agenda that shows a closed session as closed shows neither its title nor its note.
    assert ("Closed-door guest" in page) is restricted


def test_a_slot_note_shows_on_session_and_break_slots_of_the_printed_agenda(mini: Path):
    from workshopkit.pdf.build import documents
    from workshopkit.pdf.html import PrintGenerator
    from workshopkit.strings import load_strings

    apply(mini, NOTES)
    project, diags = check(mini)
    assert diags == []
    opts = BuildOptions(root=mini, site=False)
    views = views_for(project, opts)
    plan = plan_for(views, opts)
    config = load_site_config(mini)
    gen = PrintGenerator(config, load_strings("en"), mini, mini / "build" / ".cache" / "assets")
    docs = {doc.rel_path: doc.html for doc in documents(mini, views, plan, gen, False)}
    for path in ("participant/demo/workbook.pdf", "facilitator/demo/facilitator-guide.pdf"):
        html = docs[path]
        assert "Served in the lobby</small>" in html, path
        assert "With a guest speaker</small>" in html, path
        assert html.count("Bring the case cards") == 1, path
        assert "Closed-door guest" not in html, path  # closed sessions are shown as closed


# --------------------------------------------------------------------------------------------
# Bug 4: 'opt_out: no' (and other yes/no words where a sentence is asked for)


@pytest.mark.parametrize("word", ["no", "No", "NO", "yes", "false", "off", "n"])
def test_a_yes_no_word_for_an_opt_out_is_refused(mini: Path, word: str):
    diags = diagnostics(mini, replace(ALPHA, "opt_out: Act as observer instead.", f"opt_out: {word}"))
    assert shown(diags) == [
        f"{ALPHA}:75:9: sessions[1].activities[0].opt_out: '{word}' is a yes/no answer, not the sentence this key "
        "asks for (write what a participant may do instead, e.g. 'Take the observer's role') [WK037]"]


@pytest.mark.parametrize("key, old", [
    ("observer", "observer: Watch whether consent was asked."),
    ("de_roling", "de_roling: Each person says their real name and one thing they will do this evening."),
    ("note", "note: The case mentions exploitation without detail."),
])
def test_other_keys_that_ask_for_a_sentence_refuse_yes_no_words(mini: Path, key: str, old: str):
    diags = diagnostics(mini, replace(ALPHA, old, f"{key}: off"))
    assert [d.code for d in diags] == ["WK037"] and diags[0].key.endswith(key)


def test_sentences_with_yes_no_words_in_them_pass(mini: Path):
    assert diagnostics(mini, replace(ALPHA, "opt_out: Act as observer instead.",
                                     "opt_out: No role - take notes as an observer")) == []


def test_the_schema_tells_editors_about_yes_no_words_too():
    activity = json.loads(schema_text("module"))["$defs"]["Activity"]["properties"]["opt_out"]
    pattern = activity["not"]["pattern"]
    assert all(re.match(pattern, word) for word in YES_NO_WORDS)
    assert not re.match(pattern, "Take the observer's role")


# --------------------------------------------------------------------------------------------
# Bug 5: check reports every problem at once, without false reports from the parts that failed


def test_schema_errors_do_not_hide_cross_file_problems_of_the_same_files(mini: Path):
    diags = diagnostics(
        mini,
        replace(ALPHA, "level: introductory", "level: beginner"),                   # a required key at the top
        replace(ALPHA, "        minutes: 50\n", "        minutes: fifty\n"),          # inside an activity
        replace(ALPHA, "handout: case-lin", "handout: case-linn"),                 # a dangling reference
        replace(ALPHA, "    kind: worksheet\n", "    kind: work-sheet\n"),          # a handout that fails
        Edit(INTRO, lambda raw: (raw or b"") + b"\nSee [the sheet](handouts/opening-sheet.md) and "
                                               b"[gone](handouts/gone.md).\n", "append two links"),
        replace(DEMO, "mode: on-site\n", "mode: on-site\nrecording: no\n"),       # a choice at the top
        replace(DEMO, "session: beta/open-part", "session: beta/open-prat"))       # a dangling reference
    assert [(d.path, d.line, d.col, d.code) for d in diags] == [
        (DEMO, 7, 1, "WK033"),
        (DEMO, 26, 9, "WK114"),
        (INTRO, 9, 48, "WK352"),  # the link to the handout that failed the schema is not reported
        (ALPHA, 11, 1, "WK033"),
        (ALPHA, 52, 9, "WK113"),
        (ALPHA, 70, 9, "WK032"),
        (ALPHA, 93, 5, "WK033"),
    ]


def test_problems_after_a_part_left_out_keep_their_place_and_key(mini: Path):
    diags = diagnostics(
        mini,
        replace(ALPHA, "        minutes: 15\n", "        minutes: fifteen\n"),  # activities[0] is left out
        replace(ALPHA, "handout: case-lin", "handout: case-linn"),
        replace(ALPHA, "participant: Discuss one more example.", "participant: Discuss <script>x</script>."),
        replace(ALPHA, "    kind: case-study\n", "    kind: case\n"),  # handouts[0] is left out
        replace(ALPHA, "        lines: 3\n", "        lines: 31\n"))  # and handouts[1]
    assert shown(diags) == [
        f"{ALPHA}:43:9: sessions[0].activities[0].minutes: expected a whole number, got 'fifteen' "
        "(write a whole number, e.g. 15) [WK032]",
        f"{ALPHA}:52:9: sessions[0].activities[1].handout: unknown handout 'case-linn' (did you mean 'case-lin'?) [WK113]",
        f"{ALPHA}:61:9: sessions[0].activities[2].participant: raw HTML <script> is not allowed (use Markdown instead) "
        "[WK320]",
        f"{ALPHA}:88:5: handouts[0].kind: 'case' is not one of the choices (did you mean 'case-study'?) [WK033]",
        f"{ALPHA}:97:9: handouts[1].fill_in[0].lines: must be at most 30, got 31 [WK035]",
    ]


def test_a_typo_at_the_top_of_a_module_leaves_the_rest_checked(mini: Path):
    diags = diagnostics(mini, replace(ALPHA, "title: Alpha module", "titel: Alpha module"),
                        replace(ALPHA, "    minutes: 45\n", "    minutes: 50\n"))
    assert [(d.line, d.code) for d in diags] == [(2, "WK031"), (3, "WK030"), (32, "WK201")]


#: Breakages whose part is left out of the model; without care, each would make a rule report
#: something false about what is left (the rule named in the comment).
LEFT_OUT = {
    "objective-left-out": (replace(ALPHA, "text: Explain why consent", "text: Understand why consent"),),  # WK112
    "handout-left-out": (replace(ALPHA, "    kind: case-study\n", "    kind: case-studie\n"),),  # WK113, WK356
    "session-left-out": (replace(BETA, "  - id: open-part\n", "  - id: Open-Part\n"),),  # WK114
    "first-session-left-out": (replace(ALPHA, "    minutes: 45\n", "    minutes: 4\n"),),  # WK511, WK610
    "activity-left-out": (replace(ALPHA, "        minutes: 10\n        variant", "        minutes: ten\n        variant"),),
    "break-left-out": (replace(DEMO, "- break: 15", "- break: 3"),),  # WK204
    "source-left-out": (replace(LIBRARY, "year: 2007", "year: 1850"),),  # WK111
    "support-contact-left-out": (replace(DEMO, '    how_to_reach: "Room 2"\n', ""),),  # WK513
    "item-left-out": (replace(ALPHA, "    type: true-false\n", "    type: yes-no\n"),),  # WK609
    "glossary-term-left-out": (replace(GLOSSARY, "  - term: Consent", "  - terms: Consent"),),
    "track-key-misspelt": (*WITH_TRACKS, replace(ALPHA, "track: core\n", "trak: core\n")),  # WK121, WK122, WK123
    "track-left-out": (*WITH_TRACKS, replace(CURRICULUM, "    title: Core\n", '    title: ""\n')),  # WK110, WK123
    "workshop-id-ok-days-fail": (replace(DEMO, 'end: "12:30"', 'end: "noon"'),),
}


@pytest.mark.parametrize("name", sorted(LEFT_OUT))
def test_parts_left_out_cause_no_false_reports(mini: Path, name: str):
    diags = diagnostics(mini, *LEFT_OUT[name])
    assert diags, name
    assert [d.format() for d in diags if not d.code.startswith("WK03")] == []


def test_no_schema_case_of_the_corpus_causes_reports_of_other_rules(tmp_path: Path):
    """Each case of the bad-input corpus breaks one thing in a clean repository: a schema error
    must come alone, now that the rest of its file is checked too."""
    import shutil

    from test_rules import CASE_CODES

    schema_cases = {name for code, names in CASE_CODES.items() if code.startswith("WK03") for name in names}
    for c in CASES:
        if c.name not in schema_cases:
            continue
        root = tmp_path / c.name
        shutil.copytree(FIXTURES / "mini", root)
        apply(root, c.edits)
        others = [d.format() for d in check(root)[1] if not d.code.startswith(("WK03", "WK04"))]
        assert others == [], c.name


# --------------------------------------------------------------------------------------------
# Bug 6: the schema's messages in workshopkit's words

PYDANTIC_WORDS = re.compile(r"Input should|String should|List should|Field required|Value error|valid integer|"
                            r"unable to parse|after validation|greater than or equal|less than or equal")


def test_no_schema_message_is_in_the_validation_librarys_words(tmp_path: Path):
    import shutil

    for c in CASES:
        root = tmp_path / c.name
        shutil.copytree(FIXTURES / "mini", root)
        apply(root, c.edits)
        for d in check(root)[1]:
            assert not PYDANTIC_WORDS.search(d.message + d.hint), (c.name, d.format())


@pytest.mark.parametrize("old, new, said", [
    ("mode: on-site\n", "mode: on-site\nrecording: no\n", "recording: 'no' is not one of the choices (did you mean 'none'?)"),
    ("mode: on-site\n", "mode: On-Site\n", "mode: 'On-Site' is not one of the choices (did you mean 'on-site'?)"),
    ("mode: on-site\n", "mode: on site\n", "mode: 'on site' is not one of the choices (did you mean 'on-site'?)"),
    ("mode: on-site\n", "mode: by-post\n", "mode: 'by-post' is not one of the choices (use one of: on-site, online, hybrid)"),
    ("participants: 15", "participants: fifteen",
     "participants: expected a whole number, got 'fifteen' (write a whole number, e.g. 15)"),
    ("audience: [caseworkers]", "audience: []", "audience: needs at least 1 item, got 0 (add one)"),
    ("support_contacts:\n", "support_contacts: Room 2\nx_support_contacts:\n",
     "support_contacts: expected a list, got 'Room 2'"),
])
def test_messages_say_what_to_write(mini: Path, old: str, new: str, said: str):
    assert any(said in line for line in shown(diagnostics(mini, replace(DEMO, old, new))))


def test_a_value_of_several_possible_types_fails_with_one_message(mini: Path):
    diags = diagnostics(mini, replace(ALPHA, "    answer: b\n", "    answer:\n      key: b\n"))
    schema = [d for d in diags if d.code.startswith("WK03")]
    assert shown(schema) == [f"{ALPHA}:107:5: assessment[0].answer: expected text or a list, got a mapping [WK032]"]


# --------------------------------------------------------------------------------------------
# Bug 7: a new module, a module-relative link, build --only, the guide's "visible to"


def test_a_new_module_gets_no_unknown_track_warning(mini: Path, capsys):
    apply(mini, WITH_TRACKS)
    assert main(["new", "module", "safe-referrals", "--path", str(mini)]) == 0
    yml = (mini / "modules/safe-referrals/module.yml").read_text(encoding="utf-8")
    assert "# Tracks of this curriculum: core.\n# track: core\n" in yml
    diags = check(mini)[1]
    assert not any("unknown track" in d.message for d in diags)
    top = line_of(mini, "modules/safe-referrals/module.yml", "id: safe-referrals")
    assert shown(diags) == [
        f"modules/safe-referrals/module.yml:{top}:1: warning: id: module 'safe-referrals' is in no track of "
        "curriculum/curriculum.yml; it is shown after the listed modules (list it under the 'modules' of a track "
        "there and name the track as 'track:' here; tracks: core) [WK123]"]
    assert top > 1


def test_a_module_listed_in_a_track_without_naming_one_is_told_which(mini: Path):
    diags = diagnostics(mini, *WITH_TRACKS, replace(ALPHA, "track: core\n", ""))
    assert shown(diags) == [f"{CURRICULUM}:5:15: tracks[0].modules[0]: module 'alpha' names no track in its module.yml "
                            "(write 'track: core' in modules/alpha/module.yml) [WK121]"]


def test_a_link_written_relative_to_the_module_folder_gets_the_right_path(mini: Path):
    sessions = mini / "modules/alpha/sessions"
    sessions.mkdir()
    (mini / INTRO).rename(sessions / "intro.md")
    diags = diagnostics(mini, replace(ALPHA, "participant: intro.md", "participant: sessions/intro.md"))
    assert shown(diags) == [
        "modules/alpha/sessions/intro.md:7:9: sessions[0].activities[0].participant: link target "
        "'handouts/case-lin.md' not found (links are relative to the Markdown file they are in: write "
        "'../handouts/case-lin.md') [WK352]"]


def test_a_link_in_module_yml_written_from_another_folder_gets_the_right_path(mini: Path):
    diags = diagnostics(mini, replace(ALPHA, "participant: Read the case and discuss the questions.",
                                      "participant: Read [the case](../handouts/case-lin.md#lin) and discuss."))
    assert [d.hint for d in diags] == ["links in module.yml are relative to its folder: write 'handouts/case-lin.md#lin'"]


def test_a_link_to_a_file_that_is_nowhere_still_says_check_the_name(mini: Path):
    diags = diagnostics(mini, replace(INTRO, "(handouts/case-lin.md)", "(handouts/case-linn.md)"))
    assert [d.hint for d in diags] == ["check the file name"]


def test_build_only_says_when_it_replaces_a_build(repo: Path, capsys):
    opts: dict[str, Any] = dict(root=repo, pdf=False, audiences=("participant",))
    assert not any(n.startswith("--only") for n in run_build(BuildOptions(**opts)).notes)
    full = repo / "build/site/participant"
    assert (full / "modules/alpha/index.html").is_file()
    report = run_build(BuildOptions(**opts, only="beta"))
    note = ("--only beta: build/site/participant now holds only the module 'beta'; what the last build put there "
            "was replaced (run 'workshopkit build' without --only to build everything again)")
    assert note in report.notes
    assert not (full / "modules/alpha/index.html").exists()
    capsys.readouterr()
    assert main(["build", str(repo), "--site", "--audience", "participant", "--only", "demo"]) == 0
    assert ("note: --only demo: build/site/participant now holds only the workshop 'demo' and its modules"
            in capsys.readouterr().err)


def test_build_only_into_an_empty_folder_says_nothing_about_replacing(repo: Path):
    report = run_build(BuildOptions(root=repo, pdf=False, audiences=("participant",), only="beta"))
    assert not any(n.startswith("--only") for n in report.notes)


def test_the_guide_labels_fields_inside_facilitator_only_sections_facilitator_only():
    guide = editor_guide()

    def rows(model: str) -> dict[str, str]:
        section = guide[guide.index(f"### {model}\n"):]
        section = section[:section.index("\n### ", 1)]
        return {m.group(1): m.group(2) for m in re.finditer(r"^\| `(\w+)` \|[^|]*\|[^|]*\| ([^|]+) \|", section, re.M)}

    assert set(rows("FacilitatorGuide").values()) == {"facilitator only"}
    assert set(rows("Person").values()) == {"facilitator only"}
    assert rows("Activity")["facilitator"] == "facilitator only"
    assert rows("Activity")["participant"] == "everyone who sees the item"
    assert rows("Module")["facilitator"] == "facilitator only"
