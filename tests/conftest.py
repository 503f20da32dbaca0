from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the small fixture repository."""
    dest = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", dest)
    return dest


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A writable copy of the small fixture with the repository's site configuration."""
    dest = tmp_path / "repo"
    shutil.copytree(FIXTURES / "mini", dest)
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    return dest


#: Files that take minutes, slowest first. They are collected before the others so that, with
#: the workers taking whole files (``--dist loadfile``), none of them is left to run alone at the end.
LONG_FILES = ("test_print_geometry.py", "test_print_geometry_letter_ko.py", "test_browser.py", "test_i18n_build.py",
              "test_security_ops.py", "test_bench.py", "test_reliability.py", "test_loader_properties.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONG_FILES.index(name) if name in LONG_FILES else len(LONG_FILES)

    items.sort(key=rank)  # stable: the order inside a file and among the other files stays


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the figures that tests record with ``record_property("figure: …", value)``.

    Recorded properties travel with the test reports, so this works under pytest-xdist too."""
    lines = []
    for reports in terminalreporter.stats.values():
        for rep in reports:
            if getattr(rep, "when", None) != "call":
                continue
            for key, value in getattr(rep, "user_properties", ()):
                if str(key).startswith("figure: "):
                    lines.append(f"{str(key)[len('figure: '):]}: {value}")
    if lines:
        terminalreporter.write_sep("-", "figures")
        for line in sorted(lines):
            terminalreporter.write_line(line)
