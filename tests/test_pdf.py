"""The PDFs, built for real from the fixture workshop and read back with PDF tools."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest

from workshopkit.errors import BuildError

from build_helpers import build, pdf_outline, pdf_text
from conftest import FIXTURES, ROOT

pytestmark = pytest.mark.xdist_group("pdf")

A4 = (595.0, 842.0)
LETTER = (612.0, 792.0)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pdf") / "repo"
    shutil.copytree(FIXTURES / "mini", root)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    build(root, site=False)
    return root


SITE = "https://manual.protection-training.org/"
LONG_TITLE = "Alpha module on safe first contact with people who may need protection after a long journey"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture with a real address for the manual, a long module title without a short form,
    short titles elsewhere, materials of single activities and the alpha module run in its core
    version (its extension activity left out)."""
    root = tmp_path_factory.mktemp("published") / "repo"
    shutil.copytree(FIXTURES / "mini", root)
    (root / "mkdocs.yml").write_text((ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace(
        "https://training.example.org/", SITE), encoding="utf-8")
    alpha = root / "modules/alpha/module.yml"
    text = alpha.read_text(encoding="utf-8").replace("title: Alpha module on safe first contact", f"title: {LONG_TITLE}")
    text = text.replace("    title: Practising the opening\n", "    title: Practising the opening\n    short_title: Practice\n")
    text = text.replace("        variant: extension\n", "        variant: extension\n        materials: [A kitchen timer]\n")
    text = text.replace("        handout: case-lin\n",
                        "        handout: case-lin\n        materials: [Printed cases for each group]\n")
    alpha.write_text(text, encoding="utf-8")
    beta = root / "modules/beta/module.yml"
    beta.write_text(beta.read_text(encoding="utf-8").replace(
        "title: Beta module on closed-door discussion\n", "title: Beta module on closed-door discussion\nshort_title: Beta\n", 1),
        encoding="utf-8")
    demo = root / "curriculum/demo.yml"
    demo.write_text(demo.read_text(encoding="utf-8").replace("      - module: alpha\n",
                                                             "      - module: alpha\n        variant: core\n"), encoding="utf-8")
    build(root, site=False)
    return root


def _pages_text(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")


def test_every_document_is_built_with_pages(built: Path):
    pdf = built / "build" / "pdf"
    expected = [
        "facilitator/demo/facilitator-guide.pdf", "facilitator/demo/answer-key.pdf",
        "participant/demo/workbook.pdf", "participant/demo/knowledge-test.pdf",
        "participant/demo/evaluation-form.pdf", "participant/handouts/alpha/case-lin.pdf",
        "participant/handouts/alpha/opening-sheet.pdf",
    ]
    for rel in expected:
        reader = pypdf.PdfReader(str(pdf / rel))
        assert len(reader.pages) > 0, rel
    assert len(pypdf.PdfReader(str(pdf / "facilitator/demo/facilitator-guide.pdf")).pages) >= 8


@pytest.mark.parametrize("doc", ["facilitator/demo/facilitator-guide.pdf", "participant/demo/workbook.pdf"])
def test_toc_page_numbers_are_where_the_headings_are(built: Path, doc: str):
    path = built / "build" / "pdf" / doc
    pages = _pages_text(path)
    reader = pypdf.PdfReader(str(path))
    dests = reader.named_destinations
    toc_pages = [i for i, p in enumerate(pages) if re.search(r"\.{3,}\s*\d+\s*$", p, re.M)]
    entries: list[tuple[str, str]] = []
    targets: list[int] = []  # where each contents line's link really leads, top to bottom
    for i in toc_pages:
        entries += re.findall(r"^\s*(\S.*?)\s*\.{3,}\s*(\d+)\s*$", pages[i], re.M)
        seen: list[str] = []
        for annot in sorted((a.get_object() for a in reader.pages[i].get("/Annots", [])),
                            key=lambda a: -float(a["/Rect"][1])):
            if annot.get("/Dest") and annot["/Dest"] not in seen:
                seen.append(annot["/Dest"])
        targets += [reader.get_destination_page_number(dests[d]) + 1 for d in seen]
    assert len(entries) >= 5 and len(entries) == len(targets)
    for (title, number), target in zip(entries, targets, strict=True):
        assert int(number) == target, f"'{title}' is listed on page {number} but its heading is on page {target}"
        body = pages[target - 1].strip().split("\n")[1:-1]  # without the running head and the footer
        assert title.strip()[:30] in " ".join(" ".join(body).split()), f"'{title}' is not on page {target}"


def test_bookmarks_metadata_and_tags(built: Path):
    reader = pypdf.PdfReader(str(built / "build/pdf/facilitator/demo/facilitator-guide.pdf"))
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    assert "Agenda" in titles and "Alpha module on safe first contact" in titles
    assert "Opening a first conversation" in titles
    assert reader.metadata.title == "Demo workshop – Facilitator guide"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root


def test_running_header_and_page_x_of_y_footer(built: Path):
    pages = _pages_text(built / "build/pdf/facilitator/demo/facilitator-guide.pdf")
    pages = [p for p in pages if p.strip()]
    total = len(pages)
    for number, text in enumerate(pages[1:], start=2):  # the cover has no header or footer
        assert "Demo workshop · Facilitator guide" in text
        assert f"page {number} of {total}" in text


def test_a4_by_default_and_letter_on_request(built: Path, tmp_path: Path):
    for rel in ["participant/demo/workbook.pdf", "participant/handouts/alpha/case-lin.pdf"]:
        box = pypdf.PdfReader(str(built / "build/pdf" / rel)).pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (round(A4[0]), round(A4[1]))
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "mini", root)
    build(root, site=False, paper="Letter", only="alpha")
    box = pypdf.PdfReader(str(root / "build/pdf/participant/handouts/alpha/case-lin.pdf")).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (round(LETTER[0]), round(LETTER[1]))


def _uris(reader: pypdf.PdfReader) -> list[str]:
    return [a["/A"]["/URI"] for p in reader.pages for a in (p.get("/Annots") or [])
            if "/A" in a.get_object() and "/URI" in a["/A"]]


def test_handout_is_standalone_with_module_header_and_qr_link(published: Path):
    path = published / "build/pdf/participant/handouts/alpha/case-lin.pdf"
    reader = pypdf.PdfReader(str(path))
    assert 1 <= len(reader.pages) <= 3
    text = pdf_text(path)
    assert "The case of Lin" in text and "Handout · Alpha module on safe first contact" in text
    assert "Fictional case for training" in text
    # The QR code and the printed address lead to the handout's page in the online manual.
    assert f"{SITE}modules/alpha/handouts/case-lin.html" in text.replace("\n", "")
    assert f"{SITE}modules/alpha/handouts/case-lin.html" in _uris(reader)
    assert "Online version" in text  # the caption of the QR code (drawn as vector graphics)


def test_no_qr_code_or_address_while_the_manual_has_a_placeholder_address(built: Path):
    """mkdocs.yml's site_url is training.example.org: a code to it would lead nowhere."""
    for rel in ["participant/handouts/alpha/case-lin.pdf", "participant/handouts/alpha/opening-sheet.pdf"]:
        reader = pypdf.PdfReader(str(built / "build/pdf" / rel))
        text = pdf_text(built / "build/pdf" / rel)
        assert "example.org" not in text and "Online version" not in text
        assert not _uris(reader), rel


def test_workbook_has_writing_space_and_no_answers(built: Path):
    text = pdf_text(built / "build/pdf/participant/demo/workbook.pdf")
    assert "How I introduce myself" in text  # a worksheet's fill-in prompt
    assert "Consent and clarity about your role" not in text  # an explanation
    assert "Closed session" in text
    # The glossary defines the terms the workshop uses, not the whole curriculum's.
    glossary = text[text.rindex("Glossary"):]
    assert "Agreement given freely" in glossary and "Warm handover" not in text and "Referral" not in glossary


def _numbered_prompts(path: Path) -> list[str]:
    return re.findall(r"^\s*(\d+\. \S.*?)\s*$", pdf_text(path), flags=re.M)


def _numbered_prompts_of(text: str) -> list[str]:
    return re.findall(r"^\s*\d+\. (\S.*?)\s*$", text, flags=re.M)


def _guide_key(path: Path) -> tuple[str, str]:
    """The answer key of a facilitator guide: the test's items, and the other items."""
    guide = pdf_text(path)
    key = guide[guide.index("Maximum score"):guide.rindex("Participant evaluation form")]
    in_test, _, others = key.partition("Further items (not in the knowledge test)")
    return in_test, others


def test_answer_key_numbers_the_same_items_as_the_participant_test_even_with_restricted_sessions(tmp_path: Path):
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "mini", root)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    # The closed session serves an objective of its own, with an item of its own.
    beta = root / "modules/beta/module.yml"
    text = beta.read_text(encoding="utf-8")
    text = text.replace("    text: Describe the coordination options.\n",
                        "    text: Describe the coordination options.\n"
                        "  - id: lo2\n    text: Compare how peers handled access constraints.\n")
    text = text.replace("    objectives: [lo1]\n    visibility: restricted", "    objectives: [lo2]\n    visibility: restricted")
    text += ("  - id: q2\n    objective: lo2\n    type: single\n"
             "    prompt: Under the Chatham House Rule, what may you repeat?\n"
             "    options:\n      a: What was said, without who said it\n      b: Who said what\n"
             "    answer: a\n    explanation: The rule protects who spoke, not what was said.\n")
    beta.write_text(text, encoding="utf-8")
    build(root, site=False, include_restricted=True)
    pdf = root / "build/restricted/pdf"
    test = _numbered_prompts(pdf / "participant/demo/knowledge-test.pdf")
    key = _numbered_prompts(pdf / "facilitator/demo/answer-key.pdf")
    assert len(test) >= 2 and key == test
    closed_item = "Under the Chatham House Rule"
    assert not any(closed_item in line for line in test)
    in_test, others = _guide_key(pdf / "facilitator/demo/facilitator-guide.pdf")
    # The guide's key numbers the test's items as the test does; the closed session's item is
    # answered too, apart and lettered.
    assert _numbered_prompts_of(in_test) == [line.split(". ", 1)[1] for line in test]
    assert closed_item in others and closed_item not in in_test


def test_no_change_rebuild_renders_nothing_and_one_edit_renders_only_its_documents(tmp_path: Path):
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "mini", root)
    first = build(root, site=False)
    assert first.pdf_rendered and not first.pdf_cached
    second = build(root, site=False)
    assert second.pdf_rendered == [] and sorted(second.pdf_cached) == sorted(first.pdf_rendered)
    handout = root / "modules/alpha/handouts/opening-sheet.md"
    handout.write_text(handout.read_text() + "\nOne more line.\n")
    third = build(root, site=False)
    assert sorted(third.pdf_rendered) == sorted([
        "participant/handouts/alpha/opening-sheet.pdf", "participant/demo/workbook.pdf",
        "facilitator/demo/facilitator-guide.pdf"])
    beta = root / "modules/beta/module.yml"
    beta.write_text(beta.read_text().replace("An open overview of coordination.", "An open overview, revised."))
    fourth = build(root, site=False)
    assert "participant/handouts/alpha/case-lin.pdf" not in fourth.pdf_rendered
    assert "participant/demo/workbook.pdf" in fourth.pdf_rendered


def test_fonts_are_embedded_and_korean_renders_with_whole_words(tmp_path: Path):
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "mini", root)
    korean = "참가자는 첫 대화에서 동의를 구하는 방법을 연습합니다."
    sheet = root / "modules/alpha/handouts/opening-sheet.md"
    sheet.write_text(sheet.read_text() + f"\n{korean}\n", encoding="utf-8")
    build(root, site=False, only="alpha")
    path = root / "build/pdf/participant/handouts/alpha/opening-sheet.pdf"
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # the 'emb' column
    assert any("CJK" in line for line in fonts), "Hangul is set in Noto CJK"
    text = pdf_text(path)
    assert "\u2060" not in text
    assert korean.replace(" ", "") in text.replace(" ", "").replace("\n", "")


def test_a_handout_longer_than_its_limit_fails_the_build_every_time(tmp_path: Path):
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "mini", root)
    yml = root / "modules/alpha/module.yml"
    original = yml.read_text(encoding="utf-8")
    yml.write_text(original.replace("    title: The case of Lin\n", "    title: The case of Lin\n    pages_max: 10\n"),
                   encoding="utf-8")
    case = root / "modules/alpha/handouts/case-lin.md"
    case.write_text(case.read_text(encoding="utf-8") + "\n" + "A line of the long case.\n\n" * 120, encoding="utf-8")
    build(root, site=False)  # within its limit: built and cached
    yml.write_text(original.replace("    title: The case of Lin\n", "    title: The case of Lin\n    pages_max: 1\n"),
                   encoding="utf-8")
    for _ in range(2):  # the cached PDF is not reused, and a failure is not cached: the second build says it again
        limit = r"modules/alpha/handouts/case-lin.md: the handout prints on \d+ pages; its limit is 1"
        with pytest.raises(BuildError, match=limit):
            build(root, site=False)


def _png(rgb: tuple[int, int, int], width: int = 40, height: int = 20) -> bytes:
    """A plain PNG of one colour (SVG images are refused: they can carry scripts)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_an_image_borrowed_from_another_module_re_renders_the_handout_when_it_changes(tmp_path: Path):
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "mini", root)
    (root / "modules/beta/map.png").write_bytes(_png((255, 0, 0)))
    case = root / "modules/alpha/handouts/case-lin.md"
    case.write_text(case.read_text(encoding="utf-8") + "\n![A map of the area](../../beta/map.png)\n", encoding="utf-8")
    build(root, site=False)
    (root / "modules/beta/map.png").write_bytes(_png((0, 0, 255)))  # same size, new colour
    report = build(root, site=False)
    assert "participant/handouts/alpha/case-lin.pdf" in report.pdf_rendered


# --- running heads, bookmarks, answer keys, materials ----------------------------------------------


def _heads(path: Path) -> list[tuple[str, str]]:
    """The running head of every page after the cover, as the text layer holds it: (left, right)."""
    reader = pypdf.PdfReader(str(path))
    out = []
    for number in range(2, len(reader.pages) + 1):
        width = float(reader.pages[number - 1].mediabox.width)
        band = subprocess.run(["pdftotext", "-layout", "-f", str(number), "-l", str(number), "-x", "0", "-y", "0",
                               "-W", str(int(width)), "-H", "50", str(path), "-"],
                              capture_output=True, text=True, check=True).stdout.strip()
        parts = re.split(r"\s{3,}", band)
        out.append((parts[0], parts[1] if len(parts) > 1 else ""))
    return out


def test_running_heads_are_short_titles_in_whole_words_and_say_day_time_and_session(built: Path, published: Path):
    heads = _heads(built / "build/pdf/facilitator/demo/facilitator-guide.pdf")
    assert {left for left, _ in heads} == {"Demo workshop · Facilitator guide"}
    rights = {right for _, right in heads}
    # A facilitator thumbs to "now": the day, the clock and the session.
    assert {"Day 1 · 09:15 · Opening a first conversation", "Day 1 · 10:00 · Practising the opening",
            "Alpha module on safe first contact", "Annex: handouts", "Answer key"} <= rights
    heads = _heads(published / "build/pdf/facilitator/demo/facilitator-guide.pdf")
    rights = {right for _, right in heads}
    assert "Day 1 · 09:50 · Practice" in rights and "Beta" in rights  # the short titles
    # A long title without a short form is cut after a whole word, never inside one, and the
    # text layer holds exactly what is printed.
    cut = [r for r in rights if r.startswith("Alpha module")]
    assert cut and all(r.endswith("…") and LONG_TITLE.startswith(r[:-1]) and LONG_TITLE[len(r) - 1] == " " for r in cut)
    # A handout has no head on the right: its head takes the whole width.
    first = pdf_text(published / "build/pdf/participant/handouts/alpha/case-lin.pdf").splitlines()[0].strip()
    assert first == f"Handout · {LONG_TITLE}"


def test_fit_head_cuts_only_between_words():
    from workshopkit.pdf.html import fit_head, text_width_mm

    assert fit_head("Short", 60) == "Short"
    title = "Referral pathways, case management and integration assistance for newly arrived people"
    head = fit_head(title, 50, prefix="Day 2 · 13:30 · ")
    assert head.startswith("Day 2 · 13:30 · Referral") and head.endswith("…") and text_width_mm(head) <= 50
    assert title.startswith(head[len("Day 2 · 13:30 · "):-1]) and title[len(head) - len("Day 2 · 13:30 · ") - 1] in " ,"




@pytest.mark.parametrize("doc", ["facilitator/demo/facilitator-guide.pdf", "participant/demo/workbook.pdf"])
def test_bookmarks_are_three_levels_part_module_session_and_a_contents_entry(built: Path, doc: str):
    outline = pdf_outline(pypdf.PdfReader(str(built / "build/pdf" / doc)))
    assert max(depth for depth, _ in outline) == 3
    part = "Session plans" if "guide" in doc else "Modules"
    assert (1, "Contents") in outline and (1, "Agenda") in outline and (1, part) in outline
    modules = outline.index((1, part))
    assert outline[modules + 1] == (2, "Alpha module on safe first contact")
    assert outline[modules + 2] == (3, "Opening a first conversation")
    # The guide prints its handouts as a numbered annex after the session plans.
    assert (3, "Handout: The case of Lin") in outline or (2, "Handout 1: The case of Lin") in outline
    # No entry repeats the one it sits under, and activities and headings inside texts are not bookmarked.
    for (depth, title), (next_depth, next_title) in zip(outline, outline[1:], strict=False):
        assert not (next_depth == depth + 1 and next_title.lstrip("0123456789. ") == title), title
    assert not any(title in ("Short input", "1. Short input", "Key messages", "Activities") for _, title in outline)


def _runs(path: Path, page: int = 0) -> list[tuple[str, str]]:
    """The text of one page in the order it is drawn, each piece with the name of its font."""
    runs: list[tuple[str, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            runs.append((text.strip(), str(font.get("/BaseFont", "")) if font else ""))

    pypdf.PdfReader(str(path)).pages[page].extract_text(visitor_text=visit)
    return runs


def test_answer_key_opens_with_a_grid_and_the_maximum_score_and_ticks_the_right_box_in_bold(built: Path):
    path = built / "build/pdf/facilitator/demo/answer-key.pdf"
    first = pdf_text(path).split("\f")[0]
    assert "Maximum score: 3 (one point per item)" in first
    grid = re.findall(r"^\s*(\d+)\s{2,}(\S.*?)\s{2,}(\S.*?)\s*$", first, flags=re.M)
    assert [(n, answer) for n, answer, _ in grid] == [("1", "b"), ("2", "True"), ("3", "a, b")]
    runs = _runs(path)
    texts = [t for t, _ in runs]
    bold = {t for t, font in runs if "Bold" in font}
    right, wrong = "b. Explaining your role and asking for consent", "a. Detailed questions about the journey"
    assert right in bold and wrong not in bold
    assert texts[texts.index(right) - 1] == "✔"  # the tick sits in the right option's box
    assert texts.count("✔") == 4  # b; True; a and b


def test_the_guide_numbers_its_answer_key_as_the_printed_test_with_other_items_apart(built: Path):
    pdf = built / "build/pdf"
    test = _numbered_prompts_of(pdf_text(pdf / "participant/demo/knowledge-test.pdf"))
    in_test, others = _guide_key(pdf / "facilitator/demo/facilitator-guide.pdf")
    assert test and _numbered_prompts_of(in_test) == test
    assert "Maximum score: 3 (one point per item)" in in_test
    # The item the test leaves out is answered apart, lettered, never with a test number.
    assert "a. Name one reason consent matters." in others and _numbered_prompts_of(others) == []
    assert "Name one reason consent matters." not in in_test


def test_materials_follow_the_version_a_session_runs_and_the_team_has_its_heading(built: Path, published: Path):
    full = pdf_text(built / "build/pdf/facilitator/demo/facilitator-guide.pdf")
    assert "Facilitation team" in full and "A. Facilitator – lead" in full
    assert "Facilitator notes\n" not in full.split("Facilitation team")[0][-200:]
    core = pdf_text(published / "build/pdf/facilitator/demo/facilitator-guide.pdf")
    assert "Printed cases for each group" in core  # a core activity's materials
    assert "A kitchen timer" not in core  # the extension activity does not run in the core version
    assert "Extra practice" not in core


def test_materials_of_an_extension_activity_are_marked_in_the_full_version_only():
    from workshopkit.model import Activity, Session
    from workshopkit.pdf.html import run_materials

    def activity(aid: str, variant: str, materials: list[str]) -> Activity:
        return Activity(id=aid, title=aid, method="discussion", minutes=10, variant=variant, materials=materials)

    sess = Session(id="s", title="S", minutes=20, objectives=["lo1"], materials=["Flipchart"],
                   activities=[activity("a", "core", ["Cards"]), activity("b", "extension", ["Timer", "Cards"])])
    assert run_materials(sess, "core") == [("Flipchart", False), ("Cards", False)]
    assert run_materials(sess, "full") == [("Flipchart", False), ("Cards", False), ("Timer", True)]


def test_a_section_that_spills_a_few_lines_onto_a_nearly_empty_page_is_set_tighter(tmp_path: Path):
    from workshopkit.pdf.html import css_text
    from workshopkit.pdf.render import InProcess, Job, _init, _render, spilled_sections, tighten
    from workshopkit.strings import load_strings

    css = css_text(load_strings("en"), "A4")
    para = "<p>" + "A sentence that fills the line of a session plan with words. " * 6 + "</p>\n"

    def doc(paragraphs: int) -> str:
        body = para * paragraphs
        return ('<!DOCTYPE html><html lang="en"><body class="fg"><section class="cover">Cover</section>'
                f'<section class="session fit" id="fit-long"><h2>Long</h2>{body}</section>'
                '<section class="session fit" id="fit-next"><h2>Next</h2><p>Next session.</p></section></body></html>')

    renderer = InProcess(css, tmp_path)
    # A length whose last lines spill onto a page of their own (one page holds about ten paragraphs).
    html = next(h for h in map(doc, range(11, 16)) if spilled_sections(renderer.layout(h, tmp_path.as_uri() + "/"))[1])
    first = renderer.layout(html, tmp_path.as_uri() + "/")
    empty, spilled = spilled_sections(first)
    assert spilled == ["fit-long"] and empty == 2  # the spill, and the short last session (not a spill)
    assert 'class="session fit tight" id="fit-long"' in tighten(html, spilled)
    assert 'class="session fit" id="fit-next"' in tighten(html, spilled)
    _init(css, str(tmp_path))
    result = _render(Job(html, str(tmp_path / "out.pdf"), tmp_path.as_uri() + "/", "test", tighten=True))
    assert result.error == "" and result.pages == len(first.pages) - 1


def test_the_printed_test_asks_for_the_code_of_the_code_cards_in_boxes(built: Path):
    """The code on the paper test has the form of the event kit's code cards (P and a number),
    the form the answer readers and the XLSForms accept, never something about the person."""
    from workshopkit.kit.xlsform import CODE_PATTERN

    first = _pages_text(built / "build/pdf/participant/demo/knowledge-test.pdf")[0]
    assert "Your participant code" in first and "one character to a box" in first
    example = re.search(r"for example (P\d+)\)", first)
    assert example and re.match(CODE_PATTERN, example.group(1)), first[:800]
    assert "mother" not in first
    key = _pages_text(built / "build/pdf/facilitator/demo/answer-key.pdf")[0]
    assert "Your participant code" not in key
