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

from .. import __version__, atomic
from ..audience import View, view
from ..errors import BuildError
from ..load import Project
from ..markdown import SiteConfig
from ..strings import load_strings
from ..visibility import Audience
from .html import PrintDoc, PrintGenerator, css_text, digest
from .render import Job, add_toc, render_all

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


def build_pdfs(project: Project, views: dict[str, View], config: SiteConfig, opts: object, stage: Path,
               report: object, progress: object) -> list[tuple[Path, Path]]:
    """Render the PDFs into ``stage/pdf`` and return the (new, target) pair for the swap."""
    out_dir: Path = opts.out_dir  # type: ignore[attr-defined]
    strings = load_strings("en")
    cache = out_dir / ".cache" / "pdf"
    cache.mkdir(parents=True, exist_ok=True)
    assets = out_dir / ".cache" / "print-assets"
    assets.mkdir(parents=True, exist_ok=True)
    gen = PrintGenerator(config, strings, project.root, assets, paper=opts.paper)  # type: ignore[attr-defined]
    progress("preparing print documents")  # type: ignore[operator]
    docs = documents(project, views, gen, opts.include_restricted)  # type: ignore[attr-defined]
    css = css_text(strings, opts.paper)  # type: ignore[attr-defined]
    import weasyprint

    fixed = digest(css, fonts_key(), __version__, weasyprint.__version__, opts.paper)  # type: ignore[attr-defined]
    pdf_stage = stage / "pdf"
    pdf_stage.mkdir(parents=True, exist_ok=True)
    todo: list[tuple[PrintDoc, str, Job]] = []
    for doc in docs:
        doc.html = add_toc(doc.html)
        key = digest(fixed, doc.html)
        cached = cache / f"{key}.pdf"
        dest = pdf_stage / doc.rel_path
        dest.parent.mkdir(parents=True, exist_ok=True)
        if cached.is_file():
            _link_or_copy(cached, dest)
            report.pdf_cached.append(doc.rel_path)  # type: ignore[attr-defined]
        else:
            tmp = cache / f".{key}.{os.getpid()}.tmp.pdf"
            todo.append((doc, key, Job(doc.html, str(tmp), assets.as_uri() + "/", doc.title)))
    if todo:
        progress(f"rendering {len(todo)} PDF(s), {len(docs) - len(todo)} unchanged")  # type: ignore[operator]
        t0 = time.perf_counter()
        try:
            results = {r.out: r for r in render_all([j for _, _, j in todo], css, out_dir,
                                                    opts.workers)}  # type: ignore[attr-defined]
        except BaseException:
            for _, _, job in todo:
                Path(job.out).unlink(missing_ok=True)
            raise
        errors = [r.error for r in results.values() if r.error]
        if errors:
            for _, _, job in todo:
                Path(job.out).unlink(missing_ok=True)
            raise BuildError("PDF rendering failed:\n  " + "\n  ".join(errors))
        for doc, key, job in todo:
            result = results[job.out]
            cached = cache / f"{key}.pdf"
            os.replace(job.out, cached)
            _link_or_copy(cached, pdf_stage / doc.rel_path)
            report.pdf_rendered.append(doc.rel_path)  # type: ignore[attr-defined]
            if doc.pages_max and result.pages > doc.pages_max:
                progress(f"warning: {doc.source}: the handout prints on {result.pages} pages; "  # type: ignore[operator]
                         f"the limit is {doc.pages_max}")
        report.seconds["pdf-render"] = time.perf_counter() - t0  # type: ignore[attr-defined]
    _prune(cache, {digest(fixed, d.html) for d in docs})
    atomic.mark(pdf_stage)
    return [(pdf_stage, out_dir / "pdf")]


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
