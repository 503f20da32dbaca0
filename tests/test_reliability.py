"""Atomic, fault-tolerant and deterministic builds; the renderer's sandbox; link checks."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workshopkit.build import BuildOptions, run_build
from workshopkit.errors import BuildError, ContentError
from workshopkit.site.linkcheck import broken_links

from build_helpers import HELD_BUILD, build, tree_hashes

pytestmark = pytest.mark.xdist_group("reliability")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith((".staging-", ".old-")))


def test_failure_in_pdf_stage_leaves_previous_build_byte_identical(repo: Path):
    build(repo)
    out = repo / "build"
    before = tree_hashes(out)
    assert any(k.startswith("site/participant/") for k in before) and any(k.startswith("pdf/") for k in before)
    (repo / "modules/alpha/intro.md").write_text("A changed text that must not appear.\n")

    def failing_pdf_stage(root, views, plan, config, opts, stage, report, progress):
        (stage / "pdf").mkdir()
        (stage / "pdf" / "half.pdf").write_bytes(b"%PDF-half")
        raise RuntimeError("injected failure in the PDF stage")

    with pytest.raises(RuntimeError, match="injected"):
        run_build(BuildOptions(root=repo), pdf_stage=failing_pdf_stage)
    assert tree_hashes(out) == before
    assert leftovers(out) == []


def test_a_document_the_real_workers_refuse_fails_the_build_and_keeps_the_previous_one(
        repo: Path, monkeypatch: pytest.MonkeyPatch):
    build(repo, site=False)
    out = repo / "build"
    before = tree_hashes(out)
    shutil.rmtree(out / ".cache")
    from workshopkit.pdf import html as print_html

    original = print_html.PrintGenerator.handout

    def with_a_forbidden_image(self, subject):  # HTML that reaches the workers unscanned
        doc = original(self, subject)
        doc.html = doc.html.replace("</body>", '<img src="file:///etc/hostname" alt="x"></body>')
        return doc

    monkeypatch.setattr(print_html.PrintGenerator, "handout", with_a_forbidden_image)
    with pytest.raises(BuildError, match="refused to fetch 'file:///etc/hostname'"):
        build(repo, site=False)
    assert tree_hashes(out) == before
    assert leftovers(out) == []


def test_bad_content_leaves_previous_build_byte_identical(repo: Path):
    build(repo, pdf=False)
    out = repo / "build"
    before = tree_hashes(out)
    yml = repo / "modules/alpha/module.yml"
    yml.write_text(yml.read_text().replace("minutes: 45", "minutes: 46"))
    with pytest.raises(ContentError) as err:
        build(repo, pdf=False)
    assert "modules/alpha/module.yml:32:5: sessions[0].minutes" in str(err.value)
    assert tree_hashes(out) == before and leftovers(out) == []




def test_sigterm_mid_build_leaves_previous_build_and_no_temporary_folders(repo: Path, tmp_path: Path):
    build(repo, site=False)
    out = repo / "build"
    before = tree_hashes(out)
    (repo / "modules/alpha/intro.md").write_text("Changed so that every PDF is rendered again.\n")
    shutil.rmtree(out / ".cache" / "pdf")
    flag = tmp_path / "held"
    proc = subprocess.Popen([sys.executable, "-c", HELD_BUILD, str(flag), "build", str(repo), "--pdf"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not flag.exists() and proc.poll() is None:
        time.sleep(0.02)
    assert flag.exists(), f"the build never reached the PDF stage (exit {proc.poll()})"
    assert any(p.name.startswith(".staging-") for p in out.iterdir())
    os.killpg(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    time.sleep(0.2)
    assert tree_hashes(out) == before
    assert leftovers(out) == []


def temporary_anywhere(folder: Path) -> list[str]:
    """Temporary trees and files of builds at any depth (``.staging-*``, ``.old-*``, ``*.tmp*``)."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.name.startswith((".staging-", ".old-")) or ".tmp" in p.name)


def test_sigkill_mid_render_then_a_normal_build_sweeps_what_the_killed_one_left(repo: Path, tmp_path: Path):
    # Regression: the sweep of a killed build's staging folder ended the next build in a NameError.
    out = repo / "build"
    flag = tmp_path / "held"
    proc = subprocess.Popen([sys.executable, "-c", HELD_BUILD, str(flag), "build", str(repo), "--workers", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not flag.exists() and proc.poll() is None:
        time.sleep(0.02)
    assert flag.exists(), f"the build never reached the PDF stage (exit {proc.poll()})"
    stale = [p.name for p in out.iterdir() if p.name.startswith(".staging-")]
    assert stale
    os.killpg(proc.pid, signal.SIGKILL)  # the build and its PDF workers, as the OOM killer would
    assert proc.wait(timeout=60) == -signal.SIGKILL
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the workers end with it
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the PDF workers outlived the killed build")
    assert not (out / "site").exists() and not (out / "pdf").exists()  # nothing was swapped in

    report = run_build(BuildOptions(root=repo))
    assert report.pdf_rendered and (out / "site" / "participant" / "index.html").is_file()
    assert not any((out / name).exists() for name in stale)
    assert temporary_anywhere(out) == []


def test_a_stop_request_blocks_the_swap_even_when_the_signal_exception_was_lost(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch):
    from workshopkit import atomic

    target, new = tmp_path / "site", tmp_path / "new"
    atomic.mark(target)
    atomic.mark(new)
    (new / "index.html").write_text("new")
    monkeypatch.setattr(atomic, "_stop_requested", False)
    atomic.request_stop()
    with pytest.raises(BuildError, match="interrupted"):
        atomic.swap_in([(new, target)])
    assert not (target / "index.html").exists() and (new / "index.html").exists()


def test_a_signal_during_the_swap_waits_for_its_end_even_with_other_threads_running():
    import threading

    from workshopkit import atomic

    class Stopped(Exception):
        pass

    def stop(signum, frame):
        raise Stopped

    previous = signal.signal(signal.SIGTERM, stop)
    done = threading.Event()
    helper = threading.Thread(target=done.wait, daemon=True)  # like a progress display's thread
    helper.start()
    reached_end = False
    try:
        with pytest.raises(Stopped):
            with atomic._signals_deferred():
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.1)  # the handler would run here if the signal were not held
                reached_end = True
    finally:
        done.set()
        signal.signal(signal.SIGTERM, previous)
    assert reached_end


def test_build_refuses_to_replace_a_folder_it_did_not_make(repo: Path):
    foreign = repo / "build" / "site" / "participant"
    foreign.mkdir(parents=True)
    (foreign / "precious.txt").write_text("not ours")
    with pytest.raises(BuildError, match="not made by workshopkit"):
        build(repo, pdf=False)
    assert (foreign / "precious.txt").read_text() == "not ours"


def test_two_builds_are_byte_identical(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    build(repo, out=tmp_path / "a", zip=True)
    build(repo, out=tmp_path / "b", zip=True)  # a separate output folder: nothing is reused from a cache
    a, b = tree_hashes(tmp_path / "a"), tree_hashes(tmp_path / "b")
    assert len(a) > 50 and any(k.endswith(".pdf") for k in a) and "offline/participant-site.zip" in a
    assert a == b


def test_renderer_refuses_files_outside_the_build_folder_and_the_network(tmp_path: Path):
    from workshopkit.pdf.render import Job, render_all

    allowed = tmp_path / "build"
    allowed.mkdir()
    (allowed / "ok.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    css = "@page { size: A4 }"
    ok = Job(f'<p>fine</p><img alt="ok" src="{(allowed / "ok.svg").as_uri()}">', str(tmp_path / "ok.pdf"),
             allowed.as_uri() + "/", "ok")
    secret = Job('<img alt="x" src="file:///etc/hostname">', str(tmp_path / "secret.pdf"), allowed.as_uri() + "/", "secret")
    remote = Job('<img alt="x" src="https://example.org/x.png">', str(tmp_path / "remote.pdf"), allowed.as_uri() + "/", "remote")
    results = {Path(r.out).name: r for r in render_all([ok, secret, remote], css, allowed, workers=1)}
    assert results["ok.pdf"].error == "" and results["ok.pdf"].pages == 1
    assert "refused to fetch 'file:///etc/hostname'" in results["secret.pdf"].error
    assert "refused to fetch 'https://example.org/x.png'" in results["remote.pdf"].error


def test_link_checker_finds_broken_links_and_anchors(tmp_path: Path):
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_text('<a href="a/page.html#here">ok</a><a href="a/page.html#gone">x</a>'
                                     '<a href="missing.html">y</a><a href="https://example.org/">ext</a>')
    (site / "a" / "page.html").write_text('<h2 id="here">Here</h2><a href="../index.html">home</a>'
                                          '<a name="old-style"></a><a href="#old-style">up</a>'
                                          '<img src="pic.png" alt="x"><link rel="stylesheet" href="../gone.css">'
                                          '<link rel="canonical" href="https://example.org/a/page.html">')
    (site / "empty.html").write_text("")
    assert broken_links(site) == ["a/page.html: pic.png (no such file)",
                                  "a/page.html: ../gone.css (no such file)",
                                  "index.html: a/page.html#gone (no anchor '#gone')",
                                  "index.html: missing.html (no such file)"]


def test_built_pages_are_scanned_for_unsafe_content_except_the_themes_own_scripts(tmp_path: Path):
    from workshopkit.site.linkcheck import site_problems

    site = tmp_path / "site"
    (site / "assets/javascripts").mkdir(parents=True)
    (site / "index.html").write_text('<html><head><script src="assets/javascripts/theme.js"></script></head><body>'
                                     '<article><p onclick="x()">Hi</p><a href="java&#x09;script:x()">y</a>'
                                     '<iframe src="https://example.org"></iframe></article></body></html>')
    (site / "assets/javascripts/theme.js").write_text("")
    broken, unsafe = site_problems(site)
    assert broken == []
    assert unsafe == ["index.html: the event-handler attribute 'onclick' is not allowed",
                      "index.html: a link or image with the scheme 'javascript:' is not allowed",
                      "index.html: raw HTML <iframe> is not allowed"]


def test_print_html_scan_allows_only_the_publishers_own_assets():
    from workshopkit.htmlsafety import scan_fragment

    ok = '<p><img src="file:///b/.cache/print-assets/ab/pic.png" alt="x"><a href="https://example.org">w</a></p>'
    assert scan_fragment(ok, allow_prefix="file:///b/.cache/print-assets/") == []
    assert [u.message for u in scan_fragment('<img src="file:///etc/hostname" alt="x">',
                                             allow_prefix="file:///b/.cache/print-assets/")] == [
        "a link or image with the scheme 'file:' is not allowed"]
    assert [u.needle for u in scan_fragment('<svg><script>x()</script></svg><p style="x">s</p>')] == ["svg", "script", "style"]


def test_built_sites_have_no_broken_internal_links(repo: Path):
    build(repo, pdf=False)
    for audience in ("participant", "facilitator"):
        assert broken_links(repo / "build" / "site" / audience) == []


def test_clean_removes_only_what_workshopkit_made(repo: Path):
    from workshopkit.cli import main

    build(repo, pdf=False)
    (repo / "build" / "notes.txt").write_text("mine")
    assert main(["clean", str(repo)]) == 1
    assert (repo / "build" / "site" / "participant" / "index.html").exists()
    (repo / "build" / "notes.txt").unlink()
    assert main(["clean", str(repo)]) == 0
    assert not (repo / "build").exists()
