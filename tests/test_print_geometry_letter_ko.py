"""The print geometry of the Letter and the Korean (A4) sets: every handout and the documents of
the resettlement workshop, measured by the tests of tests/test_print_geometry.py (collected here
again with this file's sets), and each handout's page count on both papers and in Korean.

A file of its own so that the two halves of the measurement run on two test workers at once.
"""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest
from test_print_geometry import (  # noqa: F401  (the tests run again here, on this file's sets)
    build_sets,
    measure_folder,
    test_few_nearly_empty_pages_in_guides_and_workbooks,
    test_no_ink_within_4_mm_of_the_edge,
    test_no_writing_space_is_split_across_pages,
    test_real_guides_have_three_bookmark_levels_and_running_heads_of_whole_words,
)

from workshopkit.check import check

from conftest import ROOT

pytestmark = [pytest.mark.slow]

MEASURED = ("Letter", "ko")


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    # Every handout on A4 too, to compare the papers.
    return build_sets(tmp_path_factory, (*MEASURED, "A4-handouts"))


@pytest.fixture(scope="module")
def pages(printed: dict[str, Path]) -> dict[str, list]:
    return {name: measure_folder(printed[name]) for name in MEASURED}


@pytest.fixture(scope="module", params=MEASURED)
def paper(request: pytest.FixtureRequest) -> str:
    return request.param


def _pages_of(path: Path) -> int:
    return len(pypdf.PdfReader(str(path)).pages)


def test_every_handout_within_its_page_limit_and_never_longer_on_letter(printed: dict[str, Path]):
    project, _ = check(ROOT)
    limits = {f"participant/handouts/{m.id}/{h.id}.pdf": h.pages_max for m in project.modules for h in m.handouts}
    a4 = {rel: _pages_of(printed["A4-handouts"] / rel) for rel in limits if (printed["A4-handouts"] / rel).is_file()}
    assert len(a4) >= 40
    on_letter = [rel for rel in a4 if (printed["Letter"] / rel).is_file()]
    assert len(on_letter) == len(a4)
    for rel in on_letter:
        count, letter = a4[rel], _pages_of(printed["Letter"] / rel)
        assert count <= limits[rel] and letter <= limits[rel], f"{rel}: {count} (A4), {letter} (Letter) > {limits[rel]}"
        assert letter <= count, f"{rel}: {count} page(s) on A4 but {letter} on Letter"
    korean = {rel: _pages_of(printed["ko"] / "ko" / rel) for rel in limits if (printed["ko"] / "ko" / rel).is_file()}
    assert len(korean) >= 40
    assert not [rel for rel, count in korean.items() if count > limits[rel]], korean
