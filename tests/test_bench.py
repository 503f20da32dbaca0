"""Smoke test of the benchmark (``scripts/bench --quick``): it runs, it writes the results the
README quotes, and a rebuild without changes renders no PDF and runs no MkDocs. Numbers come
from the benchmark itself, never from this test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workshopkit.check import check

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"  # the benchmark is the package scripts/benchmark, not part of workshopkit
sys.path.insert(0, str(SCRIPTS))

from benchmark import AUDIENCES  # noqa: E402
from benchmark.synth import make_curriculum  # noqa: E402


def test_synthetic_curriculum_is_valid_and_realistic(tmp_path: Path) -> None:
    info = make_curriculum(tmp_path / "c", 10, ROOT)
    project, diags = check(tmp_path / "c")
    assert [d for d in diags if d.severity == "error"] == []
    assert info["modules"] == len(project.modules) == 10
    assert info["workshops"] == len(project.workshops) == 2
    assert 1300 <= info["words_per_module"] <= 1700
    for m in project.modules:
        assert len(m.sessions) == 3 and all(len(s.activities) == 4 for s in m.sessions)
        assert len(m.handouts) == 1 and len(m.assessment) == 6


@pytest.mark.slow
def test_quick_benchmark_writes_results_and_a_no_change_rebuild_renders_no_pdf(tmp_path: Path, record_property) -> None:
    out = tmp_path / "bench"
    t0 = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(SCRIPTS), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run([sys.executable, "-m", "benchmark", "--quick", "--workers", "2", "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    seconds = time.perf_counter() - t0
    assert proc.returncode == 0, proc.stderr[-3000:]
    record_property("figure: bench --quick seconds", round(seconds, 1))
    assert "| modules | stage |" in proc.stdout  # the Markdown table on stdout

    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert {"machine", "options", "sizes", "table", "problems"} <= set(results)
    machine = results["machine"]
    for key in ("cpu_count", "python", "weasyprint", "mkdocs"):
        assert machine[key]
    assert results["problems"] == []
    (size,) = results["sizes"].values()
    stages = size["stages"]
    expected = {"load", "check", "pdf", "weasyprint-1proc", "cold", "incremental", "nochange"}
    expected |= {f"{kind}-{a}" for a in AUDIENCES for kind in ("generate", "mkdocs", "mkdocs-plain")}
    assert expected <= set(stages)
    for stage in stages.values():
        assert {"wall", "cpu", "cpu_self", "cpu_children", "rss_mb", "rss_children_mb"} <= set(stage)
        assert stage["wall"] > 0 and stage["rss_mb"] > 0
    assert stages["pdf"]["same_html_as_stage"] is True  # the baseline rendered the very same HTML
    assert stages["pdf"]["workers_seen"] >= 1 and stages["pdf"]["worker_peak_mb"] > 30  # a render worker's own peak

    # One word changed in one session: only the documents with that session are rendered again.
    assert 1 <= stages["incremental"]["pdf_rendered"] < stages["cold"]["pdf_rendered"]
    assert stages["incremental"]["page_writes"] >= 1
    assert stages["nochange"]["pdf_rendered"] == 0
    assert stages["nochange"]["pdf_cached"] == stages["cold"]["pdf_rendered"]
    # ... and runs no MkDocs: both sites are reused from the build before.
    assert stages["cold"]["sites_built"] == len(AUDIENCES)
    assert stages["nochange"]["sites_built"] == 0
    assert stages["nochange"]["sites_reused"] == len(AUDIENCES)

    summary = size["summary"]
    for key in ("overhead_ratio", "pdf_speedup", "incremental_ratio", "pdf_worker_rss_mb", "weasyprint_1proc_rss_mb"):
        assert summary[key] is not None and summary[key] > 0, key
    assert summary["nochange_pdf_rendered"] == 0
    assert summary["nochange_sites_built"] == 0
    assert summary["nochange_s"] == stages["nochange"]["wall"] > 0  # the no-change rebuild's time is reported
    assert "no-change rebuild s" in results["table"] and "no-change MkDocs runs" in results["table"]
