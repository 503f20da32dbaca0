"""Slide decks: the workshop's deck as a 16:9 PDF, each session's deck cut from it, the PowerPoint
files (speaker notes only in the facilitator's), the author's slides, and the audience gate."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from pptx import Presentation

from workshopkit.check import check
from workshopkit.outputs import PlanOptions, plan
from workshopkit.slides import deck as decks
from workshopkit.slides.text import split

from build_helpers import build, pdf_text
from canary import make_canary_repo
from conftest import FIXTURES

SLIDES = """# Why consent comes first

Asking first gives the person control over their story.

/// facilitator
Pause here and ask who has been asked for consent this week.
///

---

# Three steps

1. Say who you are.
2. Say what you can and cannot do.
3. Ask whether the person wants to go on.

---

# What it looks like

![A helper and a person sitting side by side](../images/side-by-side.png)
"""

LONG = " ".join(["Read the case of Lin together and note every moment where the helper could have asked first."] * 14)


def _prepare(root: Path) -> None:
    """The mini fixture with a session's own slides, an image and a long instruction."""
    alpha = root / "modules" / "alpha"
    (alpha / "slides").mkdir()
    (alpha / "slides" / "opening.md").write_text(SLIDES, encoding="utf-8")
    (alpha / "images").mkdir()
    from PIL import Image

    Image.new("RGB", (320, 180), (0, 87, 75)).save(alpha / "images" / "side-by-side.png")
    yml = alpha / "module.yml"
    text = yml.read_text(encoding="utf-8")
    text = text.replace("    content_warning: This session",
                        "    slides: slides/opening.md\n    content_warning: This session", 1)
    text = text.replace("        participant: Read the case and discuss the questions.",
                        f"        participant: {LONG}", 1)
    yml.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("slides") / "mini"
    shutil.copytree(FIXTURES / "mini", root)
    _prepare(root)
    build(root)
    return root


def _deck(root: Path, audience: str = "participant") -> Path:
    return root / "build" / "pdf" / audience / "demo" / "slides"


# --- the author's slides -----------------------------------------------------------------------


def test_author_slides_split_on_lines_of_three_dashes():
    read = split(SLIDES)
    assert [s.title for s in read.slides] == ["Why consent comes first", "Three steps", "What it looks like"]
    assert [s.line for s in read.slides] == [1, 11, 19]
    assert not read.problems
    assert "2. Say what you can" in read.slides[1].body


def test_a_bad_slides_file_is_reported_at_its_line(mini: Path):
    _prepare(mini)
    bad = mini / "modules" / "alpha" / "slides" / "opening.md"
    bad.write_text("# One\n\nText.\n---\n\n# Two\n\nMore.\n\n---\n\n---\n", encoding="utf-8")
    _, diags = check(mini)
    found = {(d.path, d.line, d.code) for d in diags}
    assert ("modules/alpha/slides/opening.md", 4, "WK336") in found
    assert any(p == "modules/alpha/slides/opening.md" and c == "WK337" for p, _, c in found)
    # A file that is not there: at the line of module.yml that names it.
    bad.unlink()
    _, diags = check(mini)
    missing = [d for d in diags if d.code == "WK040"]
    lines = (mini / "modules" / "alpha" / "module.yml").read_text(encoding="utf-8").split("\n")
    assert missing and missing[0].path == "modules/alpha/module.yml"
    assert "slides: slides/opening.md" in lines[missing[0].line - 1]


# --- the PDF deck ------------------------------------------------------------------------------


def test_the_workshop_deck_is_a_16_9_pdf_with_a_page_per_slide(built: Path):
    pdf = _deck(built) / "slides.pdf"
    reader = pypdf.PdfReader(str(pdf))
    for page in reader.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(w / h - 16 / 9) < 0.01
        assert abs(w - 960) < 1  # 13.333 in: the size of a widescreen slide in PowerPoint and Impress
    text = pdf_text(pdf)
    for title in ("Demo workshop", "Opening a first conversation", "Practising the opening", "Learning objectives",
                  "Why consent comes first", "Three steps", "What it looks like", "Triad role play",
                  "Introduce yourself and your role."):
        assert title in text
    # The long instruction continues on another slide rather than shrinking out of sight.
    assert "Case discussion (continued)" in text
    # The plan of a session gives the clock time of each activity.
    assert re.search(r"09:15\s+Short input", text)


def test_each_session_deck_is_cut_from_the_workshop_deck(built: Path):
    folder = _deck(built)
    whole = len(pypdf.PdfReader(str(folder / "slides.pdf")).pages)
    parts = sorted(folder.glob("*--*.pdf"))
    assert [p.name for p in parts] == ["alpha--opening.pdf", "alpha--practice.pdf", "beta--open-part.pdf"]
    counts = [len(pypdf.PdfReader(str(p)).pages) for p in parts]
    assert sum(counts) == whole - 1  # the workshop's title slide is in no session's deck
    assert pdf_text(parts[1]).lstrip().startswith("Practising the opening")
    assert "Opening a first conversation" not in pdf_text(parts[1])


def test_no_text_runs_past_the_edge_of_a_slide(built: Path):
    pdf = _deck(built) / "slides.pdf"
    side = decks.SIDE_MM * 72 / 25.4
    bottom_margin = 14 * 72 / 25.4
    with pdfplumber.open(str(pdf)) as doc:
        for n, page in enumerate(doc.pages, start=1):
            for ch in page.chars:
                if not ch["text"].strip():
                    continue
                assert ch["x0"] >= side - 1 and ch["x1"] <= page.width - side + 1, (n, ch["text"])
                if ch["size"] > 13:  # the footer (12 pt) sits in the page's bottom margin; nothing else may
                    assert ch["bottom"] <= page.height - bottom_margin + 1, (n, ch["text"], ch["bottom"])


def test_body_type_is_large_enough_for_a_room(built: Path):
    with pdfplumber.open(str(_deck(built) / "slides.pdf")) as doc:
        sizes = [round(ch["size"]) for page in doc.pages for ch in page.chars if ch["text"].strip()]
    body = [s for s in sizes if s > 18]  # labels, captions and footers are smaller
    assert body and min(body) >= 20
    assert sizes.count(28) > sizes.count(20)


# --- the PowerPoint files ----------------------------------------------------------------------


def _titles(prs: Presentation) -> list[str]:
    return [s.shapes.title.text if s.shapes.title is not None else "" for s in prs.slides]


def test_the_pptx_has_the_slides_of_the_pdf_and_notes_only_for_facilitators(built: Path):
    pdf_pages = len(pypdf.PdfReader(str(_deck(built) / "slides.pdf")).pages)
    part = Presentation(str(_deck(built) / "slides.pptx"))
    fac = Presentation(str(_deck(built, "facilitator") / "slides.pptx"))
    assert len(part.slides) == pdf_pages
    assert abs(part.slide_width / part.slide_height - 16 / 9) < 0.01
    titles = _titles(part)
    assert titles[0] == "Demo workshop"
    assert ["Why consent comes first", "Three steps", "What it looks like"] == \
        [t for t in titles if t in ("Why consent comes first", "Three steps", "What it looks like")]
    assert not any(s.has_notes_slide for s in part.slides)
    notes = {t: s.notes_slide.notes_text_frame.text for t, s in zip(_titles(fac), fac.slides, strict=True)
             if s.has_notes_slide}
    assert "Expected answer is that consent was skipped." in notes["Case discussion"]
    assert "Pause here and ask who has been asked for consent this week." in notes["Why consent comes first"]
    # The image is a picture on its own slide.
    pictures = [sh for s in part.slides for sh in s.shapes if sh.shape_type == 13]
    assert len(pictures) == 1
    # Each session has a file of its own, with that session's slides.
    one = Presentation(str(_deck(built) / "alpha--practice.pptx"))
    assert _titles(one)[0] == "Practising the opening"
    assert len(one.slides) == len(pypdf.PdfReader(str(_deck(built) / "alpha--practice.pdf")).pages)


def test_the_sites_offer_the_decks(built: Path):
    part = (built / "build" / "site" / "participant" / "workshops" / "demo.html").read_text(encoding="utf-8")
    fac = (built / "build" / "site" / "facilitator" / "workshops" / "demo.html").read_text(encoding="utf-8")
    assert "downloads/participant/demo/slides/slides.pdf" in part
    assert "downloads/participant/demo/slides/slides.pptx" in part
    assert "facilitator/demo/slides/slides.pptx" not in part
    assert "downloads/facilitator/demo/slides/slides.pptx" in fac
    assert (built / "build" / "site" / "participant" / "downloads" / "participant" / "demo" / "slides" / "slides.pdf").is_file()


def test_an_unchanged_build_reuses_every_slide_file(built: Path):
    folder = _deck(built)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    report = build(built, site=False)
    assert not report.pdf_rendered
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_korean_decks_go_under_the_language_folder(built: Path):
    from workshopkit.build import BuildOptions, views_for
    from workshopkit.load import load_project

    project, _ = load_project(built)
    views = views_for(project, BuildOptions(root=built))
    paths = [o.path for o in plan(views, PlanOptions(language="ko")) if "slides" in o.path]
    assert "ko/participant/demo/slides/slides.pdf" in paths
    assert "ko/facilitator/demo/slides/slides.pptx" in paths
    assert all(p.startswith("ko/") for p in paths)


# --- the audience gate -------------------------------------------------------------------------


def _pptx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(name).decode("utf-8", errors="replace") for name in z.namelist())


def test_no_private_text_reaches_a_participant_deck(tmp_path: Path):
    root = tmp_path / "repo"
    canaries = make_canary_repo(root)
    build(root, site=False)
    pdf = root / "build" / "pdf"
    participant = sorted((pdf / "participant").rglob("slides/*"))
    assert any(p.suffix == ".pptx" for p in participant) and any(p.suffix == ".pdf" for p in participant)
    for path in participant:
        text = pdf_text(path) if path.suffix == ".pdf" else _pptx_text(path)
        leaked = [c for c in canaries.private if c in text]
        assert not leaked, f"{path.name}: {[canaries.places[c] for c in leaked]}"
    # The facilitator deck holds facilitator text in its speaker notes only, never on a slide.
    fac = pdf / "facilitator" / "demo" / "slides" / "slides.pptx"
    with zipfile.ZipFile(fac) as z:
        notes = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("ppt/notesSlides/"))
        shown = "".join(z.read(n).decode() for n in z.namelist() if re.match(r"ppt/slides/slide\d+\.xml$", n))
    assert any(c in notes for c in canaries.facilitator)
    assert not [c for c in canaries.private if c in shown]
