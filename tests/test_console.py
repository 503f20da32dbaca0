"""What a build shows on the console: counts for the long stages on a terminal, plain lines elsewhere."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from rich.console import Console

from workshopkit.build import BuildOptions, Progress, as_progress, run_build
from workshopkit.commands import ConsoleProgress

pytestmark = pytest.mark.xdist_group("reliability")


class Recorder:
    """A progress object that keeps what it is told (``advance`` may come from another thread)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[str] = []
        self.totals: dict[str, int] = {}
        self.advances: Counter[str] = Counter()
        self.early: list[str] = []  # advances of a stage that was never opened

    def __call__(self, message: str) -> None:
        with self.lock:
            self.messages.append(message)

    def stage(self, name: str, total: int) -> None:
        with self.lock:
            self.totals[name] = total

    def advance(self, name: str, n: int = 1) -> None:
        with self.lock:
            if name not in self.totals:
                self.early.append(name)
            self.advances[name] += n


def test_a_build_reports_the_pdf_total_and_one_advance_per_rendered_document(repo: Path):
    rec = Recorder()
    assert isinstance(rec, Progress)
    report = run_build(BuildOptions(root=repo, workers=2), rec)  # the workers' results count as they come
    rendered = len(report.pdf_rendered)
    assert rendered > 2 and not report.pdf_cached
    assert rec.totals["PDFs"] == rendered and rec.advances["PDFs"] == rendered
    assert rec.totals["sites"] == 2 and rec.advances["sites"] == 2
    assert rec.early == []
    assert rec.messages[0] == "checking content" and "waiting for the PDFs" in rec.messages


def test_rendering_in_this_process_counts_too_and_a_rebuild_with_nothing_to_render_opens_no_pdf_stage(repo: Path):
    rec = Recorder()
    report = run_build(BuildOptions(root=repo, site=False, workers=1), rec)
    assert rec.totals == {"PDFs": len(report.pdf_rendered)} and rec.advances["PDFs"] == len(report.pdf_rendered) > 0
    again = Recorder()
    report = run_build(BuildOptions(root=repo, site=False, workers=1), again)
    assert report.pdf_cached and not report.pdf_rendered
    assert again.totals == {} and not again.advances


def test_a_plain_message_callback_still_works():
    said: list[str] = []
    progress = as_progress(said.append)
    progress("a step")
    progress.stage("PDFs", 3)
    progress.advance("PDFs")
    assert said == ["a step"]
    as_progress(None)("nothing happens")


def test_a_terminal_shows_counts_and_a_pipe_shows_plain_lines_only():
    pipe = io.StringIO()
    shown = ConsoleProgress(Console(file=pipe, highlight=False, soft_wrap=True))
    with shown as progress:
        progress("rendering [3] PDF(s)")
        progress.stage("PDFs", 3)
        progress.advance("PDFs", 2)
    assert pipe.getvalue() == "rendering [3] PDF(s)\n"

    screen = io.StringIO()
    shown = ConsoleProgress(Console(file=screen, force_terminal=True, force_interactive=True, width=80))
    with shown as progress:
        progress("waiting for the PDFs")
        progress.stage("PDFs", 3)
        progress.advance("PDFs", 2)
        frame = Console(file=io.StringIO(), width=80, record=True)
        frame.print(progress.live.renderable if progress.live else "")
    text = frame.export_text()
    assert "waiting for the PDFs" in text and "PDFs" in text and "2/3" in text


def test_build_on_a_pipe_prints_no_control_sequences_and_no_source_column(repo: Path):
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")}
    env["TERM"] = "xterm-256color"  # a capable terminal type does not matter when the output is a pipe
    done = subprocess.run([sys.executable, "-m", "workshopkit", "build", str(repo)],
                          capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr
    both = done.stdout + done.stderr
    assert "\x1b[" not in both and "\r" not in both
    assert "commands.py:" not in both
    lines = done.stderr.splitlines()
    assert lines[0] == "checking content" and "waiting for the PDFs" in lines
    assert any(line.startswith("PDFs: ") and line.endswith(" rendered, 0 unchanged") for line in lines)
