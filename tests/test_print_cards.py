"""Cut-out material and the restricted pack, printed and measured.

Card sets print on a grid with dashed cut lines, numbered as their answer key numbers them; role
cards one per half page; pocket cards several up on a sheet; the instructions and the QR code on a
sheet of their own. A restricted pack is marked on every page, carries its handling rule on the
cover and, when the workshop gives its number of participants, is printed as numbered copies.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from workshopkit.build import BuildOptions, run_build
from workshopkit.load import load_project
from workshopkit.pdf import cards
from workshopkit.strings import load_strings

from conftest import FIXTURES, ROOT

pytestmark = [pytest.mark.slow]

MM = 72 / 25.4  # points per millimetre
EDGE_MM = 4.0
#: The shipped handouts printed as cards, and what each must show.
CARD_HANDOUTS = {
    "identifying-trafficking/card-set", "health-care-principles/dilemma-cards",
    "facilitating-sensitive-trainings/role-cards-distress", "ethical-interviewing/role-card-person",
    "psychological-first-aid/pfa-pocket-card",
}
SITE = "https://manual.protection-training.test/"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The card handouts of the shipped curriculum, with a published address (so that handouts
    carry a QR code): English on A4 and Letter, Korean on A4; each run's ``pdf`` folder."""
    root = tmp_path_factory.mktemp("cards") / "repo"
    for name in ("modules", "curriculum", "seeds"):
        shutil.copytree(ROOT / name, root / name)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(re.sub(r"(?m)^site_url:.*$", f"site_url: {SITE}", config), encoding="utf-8")
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1767225600")
        for name, paper, language in (("A4", "A4", "en"), ("Letter", "Letter", "en"), ("ko", "A4", "ko")):
            dest = root / f"build-{name}"
            run_build(BuildOptions(root=root, out=dest, site=False, paper=paper, languages=(language,),
                                   audiences=("participant",)),
                      select=lambda plan: plan.only(lambda o: f"{o.module}/{o.handout}" in CARD_HANDOUTS))
            out[name] = dest / "pdf" / ("ko" if language == "ko" else "")
    return out


def _pdf(folder: Path, handout: str) -> Path:
    module, hid = handout.split("/")
    return folder / "participant" / "handouts" / module / f"{hid}.pdf"


def _dashed(page: pdfplumber.page.Page) -> list[dict]:
    return [o for o in page.lines + page.rects + page.curves if o.get("dash") and o["dash"][0]]


def _qr(page: pdfplumber.page.Page) -> bool:
    """Whether a page holds a QR code (segno draws its modules as short black strokes)."""
    black = [o for o in page.lines if not (o.get("dash") and o["dash"][0])
             and o.get("stroking_color") in (0, (0,), (0.0,), [0], (0, 0, 0), (0.0, 0.0, 0.0))]
    return len(black) > 100


def _all_ink_inside(page: pdfplumber.page.Page) -> bool:
    edge = EDGE_MM * MM
    objs = page.chars + page.lines + page.rects + page.curves
    return all(o["x0"] >= edge and o["top"] >= edge and o["x1"] <= page.width - edge and o["bottom"] <= page.height - edge
               for o in objs)


def _labels(text: str, word: str) -> list[int]:
    return [int(n) for n in re.findall(rf"{word} (\d+)", text)]


def test_a_card_set_prints_numbered_cards_on_a_grid_with_dashed_cut_lines(shipped: dict[str, Path]):
    for paper in ("A4", "Letter"):
        with pdfplumber.open(_pdf(shipped[paper], "identifying-trafficking/card-set")) as pdf:
            intro, *sheets = pdf.pages
            assert len(sheets) == 1  # 12 cards, 3 × 4 on a sheet
            numbers = _labels(sheets[0].extract_text(), "Card")
            assert numbers == list(range(1, 13))
            lines = _dashed(sheets[0])
            vertical = {round(o["x0"]) for o in lines if abs(o["x1"] - o["x0"]) < 1}
            horizontal = {round(o["top"]) for o in lines if abs(o["bottom"] - o["top"]) < 1}
            assert len(vertical) == 4 and len(horizontal) == 5, (vertical, horizontal)  # 3 columns, 4 rows
            assert _all_ink_inside(sheets[0]) and _all_ink_inside(intro)
            # The instructions, the QR code and the address are on their own sheet, never on the one to cut.
            assert _qr(intro) and "Sort each card" in intro.extract_text() and SITE in intro.extract_text()
            assert not _qr(sheets[0]) and SITE not in sheets[0].extract_text()
    with pdfplumber.open(_pdf(shipped["A4"], "health-care-principles/dilemma-cards")) as pdf:
        assert len(pdf.pages) == 2
        assert _labels(pdf.pages[1].extract_text(), "Card") == list(range(1, 9))  # 2 × 4 on a sheet
        assert len(_dashed(pdf.pages[1])) >= 2 * 4 + 2
        assert not _qr(pdf.pages[1]) and _qr(pdf.pages[0])


def test_card_numbers_are_the_answer_keys_numbers(shipped: dict[str, Path]):
    project, _ = load_project(ROOT)
    module = next(m for m in project.modules if m.id == "identifying-trafficking")
    card_set, key = module.handout("card-set"), module.handout("card-key")
    assert card_set is not None and key is not None and card_set.print is not None and card_set.print.key == "card-key"
    key_numbers = sorted(n for n, _ in cards.key_numbers(key.body))
    with pdfplumber.open(_pdf(shipped["A4"], "identifying-trafficking/card-set")) as pdf:
        printed = [n for page in pdf.pages[1:] for n in _labels(page.extract_text(), "Card")]
    assert printed == key_numbers == list(range(1, 13))
    with pdfplumber.open(_pdf(shipped["ko"], "identifying-trafficking/card-set")) as pdf:
        assert [n for page in pdf.pages[1:] for n in _labels(page.extract_text(), "카드")] == key_numbers


def test_role_cards_print_one_per_half_page(shipped: dict[str, Path]):
    with pdfplumber.open(_pdf(shipped["A4"], "facilitating-sensitive-trainings/role-cards-distress")) as pdf:
        intro, *sheets = pdf.pages
        assert len(sheets) == 2  # cards A, B and C: two halves, then one
        texts = [s.extract_text() for s in sheets]
        assert ["Card A" in texts[0], "Card B" in texts[0], "Card C" in texts[1]] == [True, True, True]
        # The scene that every role needs stands on every card.
        assert [t.count("Scene.") for t in texts] == [2, 1]
        first = _dashed(sheets[0])
        assert first and all(abs((o["top"] + o["bottom"]) / 2 - sheets[0].height / 2) < 2 * MM for o in first)
        assert not _dashed(sheets[1])  # the lower half of the last sheet is empty: nothing to cut
        assert all(_all_ink_inside(p) for p in pdf.pages) and not any(_qr(s) for s in sheets) and _qr(intro)
    with pdfplumber.open(_pdf(shipped["A4"], "ethical-interviewing/role-card-person")) as pdf:
        assert len(pdf.pages) == 2  # two copies of the card on one sheet
        assert pdf.pages[1].extract_text().count("Background (invented)") == 2


@pytest.mark.parametrize("paper, quarter_mm", [("A4", (105.0, 148.5)), ("Letter", (107.95, 139.7))])
def test_pocket_cards_are_a_quarter_sheet_four_up(shipped: dict[str, Path], paper: str, quarter_mm: tuple[float, float]):
    with pdfplumber.open(_pdf(shipped[paper], "psychological-first-aid/pfa-pocket-card")) as pdf:
        intro, sheet = pdf.pages
        width, height = sheet.width / MM, sheet.height / MM
        assert abs(width / 2 - quarter_mm[0]) < 0.5 and abs(height / 2 - quarter_mm[1]) < 0.5
        assert sheet.extract_text().count("PFA pocket card") == 4
        assert sheet.extract_text().count("Helpful") == 4
        lines = _dashed(sheet)
        vertical = {round(o["x0"] / MM) for o in lines if abs(o["x1"] - o["x0"]) < 1}
        horizontal = {round(o["top"] / MM) for o in lines if abs(o["bottom"] - o["top"]) < 1}
        assert vertical == {round(width / 2)} and horizontal == {round(height / 2)}  # the cross at the centre
        assert _all_ink_inside(sheet)
        assert _qr(intro) and not _qr(sheet)


def test_korean_cards_keep_words_whole(shipped: dict[str, Path]):
    """Every Korean word printed on the cut sheet is a whole word of the translation (a line never
    breaks inside a word)."""
    project, _ = load_project(ROOT, "ko")
    module = next(m for m in project.modules if m.id == "identifying-trafficking")
    handout = module.handout("card-set")
    assert handout is not None
    strip = ".,:;()“”\"'·*?"
    words = {w.strip(strip) for text in (handout.body, handout.title, module.title, module.short_title,
                                         *load_strings("ko").values()) for w in text.split()}
    path = _pdf(shipped["ko"], "identifying-trafficking/card-set")
    printed = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(path), "-"], capture_output=True, text=True,
                             check=True).stdout  # the sheet to cut
    hangul = [w.strip(strip) for w in printed.split() if re.search(r"[\uac00-\ud7af]", w) and not re.search(r"\d", w)]
    assert len(hangul) > 100
    assert [w for w in hangul if w not in words] == []


# --- the restricted pack ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def restricted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The restricted pack of the small fixture (its workshop counts 15 participants)."""
    root = tmp_path_factory.mktemp("pack") / "repo"
    shutil.copytree(FIXTURES / "mini", root)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    run_build(BuildOptions(root=root, site=False, include_restricted=True, languages=("en",)),
              select=lambda plan: plan.only(lambda o: o.kind.name == "restricted-pack"))
    return root / "build" / "restricted" / "pdf" / "restricted" / "demo" / "restricted-pack.pdf"


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_every_page_of_the_restricted_pack_is_marked(restricted: Path):
    s = load_strings("en")
    pages = [_flat(p.extract_text() or "") for p in pypdf.PdfReader(str(restricted)).pages]
    assert len(pages) >= 15 * 2
    assert all(s["restricted_mark"] in text for text in pages)  # the diagonal mark
    covers = [i for i, text in enumerate(pages) if s["restricted_handling_title"].casefold() in text.casefold()]
    # Every page but a cover carries the handling rule in its footer; each cover has it in full.
    assert all(_flat(s["restricted_footer"]) in text for i, text in enumerate(pages) if i not in covers)
    assert all(_flat(s["restricted_handling"]) in pages[i] for i in covers)


def test_the_restricted_pack_is_printed_as_numbered_copies(restricted: Path):
    s = load_strings("en")
    pages = [_flat(p.extract_text() or "") for p in pypdf.PdfReader(str(restricted)).pages]
    covers = [i for i, text in enumerate(pages) if s["restricted_handling_title"].casefold() in text.casefold()]
    assert len(covers) == 15
    per_copy = covers[1] - covers[0]
    assert per_copy % 2 == 0  # printed on both sides, each copy starts on a sheet of its own
    assert covers == [k * per_copy for k in range(15)] and len(pages) == 15 * per_copy
    for k, i in enumerate(covers, start=1):
        assert s["copy_of"].replace("{n}", str(k)).replace("{total}", "15") in pages[i]
    # Bookmarks lead into the first copy only.
    assert len(pypdf.PdfReader(str(restricted)).outline) < per_copy * 3


def test_cut_outs_facilitators_hand_out_print_for_facilitators_only(tmp_path_factory: pytest.TempPathFactory):
    """Role cards that only the facilitator holds (a brief for each role) print as cut sheets in
    the facilitators' folder, offered on the facilitator site, with no address of a participant
    page; the participant outputs never hold them."""
    root = tmp_path_factory.mktemp("handed") / "repo"
    for name in ("modules", "curriculum", "seeds"):
        shutil.copytree(ROOT / name, root / name)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(re.sub(r"(?m)^site_url:.*$", f"site_url: {SITE}", config), encoding="utf-8")
    handed = "psychological-first-aid/role-play-cards"
    report = run_build(BuildOptions(root=root, site=False, languages=("en",)),
                       select=lambda plan: plan.only(lambda o: o.kind.name.endswith("handout")
                                                     and o.module == "psychological-first-aid"))
    pdf = root / "build" / "pdf"
    made = {Path(p).relative_to(pdf).as_posix() if Path(p).is_absolute() else p for p in report.pdf_rendered}
    assert f"facilitator/handouts/{handed}.pdf" in made
    assert not [p for p in made if p.startswith("facilitator/handouts/") and "role-play-cards" not in p]
    assert not (pdf / "participant" / "handouts" / "psychological-first-aid" / "role-play-cards.pdf").exists()
    with pdfplumber.open(pdf / "facilitator" / "handouts" / f"{handed}.pdf") as doc:
        intro, *sheets = doc.pages
        assert sheets and all(_dashed(s) for s in sheets[:-1])
        assert not any(_qr(p) or SITE in (p.extract_text() or "") for p in doc.pages)
        assert all("Facilitator edition" in (p.extract_text() or "") for p in doc.pages)
