"""The PDF stage of a build: which documents, which are unchanged, render the rest in parallel.

Each document is keyed by a hash of its HTML (which holds all its content and the templates'
output), the stylesheet, the fonts on the machine and the versions of workshopkit and
WeasyPrint. A document whose key is in the cache is copied, not rendered.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from .. import __version__, atomic
from ..audience import View, view
from ..errors import BuildError
from ..load import Project
from ..markdown import SiteConfig
from ..strings import load_strings
from ..visibility import Audience
from .html import PrintDoc, PrintGenerator, css_text, digest
from .render import Job, Renderer, add_toc

_FONT_KEY: str | None = None


def fonts_key() -> str:
    """Something that changes when the machine's fonts change."""
    global _FONT_KEY
    if _FONT_KEY is None:
        try:
            out = subprocess.run(["fc-list", "--format", "%{file} %{fontversion}\n"], capture_output=True,
                                 text=True, timeout=20, check=False).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        _FONT_KEY = digest("\n".join(sorted(out.splitlines())))
    return _FONT_KEY


def documents(project: Project, views: dict[str, View], gen: PrintGenerator, include_restricted: bool) -> list[PrintDoc]:
    """Every PDF of the build, each from the view of the audience it is for."""
    docs: list[PrintDoc] = []
    part = views.get("participant")
    fac = views.get("facilitator")
    if part is not None:
        for wv in part.workshops:
            docs.append(gen.workbook(part, wv))
            docs.append(gen.knowledge_test(part, wv, with_answers=False))
            docs.append(gen.evaluation_form(part, wv))
        for m in part.modules:
            for h in m.handouts:
                docs.append(gen.handout(part, m, h))
    if fac is not None:
        for wv in fac.workshops:
            docs.append(gen.facilitator_guide(fac, wv, restricted=include_restricted))
            docs.append(gen.knowledge_test(fac, wv, with_answers=True))
    if include_restricted and part is not None:
        pack_view = view(project, Audience("participant", include_restricted=True),
                         closed_label=load_strings("en")["closed_session"])
        for wv in pack_view.workshops:
            has_closed = any(r.closed for d in wv.days for r in d.rows if r.kind == "session")
            if has_closed:
                docs.append(gen.restricted_pack(pack_view, wv))
    return docs


class PdfStage:
    """The PDF stage in two halves, so rendering can overlap the site builds.

    ``start`` decides which documents are unchanged (copied from the cache) and hands the others
    to worker processes; ``finish`` waits for them and returns the (new, target) pair for the
    swap; ``abort`` stops the workers and removes partial files.
    """

    def __init__(self, project: Project, views: dict[str, View], config: SiteConfig, opts: Any, stage: Path,
                 report: Any, progress: Any):
        self.opts, self.report, self.progress = opts, report, progress
        out_dir: Path = opts.out_dir
        self.out_dir = out_dir
        strings = load_strings("en")
        self.cache = out_dir / ".cache" / "pdf"
        self.cache.mkdir(parents=True, exist_ok=True)
        assets = out_dir / ".cache" / "print-assets"
        assets.mkdir(parents=True, exist_ok=True)
        gen = PrintGenerator(config, strings, project.root, assets, paper=opts.paper)
        progress("preparing print documents")
        self.docs = documents(project, views, gen, opts.include_restricted)
        self.css = css_text(strings, opts.paper)
        import weasyprint

        fixed = digest(self.css, fonts_key(), __version__, weasyprint.__version__, opts.paper)
        self.pdf_stage = stage / "pdf"
        self.pdf_stage.mkdir(parents=True, exist_ok=True)
        self.keys: set[str] = set()
        self.todo: list[tuple[PrintDoc, str, Job]] = []
        for doc in self.docs:
            doc.html = add_toc(doc.html)
            key = digest(fixed, doc.html)
            self.keys.add(key)
            cached = self.cache / f"{key}.pdf"
            if cached.is_file():
                _link_or_copy(cached, self.pdf_stage / doc.rel_path)
                report.pdf_cached.append(doc.rel_path)
            else:
                tmp = self.cache / f".{key}.{os.getpid()}.tmp.pdf"
                self.todo.append((doc, key, Job(doc.html, str(tmp), assets.as_uri() + "/", doc.title)))
        self.renderer = Renderer([j for _, _, j in self.todo], self.css, out_dir, opts.workers)
        self.t0 = time.perf_counter()

    def start(self) -> None:
        if self.todo:
            self.progress(f"rendering {len(self.todo)} PDF(s) in the background, {len(self.docs) - len(self.todo)} unchanged")
        self.renderer.start()

    def abort(self) -> None:
        self.renderer.abort()
        for _, _, job in self.todo:
            Path(job.out).unlink(missing_ok=True)

    def finish(self) -> list[tuple[Path, Path]]:
        if self.todo:
            self.progress("waiting for the PDFs")
            try:
                results = {r.out: r for r in self.renderer.results()}
            except BaseException:
                self.abort()
                raise
            errors = [r.error for r in results.values() if r.error]
            if errors:
                self.abort()
                raise BuildError("PDF rendering failed:\n  " + "\n  ".join(errors))
            for doc, key, job in self.todo:
                result = results[job.out]
                cached = self.cache / f"{key}.pdf"
                os.replace(job.out, cached)
                _link_or_copy(cached, self.pdf_stage / doc.rel_path)
                self.report.pdf_rendered.append(doc.rel_path)
                if doc.pages_max and result.pages > doc.pages_max:
                    self.progress(f"warning: {doc.source}: the handout prints on {result.pages} pages; "
                                  f"the limit is {doc.pages_max}")
            self.report.seconds["pdf-render"] = time.perf_counter() - self.t0
        _prune(self.cache, self.keys)
        atomic.mark(self.pdf_stage)
        return [(self.pdf_stage, self.out_dir / "pdf")]


def build_pdfs(project: Project, views: dict[str, View], config: SiteConfig, opts: Any, stage: Path,
               report: Any, progress: Any) -> list[tuple[Path, Path]]:
    """Render the PDFs into ``stage/pdf`` (waiting for them) and return the pair for the swap."""
    pdf = PdfStage(project, views, config, opts, stage, report, progress)
    pdf.start()
    return pdf.finish()


def _link_or_copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


def _prune(cache: Path, keep: set[str], max_files: int = 2000) -> None:
    """Keep the cache from growing without bound: drop the oldest entries not used now."""
    files = sorted(cache.glob("*.pdf"), key=lambda p: p.stat().st_mtime)
    extra = len(files) - max_files
    for path in files:
        if extra <= 0:
            break
        if path.stem not in keep:
            path.unlink(missing_ok=True)
            extra -= 1
