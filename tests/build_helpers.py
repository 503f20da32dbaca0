from __future__ import annotations

import subprocess
from pathlib import Path

import pypdf

from workshopkit.build import BuildOptions, run_build


def build(root: Path, **kw) -> object:
    return run_build(BuildOptions(root=root, **kw))


def pdf_text(path: Path) -> str:
    """Text of a PDF as poppler extracts it (what a reader copying text would get)."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout


def pdf_outline(reader: pypdf.PdfReader) -> list[tuple[int, str]]:
    """The bookmarks of a PDF as (depth, title), depth 1 at the top, in order."""
    out: list[tuple[int, str]] = []

    def walk(items: list, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, item.title))

    walk(reader.outline, 1)
    return out


def pdf_pages(path: Path) -> list[str]:
    return [p.extract_text() or "" for p in pypdf.PdfReader(str(path)).pages]


def all_files_text(folder: Path) -> dict[Path, str]:
    """Every file under ``folder`` as text: PDFs through pdftotext, the parts of PowerPoint
    files (slides, notes, properties) joined, the rest as bytes decoded."""
    import zipfile

    out = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".pdf":
            out[path] = pdf_text(path)
        elif path.suffix == ".pptx":
            with zipfile.ZipFile(path) as deck:
                out[path] = "\n".join(deck.read(name).decode("utf-8", errors="replace") for name in deck.namelist())
        else:
            out[path] = path.read_bytes().decode("utf-8", errors="replace")
    return out


def tree_hashes(folder: Path) -> dict[str, str]:
    """Hash of every output file (internal folders and files starting with a dot are not outputs)."""
    import hashlib

    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and not rel.startswith("."):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


# A real build on the command line, held in the PDF stage while the documents are with the
# workers, so that a signal always lands mid-build however fast the machine is. Ctrl+C is
# reset to Python's default, as in an interactive shell, whatever the test runner set.
HELD_BUILD = """
import signal, sys, time
from pathlib import Path
signal.signal(signal.SIGINT, signal.default_int_handler)
from workshopkit import cli
from workshopkit.pdf import build as pdf_build

finish = pdf_build.PdfStage.finish

def held(self):
    Path(sys.argv[1]).write_text("rendering")
    time.sleep(120)
    return finish(self)

pdf_build.PdfStage.finish = held
sys.exit(cli.main(sys.argv[2:]))
"""
