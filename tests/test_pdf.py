"""The PDFs, built for real from the fixture workshop and read back with PDF tools."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest

from workshopkit.errors import BuildError

from build_helpers import build, pdf_text
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


def test_handout_is_standalone_with_module_header_and_qr_link(built: Path):
    path = built / "build/pdf/participant/handouts/alpha/case-lin.pdf"
    reader = pypdf.PdfReader(str(path))
    assert 1 <= len(reader.pages) <= 3
    text = pdf_text(path)
    assert "The case of Lin" in text and "Alpha module on safe first contact" in text
    assert "Fictional case for training" in text
    # The QR code and the printed address lead to the handout's page in the online manual.
    assert "https://training.example.org/modules/alpha/handouts/case-lin.html" in text.replace("\n", "")
    links = [a["/A"]["/URI"] for p in reader.pages for a in (p.get("/Annots") or [])
             if "/A" in a.get_object() and "/URI" in a["/A"]]
    assert "https://training.example.org/modules/alpha/handouts/case-lin.html" in links


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
    guide = pdf_text(pdf / "facilitator/demo/facilitator-guide.pdf")
    assert closed_item in guide  # the closed session's item is answered in the guide ...
    marked = re.findall(r"^.*\(in the knowledge test\).*$", guide, flags=re.M)
    assert len(marked) == len(test) and not any(closed_item in line for line in marked)  # ... but not marked


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
