"""The event kit: roster and attendance read with their lines, the kit's PDFs, and privacy.

A fixture event of the mini curriculum's one-day workshop: a roster saved by Excel (a byte
order mark, Korean names), and attendance where one person missed the day. Checked on the
real PDFs: one sign-in sheet per day listing every name, one name tent per person, one
certificate per person who meets the attendance rule with the hours of the agenda's teaching
time, and no roster name anywhere a build publishes.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdf
import pytest

from workshopkit.audience import publishing_views
from workshopkit.build import load_checked
from workshopkit.cli import main
from workshopkit.kit.build import build_event, prepare

from build_helpers import all_files_text, build, pdf_pages, pdf_text, tree_hashes

ROSTER = ("\ufeffname,organisation,role,email\n"
          "김지원,하나센터 서울,상담사,jiwon@example.org\n"
          "Maria Lopez,Red Cross,volunteer,\n"
          "\"Park, Min-jun\",Hana Foundation,social worker,\n"
          "이서연,북한이탈주민지원재단,사례관리자,\n")
NAMES = ("김지원", "Maria Lopez", "Park, Min-jun", "이서연")
EVENT = """\
workshop: demo
venue: Seoul
certificates:
  organisation: Resettlement Training Network
  signatories:
    - name: Lee Soo-jin
      role: Head of training
"""


def new_event(repo: Path, event_yml: str, roster: str) -> Path:
    """events/spring/ made by 'event new', with this event.yml and roster.csv."""
    assert main(["event", "new", "spring", "--workshop", "demo", "--path", str(repo)]) == 0
    folder = repo / "events" / "spring"
    (folder / "event.yml").write_text(event_yml, encoding="utf-8")
    (folder / "roster.csv").write_bytes(roster.encode("utf-8"))
    return folder


@pytest.fixture
def event(repo: Path) -> Path:
    folder = new_event(repo, EVENT, ROSTER)
    (folder / "attendance.csv").write_text('name,day 1\n김지원,x\nMaria Lopez,\n"Park, Min-jun",x\n이서연,yes\n',
                                           encoding="utf-8")
    return folder


def _teaching_minutes(repo: Path) -> int:
    project, _ = load_checked(repo)
    view = publishing_views(project, ("participant",), False, "closed")["participant"]
    (wv,) = [w for w in view.workshops if w.workshop.id == "demo"]
    return sum(d.teaching_minutes for d in wv.days)


def test_the_kit_lists_everyone_and_certifies_those_who_came(repo: Path, event: Path):
    report = build_event(repo, "spring")
    out = repo / "build" / "events" / "spring"
    assert report.folder == out and report.people == 4 and report.certificates == 3
    sign_in = pdf_text(out / "sign-in-day-1.pdf")
    assert all(name in sign_in for name in NAMES)
    assert "Sign-in sheet" in sign_in and "page 1 of 1" in sign_in

    tents = pypdf.PdfReader(str(out / "name-tents.pdf"))
    assert len(tents.pages) == 4
    assert all(tents.pages[0].mediabox.width > tents.pages[0].mediabox.height for _ in [0])  # landscape

    certificates = pypdf.PdfReader(str(out / "certificates.pdf"))
    assert len(certificates.pages) == 3  # Maria Lopez missed the only day
    texts = [p.extract_text() for p in certificates.pages]
    hours = f"{_teaching_minutes(repo) // 30 / 2:g} hours of training"
    for text, name in zip(texts, ("Park, Min-jun", "김지원", "이서연"), strict=True):
        assert name in text and hours in text and "RESETTLEMENT TRAINING NETWORK" in text  # set in capitals
    assert not any("Maria Lopez" in t for t in texts)
    # Korean names are set in an embedded CJK font, with no missing glyph.
    fonts = subprocess.run(["pdffonts", str(out / "certificates.pdf")], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])
    assert "이서연" in pdf_text(out / "attendance.pdf")


def test_without_attendance_everyone_counts_as_present(repo: Path, event: Path):
    (event / "attendance.csv").unlink()
    report = build_event(repo, "spring")
    assert report.certificates == 4
    assert "No attendance was recorded" in pdf_text(repo / "build/events/spring/attendance.pdf")


@pytest.mark.parametrize(("roster", "expected"), [
    ("name,organization\nKim,Hana\n", "events/spring/roster.csv:1:2: unknown column 'organization' "
                                      "(did you mean 'organisation'?) [WK712]"),
    ("name,organisation\nKim,Hana\n,Red Cross\n", "events/spring/roster.csv:3:1: no name in this row"),
    ("name,organisation\nKim,Hana\nKim,Hana\n", "events/spring/roster.csv:3:1: 'Kim' is on the roster twice "
                                                "(also on line 2)"),
    ("name,organisation\nKim, Ji-won,Hana\n", "events/spring/roster.csv:2:3: 3 cells in a row of 2 columns"),
    ("person\nKim\n", "events/spring/roster.csv:1: no 'name' column"),
])
def test_a_bad_roster_row_is_reported_at_its_line(repo: Path, event: Path, capsys, roster: str, expected: str):
    (event / "attendance.csv").unlink()
    (event / "roster.csv").write_text(roster, encoding="utf-8")
    assert main(["event", "check", "spring", "--path", str(repo)]) == 1
    assert expected in " ".join(capsys.readouterr().out.split())
    assert main(["check", str(repo)]) == 1  # `workshopkit check` checks the events too


def test_a_roster_in_another_encoding_is_refused_at_the_first_bad_line(repo: Path, event: Path, capsys):
    (event / "roster.csv").write_bytes("name\nMaria\nJosé\n".encode("latin-1"))
    assert main(["event", "build", "spring", "--path", str(repo)]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "events/spring/roster.csv:3: the file is not UTF-8 text (save it as 'CSV UTF-8'" in out
    assert not (repo / "build" / "events").exists()


def test_an_unquoted_comma_in_attendance_is_a_row_of_too_many_cells(repo: Path, event: Path):
    (event / "attendance.csv").write_text("name,day 1\n김지원,x\nPark, Min-jun,x\n", encoding="utf-8")
    kit, diags = prepare(repo, "spring")
    assert kit is None and [(d.code, d.line, d.col) for d in diags] == [("WK715", 3, 3)]


def test_a_failed_kit_build_keeps_the_previous_kit(repo: Path, event: Path):
    build_event(repo, "spring")
    out = repo / "build" / "events" / "spring"
    before = tree_hashes(out)
    (event / "attendance.csv").write_text("name,day 1\nNobody Known,x\n", encoding="utf-8")
    kit, diags = prepare(repo, "spring")
    assert kit is None and [d.code for d in diags] == ["WK719"] and diags[0].line == 2
    assert main(["event", "build", "spring", "--path", str(repo)]) == 1
    assert tree_hashes(out) == before


def test_names_never_reach_a_published_output(repo: Path, event: Path):
    (event / "event.yml").write_text("title: CANARY-EVENT-TITLE\n" + EVENT, encoding="utf-8")
    build_event(repo, "spring")
    build(repo, zip=True)  # a full build after the kit: the kit stays, nothing of it is published
    kit = repo / "build" / "events" / "spring"
    for name in ("certificates.pdf", "print-list.pdf", "knowledge-test-pre.pdf", "knowledge-test-post.pdf",
                 "code-cards.pdf"):
        assert (kit / name).is_file()
        assert "CANARY-EVENT-TITLE" in pdf_text(kit / name) or name == "code-cards.pdf"
    published = {**all_files_text(repo / "build" / "site"), **all_files_text(repo / "build" / "pdf")}
    import zipfile

    with zipfile.ZipFile(repo / "build" / "offline" / "participant-site.zip") as z:
        published.update({Path(n): z.read(n).decode("utf-8", errors="replace") for n in z.namelist()})
    kit_only = ("jiwon@example.org", "CANARY-EVENT-TITLE", "The event kit (this folder)", "Code cards")
    leaks = [(path, name) for path, text in published.items() for name in NAMES + kit_only if name in text]
    assert leaks == []


def test_new_refuses_an_existing_event_and_an_unknown_workshop(repo: Path, event: Path, capsys):
    assert main(["event", "new", "spring", "--workshop", "demo", "--path", str(repo)]) == 1
    assert "events/spring exists already; nothing was changed" in capsys.readouterr().err
    assert main(["event", "new", "autumn", "--workshop", "dmeo", "--path", str(repo)]) == 1
    assert "--workshop dmeo: no such workshop (known: demo)" in " ".join(capsys.readouterr().err.split())
    assert not (repo / "events" / "autumn").exists()


def test_the_forms_convert_with_pyxform_and_hold_no_answer(repo: Path, event: Path):
    from pyxform.xls2xform import convert

    from workshopkit.agenda import knowledge_test_items

    report = build_event(repo, "spring")
    forms = report.folder / "forms"
    warnings: list[str] = []
    test = convert(xlsform=str(forms / "knowledge-test.xlsx"), warnings=warnings).xform
    evaluation = convert(xlsform=str(forms / "evaluation.xlsx"), warnings=warnings).xform
    assert warnings == []
    assert re.search(r'<bind nodeset="/data/participant_code" type="string" required="true\(\)" constraint="regex', test)
    assert '<bind nodeset="/data/phase" type="string" required="true()"/>' in test
    project, _ = load_checked(repo)
    (workshop,) = [w for w in project.workshops if w.id == "demo"]
    items = knowledge_test_items(workshop, {m.id: m for m in project.modules})
    assert items and all(f"/data/q_{m.id}__{q.id}".replace("-", "_") in test for m, q in items)
    # The explanations of the answers (facilitator only) are in neither form.
    secrets = [q.explanation for m in project.modules for q in m.assessment if q.explanation]
    assert secrets and not any(s[:40] in test or s[:40] in evaluation for s in secrets)
    assert "How useful was each session for your work?" in evaluation and "/data/open_best" in evaluation


# --------------------------------------------------------------------------------------------
# The print list, the knowledge tests with the code box, and the code cards


def test_the_print_list_counts_for_the_roster(repo: Path, event: Path):
    report = build_event(repo, "spring")
    assert "print-list.pdf" in report.files
    text = " ".join(" ".join(pdf_pages(report.folder / "print-list.pdf")).split())  # in reading order, cell by cell
    # 4 people on the roster, 5 blank rows for walk-ins: 9 code cards on one sheet.
    for expected in ("Counted for 4 participants (the roster) and 1 facilitator(s).",
                     "Name tents (name-tents.pdf) ×4 sheets one folded sheet per person on the roster: 4",
                     "Code cards (code-cards.pdf) ×1 sheets 9 cards (4 participants and 5 spare for walk-ins)",
                     "Pre-test: before the workshop (knowledge-test-pre.pdf) ×4 copies one per participant: 4",
                     "Post-test: after the workshop (knowledge-test-post.pdf) ×4 copies",
                     "Certificate of attendance (certificates.pdf) ×3 sheets",
                     "Sign-in sheet – Day 1", "×1 copy (1 page(s)) one per day, signed at the door",
                     "Participant workbook ×4 copies", "Facilitator guide facilitator copies only ×1 copies",
                     "The case of Lin ×4 copies one per participant: 4 Day 1, 09:15 – Opening a first conversation"):
        assert expected in text, expected
    assert "Knowledge test (pre and post)" not in text  # the kit's own pre-test and post-test take its place
    assert not any(name in text for name in NAMES)


def test_an_empty_roster_counts_the_expected_participants_or_warns(repo: Path, event: Path, capsys):
    (event / "attendance.csv").unlink()
    (event / "roster.csv").write_text("name,organisation\n", encoding="utf-8")
    report = build_event(repo, "spring")
    text = " ".join(pdf_text(report.folder / "print-list.pdf").split())
    assert "Counted for 15 participants (the number the workshop expects" in text  # demo.yml: participants: 15
    assert "Participant workbook ×15 copies" in text
    workshop = repo / "curriculum" / "demo.yml"
    workshop.write_text(workshop.read_text(encoding="utf-8").replace("participants: 15\n", ""), encoding="utf-8")
    assert main(["event", "build", "spring", "--path", str(repo)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert ("events/spring/roster.csv:1: warning: the roster has no one on it and the workshop 'demo' gives no number "
            "of participants, so the kit has no print list") in out and "[WK732]" in out
    assert not (repo / "build" / "events" / "spring" / "print-list.pdf").exists()


def test_the_tests_have_a_code_box_and_the_cards_carry_codes_the_answers_accept(repo: Path, event: Path):
    from workshopkit.kit.answers import read_answers
    from workshopkit.kit.xlsform import CODE_PATTERN

    report = build_event(repo, "spring")
    pre = " ".join(pdf_text(report.folder / "knowledge-test-pre.pdf").split())
    post = " ".join(pdf_text(report.folder / "knowledge-test-post.pdf").split())
    for text, heading in ((pre, "Pre-test: before the workshop"), (post, "Post-test: after the workshop")):
        assert heading in text and "Your participant code" in text
        assert "Write the code on the card you drew at the start of the workshop (for example P07)" in text
        assert "1. What comes first in a first conversation?" in text and "c. A bakery" in text
        assert "Your participant code: ______________" in text  # at the foot of every page
        assert "Consent and clarity" not in text  # no explanation, no answer
    # The code box has one cell per character of a card's code, the first printed: P _ _
    html_cells = re.findall(r'<span class="cell">(P?)</span>', _kit_html(repo, "knowledge_test.html.j2"))
    assert html_cells == ["P", "", ""]
    cards = pdf_text(report.folder / "code-cards.pdf")
    codes = re.findall(r"\bP\d\d\b", cards)
    assert codes == [f"P{n:02d}" for n in range(1, 10)]  # 4 on the roster + 5 walk-in rows
    assert all(re.match(CODE_PATTERN, c) for c in codes) and not any(name in cards for name in NAMES)
    # A test typed in under the codes of the cards reads without a problem.
    (event / "pre.csv").write_text("participant_code,phase,q_alpha__q1,q_alpha__q2,q_beta__q1\n"
                                   + "".join(f"{c},pre,b,true,a b\n" for c in codes), encoding="utf-8")
    kit, diags = prepare(repo, "spring")
    assert kit is not None
    answers = read_answers(repo, kit, diags)
    assert diags == [] and [a.code for a in answers.tests] == codes


def _kit_html(repo: Path, template: str) -> str:
    """A kit document's HTML as given to WeasyPrint."""
    from workshopkit.kit.build import documents
    from workshopkit.strings import load_strings

    kit, _ = prepare(repo, "spring")
    assert kit is not None
    names = {"knowledge_test.html.j2": "knowledge-test-pre.pdf"}
    return documents(kit, load_strings("en"), "A4")[names[template]][1]
