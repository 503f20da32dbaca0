"""The results of an event: answers read with their lines, figures equal to hand-computed ones,
the reports as PDF and HTML, and privacy.

The fixture event runs the mini curriculum's workshop ``demo``, whose knowledge test has three
items: 1 = alpha/q1 (single choice, key b, objective alpha/lo1), 2 = alpha/q2 (true or false,
key true, alpha/lo2), 3 = beta/q1 (multiple choice, key a and b, beta/lo1). Six participants
took the pre-test, typed in from paper into the entry sheet the kit writes; five took the
post-test on KoboToolbox, exported as Kobo exports it (';' between quoted cells, its own
columns, a multiple choice as a summary and as one 1/0 column per option). P06 left early: the
one participant who cannot be matched.

Marked by hand (✓ right, ✗ wrong or unanswered), items 1 2 3:

    code   pre                 score   post              score   gain
    P01    a ✗  false ✗  a ✗     0     b ✓  true ✓  ab ✓   3      +3
    P02    b ✓  true ✓   a ✗     2     b ✓  true ✓  ba ✓   3      +1
    P03    c ✗  true ✓   abc ✗   1     b ✓  false ✗ ab ✓   2      +1
    P04    b ✓  false ✗  ab ✓    2     b ✓  false ✗ ab ✓   2       0
    P05    – ✗  true ✓   – ✗     1     a ✗  true ✓  a ✗    1       0
    P06    b ✓  true ✓   ab ✓    3     (no post-test: not matched)
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from test_event import new_event

from workshopkit.cli import main
from workshopkit.kit.build import build_event
from workshopkit.kit.report import build_results

from build_helpers import all_files_text, build, pdf_pages, tree_hashes

ROSTER = ("\ufeffname,organisation,role\n"
          "김지원,하나센터 서울,상담사\n"
          "Maria Lopez,Red Cross,volunteer\n"
          "\"Park, Min-jun\",Hana Foundation,social worker\n"
          "이서연,북한이탈주민지원재단,사례관리자\n")
NAMES = ("김지원", "Maria Lopez", "Park, Min-jun", "이서연")
ITEMS = ("q_alpha__q1", "q_alpha__q2", "q_beta__q1")
PRE = {"P01": ("a", "false", "a"), "P02": ("b", "true", "a"), "P03": ("c", "true", "a b c"),
       "P04": ("b", "false", "a b"), "P05": ("", "true", ""), "P06": ("b", "true", "a b")}
POST = {"P01": ("b", "true", "a b"), "P02": ("b", "true", "b a"), "P03": ("b", "false", "a b"),
        "P04": ("b", "false", "a b"), "P05": ("a", "true", "a")}
COMMENT_SCRIPT = "<script>alert('x')</script> CANARY-COMMENT-ONE"
COMMENTS = (COMMENT_SCRIPT, "CANARY-COMMENT-TWO: more time for the role play", "Ask for consent\nfirst")
#: Evaluation forms typed in: sessions opening, practice, open-part; statements objectives,
#: facilitation, safe, materials, apply; open questions best, change, use, other.
EVALUATIONS = [
    ("5", "4", "3", "4", "5", "5", "4", "4", "The role play", COMMENT_SCRIPT, COMMENTS[2], ""),
    ("4", "2", "", "3", "4", "5", "2", "4", "", COMMENTS[1], "", ""),
    ("4", "1", "3", "5", "5", "4", "4", "3", "", "", "", ""),
    ("2", "", "", "4", "4", "4", "3", "5", "", "", "", "Thank you"),
]
EVENT = "workshop: demo\nvenue: Seoul\n"
KOBO_META = ("_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
             "__version__", "_tags", "_index")


def _csv(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


def form_sheets(xlsx: Path) -> tuple[list[dict[str, str]], dict[str, list[dict[str, str]]]]:
    """The survey rows and the choice lists of an XLSForm, read from the workbook."""
    from openpyxl import load_workbook

    book = load_workbook(xlsx, read_only=True)

    def rows(sheet: str) -> list[dict[str, str]]:
        values = list(book[sheet].iter_rows(values_only=True))
        return [{str(k): str(v or "") for k, v in zip(values[0], row, strict=True)} for row in values[1:]]

    lists: dict[str, list[dict[str, str]]] = {}
    for choice in rows("choices"):
        lists.setdefault(choice["list_name"], []).append(choice)
    return rows("survey"), lists


def kobo_export(xlsx: Path, submissions: list[dict[str, str]], labels: bool = False) -> str:
    """The CSV that KoboToolbox exports for the form ``xlsx`` (as its export code, formpack, writes
    it: ';' between cells, every cell quoted, a multiple choice as a summary column and one
    column per option with 1 or 0, Kobo's own columns at the end), with XML values and headers or
    with the English labels."""
    survey, lists = form_sheets(xlsx)
    label = "label::English (en)"
    header: list[str] = []
    cells: list[list[str]] = [[] for _ in submissions]
    for q in survey:
        kind, _, list_name = q["type"].partition(" ")
        if kind == "note":
            continue
        head = q[label] if labels else q["name"]
        choices = lists.get(list_name, [])
        shown = {c["name"]: (c[label] if labels else c["name"]) for c in choices}
        header.append(head)
        for row, sub in zip(cells, submissions, strict=True):
            value = sub.get(q["name"], "")
            row.append(" ".join(shown[v] for v in value.split()) if choices else value)
        if kind == "select_multiple":
            for c in choices:
                header.append(f"{head}/{shown[c['name']]}")
                for row, sub in zip(cells, submissions, strict=True):
                    value = sub.get(q["name"], "").split()
                    row.append(("1" if c["name"] in value else "0") if value else "")
    header += KOBO_META
    for n, row in enumerate(cells):
        row += [str(1000 + n), f"5f0c1e0a-0000-4000-8000-{n:012d}", "2027-03-05T16:40:00", "", "[]",
                "submitted_via_web", "", "vXyZ", "", str(n + 1)]

    def line(values: list[str]) -> str:
        return '"' + '";"'.join(v.replace('"', '""') for v in values) + '"'

    return "\n".join(line(r) for r in [header, *cells]) + "\n"


def _submissions(answers: dict[str, tuple[str, str, str]], phase: str) -> list[dict[str, str]]:
    return [{"participant_code": code, "phase": phase, **dict(zip(ITEMS, values, strict=True))}
            for code, values in answers.items()]


@pytest.fixture
def event(repo: Path) -> Path:
    return new_event(repo, EVENT, ROSTER)


@pytest.fixture
def answered(repo: Path, event: Path) -> Path:
    """The event with its kit built and every answer in place."""
    build_event(repo, "spring")
    forms = repo / "build" / "events" / "spring" / "forms"
    # Paper pre-tests typed into the kit's entry sheet (its first row as the kit wrote it).
    header = (forms / "knowledge-test-entry.csv").read_text(encoding="utf-8-sig")
    assert header == "participant_code,phase," + ",".join(ITEMS) + "\n"
    (event / "pre-test.csv").write_text(header + _csv([[c, "pre", *v] for c, v in PRE.items()]), encoding="utf-8")
    (event / "post-test-kobo.csv").write_text(kobo_export(forms / "knowledge-test.xlsx", _submissions(POST, "post")),
                                              encoding="utf-8")
    header = (forms / "evaluation-entry.csv").read_text(encoding="utf-8-sig")
    (event / "evaluation.csv").write_text(header + _csv([list(r) for r in EVALUATIONS]), encoding="utf-8")
    return event


# --------------------------------------------------------------------------------------------
# Figures


def test_scores_gains_and_difficulties_equal_the_hand_computed_ones(repo: Path, answered: Path):
    report = build_results(repo, "spring")
    k = report.knowledge
    assert k is not None and report.skipped == [] and report.answers.bad_rows == 0
    assert [(p.code, p.pre, p.post, p.gain) for p in k.pairs] == [
        ("P01", 0, 3, 3), ("P02", 2, 3, 1), ("P03", 1, 2, 1), ("P04", 2, 2, 0), ("P05", 1, 1, 0)]
    assert k.pre_only == ["P06"] and k.post_only == [] and k.unmatched == 1
    assert k.max_score == 3
    assert k.mean("pre") == pytest.approx((0 + 2 + 1 + 2 + 1) / 5)  # 1.2
    assert k.mean("post") == pytest.approx((3 + 3 + 2 + 2 + 1) / 5)  # 2.2
    assert k.mean_gain == pytest.approx((3 + 1 + 1 + 0 + 0) / 5)  # 1.0
    assert k.median_gain == 1  # 0 0 [1] 1 3
    assert k.improved == 3 and k.share_improved == pytest.approx(3 / 5)
    assert k.distribution("pre") == [1, 2, 2, 0]  # scores 0, 1, 2, 3
    assert k.distribution("post") == [0, 1, 2, 2]
    # Item difficulty: the share of the 5 pairs who answered it right.
    difficulty = {r.item.number: (r.pre, r.post) for r in k.item_results}
    assert difficulty == {1: (pytest.approx(2 / 5), pytest.approx(4 / 5)),  # P02 P04 | P01-P04
                          2: (pytest.approx(3 / 5), pytest.approx(3 / 5)),  # P02 P03 P05 | P01 P02 P05
                          3: (pytest.approx(1 / 5), pytest.approx(4 / 5))}  # P04 | P01-P04
    # One item per objective here: the objective's gain is its item's.
    assert [(o.objective_id, o.items, round(o.gain * 100)) for o in k.objectives] == [
        ("lo1", (1,), 40), ("lo2", (2,), 0), ("lo1", (3,), 60)]
    assert [r.item.number for r in k.most_missed()] == [2, 1, 3]  # missed by 40 %, 20 %, 20 % after

    out = repo / "build" / "events" / "spring" / "results"
    assert report.folder == out
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "evaluation.html", "evaluation.pdf", "results.html", "results.pdf"]
    text = " ".join(" ".join(pdf_pages(out / "results.pdf")).split())
    for figure in ("Matched pairs 5", "Mean score – Before 1.2 of 3", "Mean score – After 2.2 of 3", "Mean gain +1",
                   "Median gain +1", "Share who improved 60 % (3 of 5)", "Could not be matched 1",
                   "1 with a pre-test only, 0 with a post-test only (P06)", "P01 0 3 +3", "P05 1 1 0",
                   "40 % 80 % +40 points", "60 % 60 % 0 points", "20 % 80 % +60 points",
                   "Item 2: A calm opening includes telling the person they can stop at any time. – missed by 40 %"):
        assert figure in text, figure
    # The charts are vector drawings (SVG) in the HTML given to WeasyPrint, one per figure.
    html = (out / "results.html").read_text(encoding="utf-8")
    assert html.count('<img src="data:image/svg+xml;base64,') == 3
    assert not any(name in html for name in NAMES)


def test_the_charts_are_svg_in_greys_and_hatching_with_fonts_that_exist():
    import base64

    from workshopkit.kit import charts

    svg = charts.diverging(["A session"], [[1, 2, 3, 4, 5]], [f"{n} – x" for n in range(1, 6)], "Share")
    assert svg.startswith("<?xml") and "<svg" in svg and "<image" not in svg  # vector, no raster inside
    assert "<pattern" in svg  # hatching
    colours = set(re.findall(r"(?:fill|stroke): (#[0-9a-f]{6})", svg))
    assert colours and all(c[1:3] == c[3:5] == c[5:7] for c in colours), colours  # greys only
    assert "<text" not in svg  # text drawn as outlines of DejaVu Sans, the same everywhere
    assert charts.data_url(svg).startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(charts.data_url(svg).split(",", 1)[1]).decode() == svg


# --------------------------------------------------------------------------------------------
# Kobo


@pytest.mark.parametrize("labels", [False, True], ids=["xml-values-and-headers", "english-labels"])
def test_a_kobo_export_of_the_generated_form_reads_back(repo: Path, event: Path, labels: bool):
    from workshopkit.kit.answers import read_answers
    from workshopkit.kit.build import prepare

    build_event(repo, "spring")
    xlsx = repo / "build" / "events" / "spring" / "forms" / "knowledge-test.xlsx"
    submissions = _submissions(PRE, "pre") + _submissions(POST, "post")
    (event / "kobo.csv").write_text(kobo_export(xlsx, submissions, labels=labels), encoding="utf-8")
    kit, diags = prepare(repo, "spring")
    assert kit is not None
    answers = read_answers(repo, kit, diags)
    assert diags == [] and answers.files == ["events/spring/kobo.csv"]
    read = {(a.code, a.phase): tuple(" ".join(sorted(a.picked[i])) for i in ITEMS) for a in answers.tests}
    written = {(s["participant_code"], s["phase"]): tuple(" ".join(sorted(s[i].split())) for i in ITEMS)
               for s in submissions}
    assert read == written
    assert [a.line for a in answers.tests] == list(range(2, 2 + len(submissions)))


def test_the_entry_sheets_follow_the_forms(repo: Path, event: Path):
    build_event(repo, "spring")
    forms = repo / "build" / "events" / "spring" / "forms"
    for name in ("knowledge-test", "evaluation"):
        survey, _ = form_sheets(forms / f"{name}.xlsx")
        raw = (forms / f"{name}-entry.csv").read_bytes()
        assert raw.startswith("\ufeff".encode())  # Excel opens it as UTF-8
        assert raw.decode("utf-8-sig").strip().split(",") == [q["name"] for q in survey if q["type"] != "note"]


# --------------------------------------------------------------------------------------------
# Bad rows

HEADER = "participant_code,phase," + ",".join(ITEMS) + "\n"
GOOD = "P01,post,b,true,a b\n"


@pytest.mark.parametrize(("text", "expected"), [
    (HEADER + GOOD + "P 02,post,b,true,a\n",
     "events/spring/post.csv:3:1: 'P 02' is not a participant code (a code is 2 to 16 letters, digits or '-', e.g. "
     "P07) [WK728]"),
    (HEADER + GOOD + ",post,b,true,a\n", "events/spring/post.csv:3:1: no participant code"),
    (HEADER + GOOD + "Lopez,post,b,true,a\n", "events/spring/post.csv:3:1: the code 'Lopez' is a name on the roster"),
    (HEADER + GOOD + "P02,,b,true,a\n", "events/spring/post.csv:3:2: no phase (write pre (before the workshop) or "
                                        "post (after it)) [WK729]"),
    (HEADER + GOOD + "P02,during,b,true,a\n", "events/spring/post.csv:3:2: 'during' is not a phase"),
    (HEADER + GOOD + "P02,post,d,true,a\n", "events/spring/post.csv:3:3: 'd' is not an answer to 'q_alpha__q1' "
                                            "(write one of a, b, c) [WK730]"),
    (HEADER + GOOD + "P02,post,b,maybe,a\n", "events/spring/post.csv:3:4: 'maybe' is not an answer to 'q_alpha__q2'"),
    (HEADER + GOOD + "P02,post,b,true,a x\n", "events/spring/post.csv:3:5: 'a x' is not an answer to 'q_beta__q1' "
                                              "(write one of a, b, c (several separated by spaces)) [WK730]"),
    (HEADER + GOOD + "p01,POST,a,false,a\n", "events/spring/post.csv:3:1: 'p01' has a post-test already (on line 2) "
                                             "(keep one of the rows; if two people share a code, give one a new code) "
                                             "[WK731]"),
    (HEADER + GOOD + "P02,post,b,true,a,b\n", "events/spring/post.csv:3:6: 6 cells in a row of 5 columns"),
])
def test_a_bad_row_is_reported_at_its_line_and_nothing_is_written(repo: Path, event: Path, capsys, text: str,
                                                                  expected: str):
    (event / "post.csv").write_text(text, encoding="utf-8")
    assert main(["event", "results", "spring", "--path", str(repo)]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert expected in out
    assert "1 error(s); nothing was written and the previous results are unchanged (or leave the bad rows out with " \
           "--skip-bad)" in out
    assert not (repo / "build" / "events" / "spring" / "results").exists()
    assert main(["event", "check", "spring", "--path", str(repo)]) == 1
    assert expected in " ".join(capsys.readouterr().out.split())
    assert main(["check", str(repo)]) == 1  # `workshopkit check` reads the answers too


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("post.csv", "participant_code,phase,name," + ",".join(ITEMS) + "\nP01,post,Kim,b,true,a\n",
     "events/spring/post.csv:1:3: unknown column 'name' (answer files hold participant codes, never names: delete the "
     "column) [WK726]"),
    ("post.csv", "participant_code,phase,q_alpha_q1,q_alpha__q2,q_beta__q1\nP01,post,b,true,a\n",
     "events/spring/post.csv:1:3: unknown column 'q_alpha_q1' (did you mean 'q_alpha__q1'?) [WK726]"),
    ("post.csv", "participant_code,phase,q_alpha__q1\nP01,post,b\n",
     "events/spring/post.csv:1: no column for q_alpha__q2, q_beta__q1"),
    ("budget.csv", "item,cost\nCoffee,40\n", "events/spring/budget.csv:1: not an answer file"),
    ("evaluation.csv", "agree_objectives,agree_fun\n4,5\n", "events/spring/evaluation.csv:1:2: unknown column "
                                                            "'agree_fun'"),
])
def test_a_bad_file_stops_even_with_skip_bad(repo: Path, event: Path, capsys, name: str, text: str, expected: str):
    (event / name).write_text(text, encoding="utf-8")
    assert main(["event", "results", "spring", "--skip-bad", "--path", str(repo)]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert expected in out and "--skip-bad)" not in out
    assert not (repo / "build" / "events" / "spring" / "results").exists()


def test_an_answer_file_that_is_a_symbolic_link_is_not_read(repo: Path, event: Path, tmp_path: Path, capsys):
    outside = tmp_path / "elsewhere.csv"
    outside.write_text(HEADER + GOOD, encoding="utf-8")
    (event / "post.csv").symlink_to(outside)
    assert main(["event", "results", "spring", "--skip-bad", "--path", str(repo)]) == 1
    assert "events/spring/post.csv: the answer file is a symbolic link" in " ".join(capsys.readouterr().out.split())


def test_skip_bad_leaves_the_bad_rows_out_and_says_how_many(repo: Path, event: Path, capsys):
    (event / "tests.csv").write_text(HEADER + "P01,pre,a,false,a\nP01,post,b,true,a b\nP 02,pre,b,true,a\n"
                                     "P02,post,b,true,q\nP03,pre,b,true,a b\nP03,post,b,true,a b\n", encoding="utf-8")
    (event / "evaluation.csv").write_text("agree_objectives,agree_safe,open_best\n4,5,Good\n7,5,Bad rating\n",
                                          encoding="utf-8")
    assert main(["event", "results", "spring", "--path", str(repo)]) == 1
    assert "3 error(s); nothing was written" in " ".join(capsys.readouterr().out.split())
    assert main(["event", "results", "spring", "--skip-bad", "--path", str(repo)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for expected in ("events/spring/tests.csv:4:1: warning: 'P 02' is not a participant code",
                     "events/spring/tests.csv:5:5: warning: 'q' is not an answer to 'q_beta__q1'",
                     "events/spring/evaluation.csv:3:1: warning: '7' is not an answer to 'agree_objectives' "
                     "(write one of 1, 2, 3, 4, 5) [WK730]",
                     "skipped 3 bad row(s) (--skip-bad); the report leaves them out",
                     "knowledge test: 2 matched pair(s), 0 participant(s) could not be matched; mean gain +1.5",
                     "evaluation: 1 form(s)", "built build/events/spring/results/results.pdf"):
        assert expected in out, expected
    text = " ".join(" ".join(pdf_pages(repo / "build/events/spring/results/evaluation.pdf")).split())
    assert "Good" in text and "Bad rating" not in text


def test_a_failed_run_keeps_the_previous_results_and_the_kit_keeps_them_too(repo: Path, event: Path):
    (event / "tests.csv").write_text(HEADER + "P01,pre,a,false,a\nP01,post,b,true,a b\n", encoding="utf-8")
    assert main(["event", "results", "spring", "--path", str(repo)]) == 0
    out = repo / "build" / "events" / "spring" / "results"
    before = tree_hashes(out)
    assert set(before) == {"results.html", "results.pdf"}  # no evaluation answers: no evaluation summary
    (event / "tests.csv").write_text(HEADER + "P01,pre,a,false,a\nP01,post,b,true,z\n", encoding="utf-8")
    assert main(["event", "results", "spring", "--path", str(repo)]) == 1
    assert tree_hashes(out) == before
    build_event(repo, "spring")  # rebuilding the kit keeps the results
    assert tree_hashes(out) == before


def test_no_answer_file_is_an_error_without_a_traceback(repo: Path, event: Path, capsys):
    assert main(["event", "results", "spring", "--path", str(repo)]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "events/spring: no answer files; put the CSV exported from KoboToolbox or ODK" in err
    assert "Traceback" not in err
    assert main(["event", "results", "autumn", "--path", str(repo)]) == 1
    assert "events/autumn/event.yml: no such event" in " ".join(capsys.readouterr().out.split())


# --------------------------------------------------------------------------------------------
# The evaluation, comments and privacy


def test_the_evaluation_summary_counts_the_ratings_and_lists_the_comments_as_text(repo: Path, answered: Path):
    report = build_results(repo, "spring")
    e = report.evaluation
    assert e is not None and e.forms == 4
    ratings = {r.field: (r.counts, r.n, r.mean) for r in e.sessions + e.statements}
    assert ratings["q_alpha__opening"] == ((0, 1, 0, 2, 1), 4, pytest.approx((5 + 4 + 4 + 2) / 4))  # 3.75
    assert ratings["q_alpha__practice"] == ((1, 1, 0, 1, 0), 3, pytest.approx((4 + 2 + 1) / 3))  # 2.33
    assert ratings["q_beta__open_part"] == ((0, 0, 2, 0, 0), 2, 3)
    assert ratings["agree_materials"] == ((0, 1, 1, 2, 0), 4, pytest.approx((4 + 2 + 4 + 3) / 4))  # 3.25
    assert [r.field for r in e.sessions] == ["q_alpha__opening", "q_alpha__practice", "q_beta__open_part"]
    comments = dict(e.comments)
    assert comments["What should we change?"] == [COMMENT_SCRIPT, COMMENTS[1]]  # verbatim, in alphabetical order
    assert comments["What will you do differently in your work?"] == [COMMENTS[2]]

    out = repo / "build" / "events" / "spring" / "results"
    html = (out / "evaluation.html").read_text(encoding="utf-8")
    assert "<script" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; CANARY-COMMENT-ONE" in html
    assert html.count('<img src="data:image/svg+xml;base64,') == 2  # sessions and statements
    text = " ".join(" ".join(pdf_pages(out / "evaluation.pdf")).split())
    for figure in ("Opening a first conversation 0 1 0 2 1 4 3.75", "Practising the opening 1 1 0 1 0 3 2.33",
                   "Open overview 0 0 2 0 0 2 3", "4 evaluation form(s)", COMMENT_SCRIPT, "Thank you"):
        assert figure in text, figure


def test_no_name_answer_or_comment_reaches_a_published_output(repo: Path, answered: Path):
    import zipfile

    build_results(repo, "spring")
    build(repo, zip=True)  # a full build after the results: they stay, and nothing of them is published
    assert (repo / "build" / "events" / "spring" / "results" / "results.pdf").is_file()
    published = {**all_files_text(repo / "build" / "site"), **all_files_text(repo / "build" / "pdf")}
    with zipfile.ZipFile(repo / "build" / "offline" / "participant-site.zip") as z:
        published.update({Path(n): z.read(n).decode("utf-8", errors="replace") for n in z.namelist()})
    canaries = NAMES + ("CANARY-COMMENT-ONE", "CANARY-COMMENT-TWO", "Ask for consent\nfirst", "Thank you",
                        "Knowledge test results", "Evaluation summary", "5f0c1e0a-0000-4000-8000")
    assert [(path, c) for path, text in published.items() for c in canaries if c in text] == []
    # Names stay out of the reports too: answers carry codes.
    reports = all_files_text(repo / "build" / "events" / "spring" / "results")
    assert [(path, n) for path, text in reports.items() for n in NAMES if n in text] == []
