"""The linter that scripts/test runs before the suite catches what tests may not reach.

A name that no longer exists (as ``atomic.sweep`` once called a deleted ``_pid_alive``) only
fails when its line runs; pyflakes, through ruff, finds it at once. This test plants one in a
copy of a module and runs the project's own ruff configuration on it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

RUFF = Path(sys.executable).parent / "ruff"


def test_an_undefined_name_fails_the_lint(tmp_path: Path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    package = tmp_path / "src" / "workshopkit"
    package.mkdir(parents=True)
    source = (ROOT / "src" / "workshopkit" / "atomic.py").read_text(encoding="utf-8")
    (package / "atomic.py").write_text(source, encoding="utf-8")
    clean = subprocess.run([str(RUFF), "check", "--no-cache", "src"], cwd=tmp_path, capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout
    (package / "atomic.py").write_text(source + "\n\ndef later() -> bool:\n    return _pid_alive(1)\n", encoding="utf-8")
    broken = subprocess.run([str(RUFF), "check", "--no-cache", "src"], cwd=tmp_path, capture_output=True, text=True)
    assert broken.returncode == 1
    assert "F821" in broken.stdout and "_pid_alive" in broken.stdout


def test_the_test_command_lints_and_type_checks_first():
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    assert script.index("ruff check") < script.index("mypy") < script.index("pytest")
