"""Every PDF of the shipped curriculum, on A4 and on Letter, measured as a printer would print it:
no ink near the sheet's edge, few nearly empty pages, handouts within their page limits and
writing spaces never split.

Each page is rasterised (poppler's ``pdftoppm``, greyscale) and read row by row: where the ink
is nearest the sheet's edges and how far down the body of the page it reaches. Named
destinations (poppler's ``pdfinfo -dests``) say on which page an element with an ``id`` starts.

Run as a script on a build's ``pdf`` folder to print the figures:
``.venv/bin/python tests/test_print_geometry.py build/pdf``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest

from workshopkit.build import BuildOptions, run_build
from workshopkit.load import load_project
from workshopkit.strings import load_strings

from build_helpers import pdf_outline
from conftest import ROOT

DPI = 72
MM = DPI / 25.4  # pixels per millimetre
INK = 235  # a grey level darker than this is ink (paper is 255; the lightest tint printed is ~240)
EDGE_MM = 4.0  # no ink this close to the sheet's edge
#: The top and bottom margins, which hold only the running head and the footer: 20 mm on A4,
#: 15 mm on the shorter Letter sheet.
BODY_MARGIN_MM = {"A4": 20.0, "Letter": 15.0}
#: Documents whose first page is a cover printed to the edge on purpose.
COVERED = ("workbook.pdf", "facilitator-guide.pdf", "restricted-pack.pdf")
#: Long documents, whose nearly empty pages count.
LONG = ("workbook.pdf", "facilitator-guide.pdf")


@dataclass
class Page:
    doc: str  # path relative to the build's pdf folder
    number: int  # 1-based
    width_mm: float
    height_mm: float
    edge_mm: float  # the least distance from ink to any edge of the sheet (inf on a blank page)
    ink_box_mm: tuple[float, float, float, float]  # left, top, right, bottom of all ink (mm)
    fill: float  # how far down the body the ink reaches, 0..1

    @property
    def covered(self) -> bool:
        return self.number == 1 and self.doc.endswith(COVERED)


def paper_of(height_mm: float) -> str:
    return "Letter" if abs(height_mm - 279.4) < 3 else "A4"


def _read_pgm(path: Path) -> tuple[int, int, bytes]:
    data = path.read_bytes()
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:  # magic, width, height, maxval
        while data[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    assert fields[0] == b"P5", path
    return int(fields[1]), int(fields[2]), data[pos + 1:]


#: Maps a grey level to 1 where it is ink and 0 where it is paper, so that bytes.find finds ink.
_INKED = bytes(1 if v < INK else 0 for v in range(256))


def _measure(doc: str, number: int, pgm: Path) -> Page:
    width, height, pixels = _read_pgm(pgm)
    marks = pixels.translate(_INKED)
    rows = [marks[y * width:(y + 1) * width] for y in range(height)]
    inked = [y for y, row in enumerate(rows) if 1 in row]
    if not inked:
        return Page(doc, number, width / MM, height / MM, float("inf"), (0, 0, 0, 0), 0.0)
    top, bottom = inked[0], inked[-1]
    left = min(rows[y].find(1) for y in inked)
    right = max(rows[y].rfind(1) for y in inked)
    edge = min(left, top, width - 1 - right, height - 1 - bottom) / MM
    margin = BODY_MARGIN_MM[paper_of(height / MM)] * MM
    body_top, body_bottom = margin, height - margin
    in_body = [y for y in inked if body_top <= y <= body_bottom]
    fill = (in_body[-1] - body_top) / (body_bottom - body_top) if in_body else 0.0
    return Page(doc, number, width / MM, height / MM, edge, (left / MM, top / MM, right / MM, bottom / MM), fill)


def measure_pdf(path: Path, rel: str) -> list[Page]:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-gray", "-r", str(DPI), str(path), f"{tmp}/p"], check=True)
        files = sorted(Path(tmp).glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[-1]))
        return [_measure(rel, int(f.stem.split("-")[-1]), f) for f in files]


def measure_folder(folder: Path, workers: int = 2) -> list[Page]:
    """Every page of every PDF under ``folder`` (the build's ``pdf`` folder)."""
    pdfs = sorted(p for p in folder.rglob("*.pdf") if ".cache" not in p.parts)
    with ThreadPoolExecutor(workers) as pool:  # pdftoppm does the work, in its own processes
        pages = pool.map(lambda p: measure_pdf(p, p.relative_to(folder).as_posix()), pdfs)
    return [page for doc in pages for page in doc]


_DEST = re.compile(r'^\s*(\d+) \[.*\] "(.*)"$', re.M)


def destinations(path: Path) -> dict[str, int]:
    """The named destinations of a PDF (each element with an id) and their 1-based pages."""
    out = subprocess.run(["pdfinfo", "-dests", str(path)], capture_output=True, text=True, check=True).stdout
    return {name: int(page) for page, name in _DEST.findall(out)}


def split_blocks(path: Path, prefix: str = "fill-") -> list[str]:
    """Blocks that start on one page and end on another: each is marked by an id ``<prefix>…``
    at its start and ``<prefix>…-end`` at its end."""
    dests = destinations(path)
    return [name for name, page in dests.items()
            if name.startswith(prefix) and not name.endswith("-end") and dests.get(name + "-end", page) != page]


def nearly_empty(pages: list[Page], limit: float = 0.25) -> list[Page]:
    return [p for p in pages if p.doc.endswith(LONG) and not p.covered and p.fill < limit]


def report(folder: Path) -> str:
    pages = measure_folder(folder)
    long_pages = [p for p in pages if p.doc.endswith(LONG) and not p.covered]
    empty = nearly_empty(pages)
    near = sorted((p for p in pages if not p.covered and p.edge_mm < EDGE_MM), key=lambda p: p.edge_mm)
    max_right = max((p.ink_box_mm[2] for p in pages if not p.covered), default=0.0)
    lines = [f"pages: {len(pages)}; guide and workbook pages: {len(long_pages)}",
             f"less than a quarter full: {len(empty)} ({100 * len(empty) / max(1, len(long_pages)):.1f} %)"]
    lines += [f"  {p.doc} p{p.number}: {p.fill:.0%}" for p in empty]
    lines.append(f"ink within {EDGE_MM} mm of the edge: {len(near)} pages; rightmost ink {max_right:.1f} mm "
                 f"({max_right * 72 / 25.4:.0f} pt)")
    lines += [f"  {p.doc} p{p.number}: {p.edge_mm:.1f} mm (ink box {tuple(round(v) for v in p.ink_box_mm)})"
              for p in near[:20]]
    for pdf in sorted(folder.rglob("*.pdf")):
        split = split_blocks(pdf)
        if split:
            lines.append(f"split fill-in blocks in {pdf.relative_to(folder)}: {', '.join(split)}")
    return "\n".join(lines)



pytestmark = [pytest.mark.slow]

ONE = ["resettlement-service-providers"]
#: The measured sets: (name, paper, language, workshops whose documents are built besides every
#: handout; None for every document). This file measures every English document on A4;
#: tests/test_print_geometry_letter_ko.py measures Letter and the Korean edition, on the other
#: test worker at the same time.
SETS = {
    "A4": ("A4", "en", None),
    "Letter": ("Letter", "en", ONE),
    "ko": ("A4", "ko", ONE),
    "A4-handouts": ("A4", "en", []),
}
#: Documents a set leaves out: on Letter, the facilitator guide (printed on A4 by the team that
#: prepares the workshop; its layout is the A4 guide's, measured in English and in Korean).
LEFT_OUT = {"Letter": ("facilitator-guide",)}


def build_sets(tmp_path_factory: pytest.TempPathFactory, names: tuple[str, ...]) -> dict[str, Path]:
    """The shipped curriculum's PDFs of each named set (its ``pdf`` folder)."""
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1767225600")  # the same covers, whatever the day
        for name in names:
            paper, language, workshops = SETS[name]
            left_out = LEFT_OUT.get(name, ())
            dest = tmp_path_factory.mktemp(f"print-{name}")
            # Slide decks are projected, not printed (tests/test_slides.py measures them).
            run_build(BuildOptions(root=ROOT, out=dest, site=False, paper=paper, languages=(language,)),
                      select=lambda plan, w=workshops, out=left_out: plan.only(
                          lambda o: "slides" not in o.kind.name and o.kind.name not in out and (
                              w is None or o.kind.scope == "handout" or o.workshop in w)))
            out[name] = dest / "pdf"
    return out


#: The sets this file measures (the other file sets its own).
MEASURED = ("A4",)


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_sets(tmp_path_factory, MEASURED)


@pytest.fixture(scope="module")
def pages(printed: dict[str, Path]) -> dict[str, list[Page]]:
    return {name: measure_folder(folder) for name, folder in printed.items()}


@pytest.fixture(scope="module", params=MEASURED)
def paper(request: pytest.FixtureRequest) -> str:
    """Each measured set in turn ('A4', 'Letter', 'ko')."""
    return request.param


def test_no_ink_within_4_mm_of_the_edge(pages: dict[str, list[Page]], paper: str, record_property):
    measured = pages[paper]
    assert len({p.doc for p in measured}) >= (50 if paper == "A4" else 25), "every document is measured"
    near = [p for p in measured if not p.covered and p.edge_mm < EDGE_MM]
    right = max(p.ink_box_mm[2] for p in measured if not p.covered)
    record_property(f"figure: print {paper}: rightmost ink (mm from the left edge)", f"{right:.1f} of {measured[0].width_mm:.1f}")
    assert not near, "ink too close to the edge: " + ", ".join(
        f"{p.doc} p{p.number} ({p.edge_mm:.1f} mm)" for p in near[:10])


def test_few_nearly_empty_pages_in_guides_and_workbooks(pages: dict[str, list[Page]], paper: str, record_property):
    long_pages = [p for p in pages[paper] if p.doc.endswith(LONG) and not p.covered]
    empty = nearly_empty(pages[paper])
    record_property(f"figure: print {paper}: guide and workbook pages less than a quarter full",
                    f"{len(empty)} of {len(long_pages)}")
    assert len(long_pages) > {"A4": 200, "ko": 80}.get(paper, 50)
    assert len(empty) <= 0.02 * len(long_pages), "nearly empty: " + ", ".join(
        f"{p.doc} p{p.number} ({p.fill:.0%})" for p in empty)


def test_no_writing_space_is_split_across_pages(printed: dict[str, Path], paper: str):
    blocks, split = 0, []
    for pdf in sorted(printed[paper].rglob("*.pdf")):
        blocks += sum(1 for name in destinations(pdf) if name.startswith("fill-") and not name.endswith("-end"))
        split += [f"{pdf.name}: {name}" for name in split_blocks(pdf)]
    assert blocks > (20 if paper == "A4" else 5), "the worksheets' writing spaces are marked"
    assert split == []


def test_real_guides_have_three_bookmark_levels_and_running_heads_of_whole_words(printed: dict[str, Path], paper: str):
    language = SETS[paper][1]
    project, _ = load_project(ROOT, language)
    titles = [w.title for w in project.workshops] + [w.short_title for w in project.workshops]
    titles += [x.title for w in project.workshops for x in w.sessions]
    titles += [x.short_title for w in project.workshops for x in w.sessions]
    titles += [slot.title for w in project.workshops for d in w.days for slot in d.slots]
    for m in project.modules:
        titles += [m.title, m.short_title] + [x.title for x in m.sessions] + [x.short_title for x in m.sessions]
        titles += [h.title for h in m.handouts]
    strings = load_strings(language)
    titles += [v for k, v in strings.items() if "{" not in v and len(v) < 40]
    words = {w.strip(",.:;()“”\"'") for t in titles for w in t.split()}
    words |= {"Day", "Handout", "Facilitator", "guide", "Participant", "workbook", "Agenda", "Contents", "Answer", "key",
              "Preparation", "checklist", "evaluation", "form", "Glossary", "Sources", "·", "–"}
    words |= {f"{n}일차" for n in range(1, 10)}
    guides = [p for p in sorted(printed[paper].rglob("*.pdf")) if p.name.endswith(LONG)]
    assert guides
    for rel in guides:
        outline = pdf_outline(pypdf.PdfReader(str(rel)))
        assert max(d for d, _ in outline) == 3 and (1, strings["contents"]) in outline, rel
        heads = subprocess.run(["pdftotext", "-layout", "-x", "0", "-y", "0", "-W", "600", "-H", "50", str(rel), "-"],
                               capture_output=True, text=True, check=True).stdout
        for word in heads.split():
            word = word.strip(",.:;()“”\"'…")
            assert not word or word in words or re.fullmatch(r"[\d:–]+", word), f"{rel.name}: '{word}' in a running head"


if __name__ == "__main__":
    print(report(Path(sys.argv[1])))
