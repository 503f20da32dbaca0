"""Operating workshopkit safely: builds, previews, clean-up and reads that cannot be turned against it.

Threats covered (items of the publishing-holes issue):
- 4: a build killed mid-way (SIGKILL, OOM) breaks every later build; two builds at once write into one folder.
- 5: a facilitator preview with closed-door sessions writes where a build reads, so the build publishes it.
- 11: ``clean --out`` deletes folders workshopkit did not make (only ``.git``/``.ssh`` inside, a link's target).
- 13: Ctrl+C prints worker tracebacks or hangs for ever stopping the PDF worker pool.
- 14: a named pipe hangs ``check``; a device or a huge sparse file exhausts memory (read whole before the limit).
- 15: a full or read-only disk ends a build in a traceback or with the previous build half swapped out;
  temporary files of interrupted builds pile up.
- 19: a preview request such as ``/index.html%00.txt`` answers 500 with a traceback.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from workshopkit import atomic
from workshopkit.build import BuildOptions, run_build
from workshopkit.cli import main
from workshopkit.errors import BuildError

from build_helpers import HELD_BUILD, build, tree_hashes

pytestmark = pytest.mark.xdist_group("reliability")

WORKSHOPKIT = [sys.executable, "-m", "workshopkit"]
RESTRICTED_TEXT = "A closed-door remark for the restricted pack."


def leftovers(out: Path) -> list[str]:
    """Temporary trees and files of builds: none may stay once a build has finished."""
    found = [p for p in [*out.iterdir(), *(out / "site").iterdir()] if p.name.startswith((".staging-", ".old-"))]
    found += [p for p in (out / ".cache").rglob("*") if ".tmp" in p.name]
    return sorted(p.relative_to(out).as_posix() for p in found)


def dead_pid() -> int:
    """The pid of a process that has ended."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def flat(text: str) -> str:
    """Console output with the line wrapping undone."""
    return " ".join(text.split())


def text_of(folder: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in sorted(folder.rglob("*")) if p.is_file())




def start_held_build(repo: Path, flag: Path, *args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HELD_BUILD, str(flag), "build", str(repo), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not flag.exists() and proc.poll() is None:
        time.sleep(0.02)
    if not flag.exists():
        out, err = proc.communicate(timeout=30)
        pytest.fail(f"the build never reached the PDF stage (exit {proc.returncode}):\n{err}")
    return proc


def group_gone(pgid: int, within: float) -> bool:
    """Whether every process of the group (the build and its PDF workers) ended within ``within`` s."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def prepared_rebuild(repo: Path) -> tuple[Path, dict[str, str]]:
    """A finished build, then a change that makes every PDF render again; returns build/ and its hashes."""
    build(repo)
    out = repo / "build"
    before = tree_hashes(out)
    assert any(k.startswith("site/participant/") for k in before) and any(k.startswith("pdf/") for k in before)
    (repo / "modules/alpha/intro.md").write_text("Changed so that every PDF is rendered again.\n")
    shutil.rmtree(out / ".cache" / "pdf")
    return out, before


# --------------------------------------------------------------------------------------------
# 4. Killed builds, concurrent builds


def test_a_second_build_is_refused_while_one_runs_and_a_killed_build_leaves_nothing_in_the_way(
        repo: Path, tmp_path: Path):
    out, before = prepared_rebuild(repo)
    proc = start_held_build(repo, tmp_path / "held", "--workers", "2")
    try:
        second = subprocess.run([*WORKSHOPKIT, "build", str(repo), "--site"], capture_output=True, text=True, timeout=120)
        assert second.returncode == 1
        assert f"another build is running (pid {proc.pid})" in second.stderr
        assert "Traceback" not in second.stderr
        assert main(["clean", str(repo)]) == 1  # cleaning waits for no one either: the build's folder stays
        assert any(p.name.startswith(".staging-") for p in out.iterdir())
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # as the OOM killer would
        proc.communicate(timeout=60)
    assert group_gone(proc.pid, 60)
    assert tree_hashes(out) == before
    # What killed builds leave behind: the staging tree, and (planted, as a kill between the
    # renames of a swap or in a worker's write leaves them) old trees and temporary files.
    gone = dead_pid()
    old = out / "site" / f".old-{gone}-participant-0badc0de"
    atomic.mark(old)
    tmp_pdf = out / ".cache" / "pdf" / f".{'ab' * 32}.{gone}.tmp.pdf"
    tmp_pdf.parent.mkdir(parents=True, exist_ok=True)
    tmp_pdf.write_bytes(b"%PDF-half")
    tmp_asset = out / ".cache" / "print-assets" / "0123" / f".pic.png.{gone}.tmp"
    tmp_asset.parent.mkdir(parents=True, exist_ok=True)
    tmp_asset.write_bytes(b"half")
    assert len(leftovers(out)) >= 4
    report = run_build(BuildOptions(root=repo))  # the lock died with its process; the sweep runs
    assert report.pdf_rendered and leftovers(out) == []
    assert "Changed so that every PDF" in (out / "site/participant/modules/alpha/opening.html").read_text()


def test_the_lock_names_the_running_build_and_is_released_after_it(tmp_path: Path):
    out = tmp_path / "build"
    with atomic.build_lock(out):
        assert (out / atomic.LOCK).read_text().strip() == str(os.getpid())
        probe = subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; from workshopkit import atomic\n"
                                "try:\n    atomic.build_lock(Path(sys.argv[1])).__enter__()\n"
                                "except Exception as exc:\n    print(exc)", str(out)],
                               capture_output=True, text=True, timeout=60)
        assert probe.stdout.strip().startswith(f"another build is running (pid {os.getpid()})")
    with atomic.build_lock(out):  # released: taken again at once
        pass


def test_pid_liveness_survives_reuse_and_other_users():
    me = os.getpid()
    assert atomic.pid_alive(me) and atomic.pid_alive(me, atomic.process_start(me))
    assert not atomic.pid_alive(me, "1")  # the same pid, started at another time: another process
    assert not atomic.pid_alive(dead_pid())
    assert atomic.pid_alive(1)  # pid 1 exists even where signalling it is not permitted


# --------------------------------------------------------------------------------------------
# 5. Preview and build never share a working folder


def test_a_restricted_preview_saved_while_a_build_runs_never_reaches_the_build(repo: Path,
                                                                              monkeypatch: pytest.MonkeyPatch):
    from workshopkit.serve import gen_dir, regenerate
    from workshopkit.site import mkdocs_adapter

    out = repo / "build"
    original = mkdocs_adapter.run_mkdocs
    saves = []

    def save_lands_between_generating_and_mkdocs(gen, site_dir, *args, **kwargs):
        # The worst moment for a preview save: the build wrote its pages, MkDocs is about to read them.
        saves.append(regenerate(repo, "facilitator", out, include_restricted=True))
        return original(gen, site_dir, *args, **kwargs)

    monkeypatch.setattr(mkdocs_adapter, "run_mkdocs", save_lands_between_generating_and_mkdocs)
    build(repo, pdf=False)
    assert saves and all(ok for ok, _ in saves)
    preview = gen_dir(out, "facilitator", include_restricted=True)
    assert preview.name == f".serve-{os.getpid()}-facilitator-restricted"
    assert RESTRICTED_TEXT in text_of(preview / "docs")  # the preview did show the closed-door block
    assert RESTRICTED_TEXT not in text_of(out / ".gen")
    assert RESTRICTED_TEXT not in text_of(out / "site")
    assert (out / "site/facilitator/sitemap.xml").is_file()  # the publishable facilitator site


def test_previews_of_gone_processes_are_swept_and_live_ones_kept(repo: Path):
    from workshopkit.serve import gen_dir, regenerate

    out = repo / "build"
    assert regenerate(repo, "participant", out)[0]
    mine = gen_dir(out, "participant")
    gone = out / f".serve-{dead_pid()}-facilitator-restricted"
    atomic.mark(gone)
    (gone / "docs").mkdir()
    (gone / "docs" / "index.md").write_text(RESTRICTED_TEXT)
    build(repo, pdf=False)
    assert not gone.exists()
    assert (mine / "mkdocs.yml").is_file()
    assert RESTRICTED_TEXT not in text_of(out / "site")


# --------------------------------------------------------------------------------------------
# 11. clean deletes only what workshopkit made


@pytest.mark.parametrize("content", [".git/config", ".ssh/id_ed25519"])
def test_clean_keeps_a_folder_holding_only_dot_folders(tmp_path: Path, content: str, capsys):
    folder = tmp_path / "home"
    (folder / content).parent.mkdir(parents=True)
    (folder / content).write_text("precious")
    assert main(["clean", str(tmp_path), "--out", str(folder)]) == 1
    assert (folder / content).read_text() == "precious"
    err = flat(capsys.readouterr().err)
    assert f"holds {content.split('/')[0]}/," in err and "nothing was deleted" in err and "Traceback" not in err
    assert sorted(p.name for p in folder.iterdir()) == [content.split("/")[0]]  # not even a lock file left


def test_clean_never_follows_a_link(repo: Path, tmp_path: Path, capsys):
    build(repo, pdf=False)
    out = repo / "build"
    link = tmp_path / "link-to-build"
    link.symlink_to(out)
    assert main(["clean", str(repo), "--out", str(link)]) == 1
    assert "symbolic link" in flat(capsys.readouterr().err)
    assert (out / "site/participant/index.html").is_file() and link.is_symlink()

    elsewhere = tmp_path / "elsewhere"
    atomic.mark(elsewhere)  # even a folder of ours is not deleted through a link
    (elsewhere / "keep.txt").write_text("mine")
    (out / "shortcut").symlink_to(elsewhere)
    assert main(["clean", str(repo)]) == 1
    assert "holds shortcut," in flat(capsys.readouterr().err)
    assert (elsewhere / "keep.txt").read_text() == "mine" and (out / "site/participant/index.html").is_file()

    (out / "shortcut").unlink()
    assert main(["clean", str(repo)]) == 0
    assert not out.exists() and (elsewhere / "keep.txt").is_file()


def test_clean_removes_a_full_build_with_its_caches(repo: Path):
    build(repo, zip=True)
    out = repo / "build"
    assert {".cache", ".gen", "pdf", "site", "offline"} <= {p.name for p in out.iterdir()}
    assert main(["clean", str(repo)]) == 0
    assert not out.exists()


# --------------------------------------------------------------------------------------------
# 13. Ctrl+C


def test_ctrl_c_while_pdfs_render_stops_promptly_with_one_line(repo: Path, tmp_path: Path):
    out, before = prepared_rebuild(repo)
    proc = start_held_build(repo, tmp_path / "held", "--workers", "2")
    time.sleep(1)  # the workers are importing WeasyPrint or rendering
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal sends Ctrl+C: to the build and its workers
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("the build did not stop within 60 s of Ctrl+C")
    assert proc.returncode == 130, err
    # A worker interrupted mid-task starts its traceback with "Process SpawnPoolWorker-1:".
    assert "Traceback" not in err and "KeyboardInterrupt" not in err and "SpawnPoolWorker" not in err, err
    assert "build stopped; the previous build is unchanged" in err
    assert group_gone(proc.pid, 30), "a PDF worker outlived the build"
    assert tree_hashes(out) == before
    assert leftovers(out) == []


def test_stopping_the_worker_pool_is_bounded_even_when_its_queue_lock_is_never_released(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from workshopkit.pdf import render

    monkeypatch.setattr(render, "STOP_WAIT", 1.0)
    renderer = render.Renderer("@page { size: A4 }", tmp_path, workers=2)
    renderer.open()
    pool = renderer._pool
    workers = list(pool._pool)
    assert len(workers) == 2
    # As when a worker dies while reading the task queue: its lock stays taken, and
    # Pool.terminate waits for it for ever.
    lock = pool._inqueue._rlock
    assert lock.acquire(timeout=30)
    try:
        t0 = time.monotonic()
        renderer.abort()
        assert time.monotonic() - t0 < 60
        assert all(w.exitcode is not None for w in workers)
    finally:
        lock.release()  # lets the abandoned terminate finish


# --------------------------------------------------------------------------------------------
# 14. Only regular files are read, and only up to the limit


def test_pipes_devices_and_huge_files_are_refused_by_check_at_once(repo: Path):
    pipes = [repo / "curriculum" / "pipe.yml", repo / "modules/alpha/handouts/case-lin.md"]
    (repo / "modules/alpha/handouts/case-lin.md").unlink()
    os.mkdir(repo / "modules/gamma")
    pipes.append(repo / "modules/gamma/module.yml")
    for pipe in pipes:
        os.mkfifo(pipe)
    (repo / "seeds/zero.yml").symlink_to("/dev/zero")
    with open(repo / "seeds/huge.yml", "wb") as f:
        f.truncate(3 * 1024**3)  # sparse: takes no space, but reading it whole would
    intro = repo / "modules/alpha/intro.md"
    with open(intro, "r+b") as f:
        f.truncate(3 * 1024**3)
    result = subprocess.run([*WORKSHOPKIT, "check", str(repo)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr and "MemoryError" not in result.stderr
    lines = result.stdout.splitlines()

    def said(where: str, message: str) -> bool:
        return any(line.startswith(where) and message in line for line in lines)

    assert said("curriculum/pipe.yml", "not a regular file: it is a named pipe")
    assert said("seeds/zero.yml", "symbolic links are not allowed")  # never followed to the device
    assert said("seeds/huge.yml", "file is 3145728 KiB; the limit is 2048 KiB")
    assert said("modules/alpha/intro.md", "the file is larger than 2048 KiB")
    assert said("modules/alpha/handouts/case-lin.md", "not a regular file: it is a named pipe")
    assert said("modules/gamma/module.yml", "not a regular file: it is a named pipe")


def test_the_readers_refuse_a_pipe_without_opening_it_for_a_blocking_read(tmp_path: Path):
    from workshopkit.load import _read_markdown
    from workshopkit.yamlload import YamlError, load_file, read_bounded

    pipe = tmp_path / "module.yml"
    os.mkfifo(pipe)
    with pytest.raises(YamlError) as err:
        load_file(pipe, "modules/x/module.yml")
    assert err.value.diagnostic.format() == ("modules/x/module.yml: not a regular file: it is a named pipe "
                                             "(content files must be ordinary files; replace it with one) [WK004]")
    text, problem = _read_markdown(pipe, "modules/x/handout.md")
    assert text is None and problem is not None and problem.message.startswith("not a regular file")
    with pytest.raises(YamlError, match="it is a device"):
        read_bounded(Path("/dev/zero"), "zero.yml")
    with pytest.raises(YamlError, match="it is a folder"):
        read_bounded(tmp_path, "folder.yml")
    big = tmp_path / "big.md"
    with open(big, "wb") as f:
        f.truncate(5 * 1024**3)
    raw, size = read_bounded(big, "big.md", limit=1000)
    assert len(raw) == 1001 and size == 5 * 1024**3


# --------------------------------------------------------------------------------------------
# 15. Full and read-only disks; temporary files


def test_a_full_disk_ends_the_build_with_one_line_and_keeps_the_previous_build(repo: Path, capsys,
                                                                               monkeypatch: pytest.MonkeyPatch):
    build(repo, pdf=False)
    out = repo / "build"
    before = tree_hashes(out)
    (repo / "modules/alpha/intro.md").write_text("A changed text that must not appear.\n")
    original = atomic.mark

    def full(folder: Path, key: str = "") -> None:
        if folder.name == "participant" and ".staging-" in str(folder):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder / atomic.MARKER))
        original(folder, key)

    monkeypatch.setattr(atomic, "mark", full)
    assert main(["build", str(repo), "--site"]) == 1
    err = flat(capsys.readouterr().err)
    assert "Traceback" not in err and err.count("error:") == 1
    assert "error: cannot write build/.staging-" in err
    assert "No space left on device; the previous build is unchanged" in err
    assert tree_hashes(out) == before and leftovers(out) == []


def test_a_read_only_output_folder_fails_cleanly_in_the_middle_of_the_swap(repo: Path,
                                                                          monkeypatch: pytest.MonkeyPatch):
    build(repo, pdf=False)
    out = repo / "build"
    before = tree_hashes(out)
    (repo / "modules/alpha/intro.md").write_text("A changed text that must not appear.\n")
    real_rename = os.rename
    calls = []

    def read_only_after_two(src, dst):  # the old tree moved aside, the new one moved in, then EROFS
        calls.append((src, dst))
        if len(calls) == 3:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(src), str(dst))
        return real_rename(src, dst)

    monkeypatch.setattr(atomic.os, "rename", read_only_after_two)
    with pytest.raises(BuildError, match=r"cannot write .*: Read-only file system; the previous build is unchanged"):
        run_build(BuildOptions(root=repo, pdf=False))
    monkeypatch.setattr(atomic.os, "rename", real_rename)
    assert len(calls) == 5  # three forward, two to undo
    assert tree_hashes(out) == before  # the first site, already swapped in, was swapped back
    assert leftovers(out) == []


# --------------------------------------------------------------------------------------------
# 19. The preview server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_preview_answers_malformed_paths_with_4xx_and_no_traceback(repo: Path, tmp_path: Path):
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "w") as sink:
        proc = subprocess.Popen([*WORKSHOPKIT, "serve", str(repo), "--port", str(port)], stdout=sink,
                                stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if get(base + "index.html") == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        work = [p.name for p in (repo / "build").iterdir()]
        assert work == [f".serve-{proc.pid}-participant"]  # its own folder, never the build's .gen
        assert get(base + "index.html%00.txt") == 400
        assert get(base + "%0d%0aSet-Cookie:%20x=y") == 400
        assert get(base + "x" * 5000 + ".html") == 404
        assert get(base + "no-such-page.html") == 404
        assert get(base + "index.html") == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("serve did not stop within 30 s of SIGTERM")
    text = log.read_text()
    assert "Traceback" not in text and "500 Internal Server Error" not in text, text
    assert proc.returncode == 0
    assert list((repo / "build").iterdir()) == []  # the working folder went with the preview
