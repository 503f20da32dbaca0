"""The PDF stage of a build: which documents, which are unchanged, render the rest in parallel.

Each document is keyed by a hash of everything it depends on: the audience view of the modules
and workshop it prints (after the gate, so only what it can show), the images of those modules,
the print templates, the UI strings, the Markdown settings, the stylesheet, the paper, the date
on its cover, the fonts on the machine and the versions of workshopkit and WeasyPrint. A
document whose key is in the cache is copied: its HTML is not even generated.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__, atomic
from ..agenda import knowledge_test_items
from ..audience import RESTRICTED_PACK, TEST_BASIS, View, WorkshopView
from ..errors import BuildError
from ..markdown import SiteConfig
from ..strings import load_strings
from .html import PrintDoc, PrintGenerator, build_date, css_text, digest
from .render import Job, Renderer, add_toc, pool_size

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


@dataclass
class DocSpec:
    """A PDF to make, known by what it depends on; ``make`` builds its print HTML when needed."""

    rel_path: str
    deps: str
    make: Callable[[], PrintDoc]
    weight: float = 1.0  # a rough guess of the rendering time, to start the longest first
    source: str = ""  # display path of the file the document is made from (for messages)

    def build(self) -> PrintDoc:
        """Make the print HTML; a problem found on the way names the file the document comes from."""
        try:
            doc = self.make()
        except BuildError as exc:
            if exc.path or not self.source:
                raise
            raise BuildError(f"{self.rel_path}: {exc.message}", self.source, hint=exc.hint) from None
        doc.source = doc.source or self.source
        return doc


@functools.lru_cache(maxsize=1)
def templates_key() -> str:
    """Digest of the print templates and UI strings shipped with workshopkit."""
    package = Path(__file__).resolve().parent.parent
    files = sorted((package / "templates" / "print").rglob("*")) + sorted((package / "strings").glob("*.yml"))
    return digest(*[f"{p.name}\0".encode() + p.read_bytes() for p in files if p.is_file()])


def html_key(fixed: str, doc: PrintDoc) -> str:
    """The second cache key of a document: its HTML, and its page limit (checked when it renders)."""
    return digest(fixed, doc.html, str(doc.pages_max))


_REPO_TARGET = re.compile(r"repo:(modules/[^)\s\"#]+)")


class _Deps:
    """Digests of the parts of views that documents depend on, each computed once."""

    def __init__(self, root: Path, config: SiteConfig):
        self.root = root
        self.common = digest(templates_key(), json.dumps(config.extensions, sort_keys=True, default=str),
                             config.site_url, build_date().isoformat())
        self._modules: dict[tuple[int, str], str] = {}

    def module(self, v: View, mid: str) -> str:
        key = (id(v), mid)
        if key not in self._modules:
            m = v.module(mid)
            assets = []
            folder = self.root / "modules" / mid
            if folder.is_dir():
                for p in sorted(folder.rglob("*")):
                    if p.is_file() and p.suffix not in (".yml", ".md"):
                        assets.append(f"{p.relative_to(folder)}:{digest(p.read_bytes())}")
            text = m.model_dump_json() if m else mid
            # Files of other modules that this one links to (an image borrowed from a neighbour).
            for target in sorted(set(_REPO_TARGET.findall(text))):
                path = self.root / target
                if not path.is_relative_to(folder) and path.is_file() and path.suffix not in (".yml", ".md"):
                    assets.append(f"{target}:{digest(path.read_bytes())}")
            self._modules[key] = digest(text, *assets)
        return self._modules[key]

    def view_wide(self, v: View) -> str:
        return digest(v.glossary.model_dump_json() if v.glossary else "", v.curriculum.model_dump_json() if v.curriculum else "",
                      *[s.model_dump_json() for s in v.seeds + v.sources])

    def workshop(self, v: View, wv: WorkshopView, kind: str, *extra: str) -> str:
        return digest(self.common, kind, v.audience.name, str(v.audience.include_restricted), wv.workshop.model_dump_json(),
                      repr(wv.days), *[self.module(v, m.id) for m in v.modules], self.view_wide(v), *extra)

    def handout(self, v: View, mid: str, hid: str) -> str:
        return digest(self.common, "handout", hid, self.module(v, mid), *[s.model_dump_json() for s in v.seeds + v.sources])


def participant_tests(part: View) -> dict[str, list[tuple[str, str]]]:
    """Each workshop's knowledge test as participants get it: (module id, item id) in order."""
    modules = {m.id: m for m in part.modules}
    return {wv.workshop.id: [(m.id, q.id) for m, q in knowledge_test_items(wv.workshop, modules)]
            for wv in part.workshops}


def document_specs(root: Path, views: dict[str, View], gen: PrintGenerator, include_restricted: bool,
                   config: SiteConfig) -> list[DocSpec]:
    """Every PDF of the build, each from the view of the audience it is for
    (``views`` as made by :func:`~workshopkit.audience.publishing_views`)."""
    deps = _Deps(root, config)
    specs: list[DocSpec] = []

    def add(rel_path: str, dep: str, make: Callable[[], PrintDoc], weight: float = 1.0, source: str = "") -> None:
        if not source:  # the documents of a workshop are made from its file
            source = f"curriculum/{rel_path.split('/')[1]}.yml"
        specs.append(DocSpec(rel_path, dep, make, weight, source))

    def sessions(wv: WorkshopView) -> int:
        return sum(1 for d in wv.days for r in d.rows if r.kind == "session")

    part = views.get("participant")
    fac = views.get("facilitator")
    if part is not None:
        for wv in part.workshops:
            wid = wv.workshop.id
            add(f"participant/{wid}/workbook.pdf", deps.workshop(part, wv, "workbook"),
                functools.partial(gen.workbook, part, wv), 3.0 * sessions(wv))
            add(f"participant/{wid}/knowledge-test.pdf", deps.workshop(part, wv, "knowledge-test"),
                functools.partial(gen.knowledge_test, part, wv, False))
            add(f"participant/{wid}/evaluation-form.pdf", deps.workshop(part, wv, "evaluation-form"),
                functools.partial(gen.evaluation_form, part, wv))
        for m in part.modules:
            for h in m.handouts:
                add(f"participant/handouts/{m.id}/{h.id}.pdf", deps.handout(part, m.id, h.id),
                    functools.partial(gen.handout, part, m, h),
                    source=f"modules/{m.id}/{h.file}" if h.file else f"modules/{m.id}/module.yml")
    if fac is not None:
        # The answer key follows the test participants get, item for item.
        basis = part or views.get(TEST_BASIS)
        tests = participant_tests(basis) if basis is not None else {}
        for wv in fac.workshops:
            wid = wv.workshop.id
            ids = tests.get(wid, [])
            add(f"facilitator/{wid}/facilitator-guide.pdf",
                deps.workshop(fac, wv, "guide", str(include_restricted), repr(ids)),
                functools.partial(gen.facilitator_guide, fac, wv, include_restricted, ids), 5.0 * sessions(wv))
            add(f"facilitator/{wid}/answer-key.pdf", deps.workshop(fac, wv, "answer-key", repr(ids)),
                functools.partial(gen.knowledge_test, fac, wv, True, ids))
    pack_view = views.get(RESTRICTED_PACK)
    if include_restricted and pack_view is not None:
        for wv in pack_view.workshops:
            has_closed = any(r.closed for d in wv.days for r in d.rows if r.kind == "session")
            if has_closed:
                add(f"restricted/{wv.workshop.id}/restricted-pack.pdf", deps.workshop(pack_view, wv, "pack"),
                    functools.partial(gen.restricted_pack, pack_view, wv), 2.0 * sessions(wv))
    return specs


def documents(root: Path, views: dict[str, View], gen: PrintGenerator, include_restricted: bool,
              config: SiteConfig | None = None) -> list[PrintDoc]:
    """Every PDF of the build with its print HTML (generated now)."""
    return [spec.build() for spec in document_specs(root, views, gen, include_restricted, config or gen.config)]


class PdfStage:
    """The PDF stage in two halves, so rendering overlaps the site builds.

    ``__init__`` keys every document by what it depends on and copies the unchanged ones from
    the cache (no HTML is generated for them); ``start`` opens the worker pool and, while the
    workers start, generates the print HTML of each remaining document (largest kinds first) and
    submits it, unless its HTML is cached; ``finish`` waits and returns the (new, target) pair
    for the swap; ``abort`` stops the workers and removes partial files.
    """

    BIG_KINDS = ("workbook.pdf", "facilitator-guide.pdf", "restricted-pack.pdf")

    def __init__(self, root: Path, views: dict[str, View], config: SiteConfig, opts: Any, stage: Path,
                 report: Any, progress: Any):
        t0 = time.perf_counter()
        from ..build import as_progress

        self.opts, self.report, self.progress = opts, report, as_progress(progress)
        out_dir: Path = opts.out_dir
        self.out_dir = out_dir
        strings = load_strings("en")
        atomic.mark(out_dir / ".cache")  # internal, but workshopkit's: 'clean' may delete it
        self.cache = out_dir / ".cache" / "pdf"
        self.cache.mkdir(parents=True, exist_ok=True)
        self.assets = out_dir / ".cache" / "print-assets"
        self.assets.mkdir(parents=True, exist_ok=True)
        gen = PrintGenerator(config, strings, root, self.assets, paper=opts.paper)
        progress("preparing print documents")
        self.specs = document_specs(root, views, gen, opts.include_restricted, config)
        self.css = css_text(strings, opts.paper)
        import weasyprint

        self.fixed = digest(self.css, fonts_key(), __version__, weasyprint.__version__, opts.paper)
        self.pdf_stage = stage / "pdf"
        self.pdf_stage.mkdir(parents=True, exist_ok=True)
        self.keys: set[str] = set()
        # Two keys per document: what it depends on (cheap: no HTML needed) and, when that
        # changed, its HTML (so an edit that does not change what a document prints renders
        # nothing). The cache holds each PDF under both names.
        self.misses: list[tuple[DocSpec, str]] = []
        for spec in self.specs:
            in_key = "in-" + digest(self.fixed, spec.deps)
            self.keys.add(in_key)
            if (self.cache / f"{in_key}.pdf").is_file():
                link_or_copy(self.cache / f"{in_key}.pdf", self.pdf_stage / spec.rel_path)
                report.pdf_cached.append(spec.rel_path)
            else:
                self.misses.append((spec, in_key))
        self.misses.sort(key=lambda m: -m[0].weight)
        small = len(self.misses) <= 2 and not any(s.rel_path.endswith(self.BIG_KINDS) for s, _ in self.misses)
        # The renderer may read only the print assets (images copied there) and data: URLs.
        self.renderer = Renderer(self.css, self.assets, pool_size(len(self.misses), small, opts.workers))
        self.renderer.on_done = functools.partial(self.progress.advance, "PDFs")
        self.todo: list[tuple[PrintDoc, str, str, Job]] = []  # doc, html key, dependency key, job
        # Keying and copying; generating and rendering the rest is 'pdf-render' (from start).
        report.seconds["pdf-prepare"] = time.perf_counter() - t0

    def start(self) -> None:
        if not self.misses:
            return
        self.progress(f"rendering {len(self.misses)} PDF(s) in the background, "
                      f"{len(self.specs) - len(self.misses)} unchanged")
        self.progress.stage("PDFs", len(self.misses))
        self.renderer.open()
        for spec, in_key in self.misses:
            doc = spec.build()
            assert doc.rel_path == spec.rel_path, (doc.rel_path, spec.rel_path)
            doc.html = add_toc(doc.html)
            key = html_key(self.fixed, doc)
            self.keys.add(key)
            if (self.cache / f"{key}.pdf").is_file():
                link_or_copy(self.cache / f"{key}.pdf", self.cache / f"{in_key}.pdf")
                link_or_copy(self.cache / f"{key}.pdf", self.pdf_stage / spec.rel_path)
                self.report.pdf_cached.append(spec.rel_path)
                self.progress.advance("PDFs")
                continue
            job = Job(doc.html, str(self.cache / f".{key}.{os.getpid()}.tmp.pdf"), self.assets.as_uri() + "/", doc.title,
                      fit=doc.kind in ("handout", "evaluation-form", "knowledge-test"))
            self.todo.append((doc, key, in_key, job))
            self.renderer.submit(job)

    def abort(self) -> None:
        self.renderer.abort()
        for _, _, _, job in self.todo:
            Path(job.out).unlink(missing_ok=True)

    def finish(self) -> list[tuple[Path, Path]]:
        if self.todo:
            self.progress("waiting for the PDFs")
            try:
                results = {r.out: r for r in self.renderer.results()}
            except BaseException:
                self.abort()
                raise
            # Each failure is led by the file its document is made from.
            source = {job.out: doc.source for doc, _, _, job in self.todo}
            failures = [(source.get(r.out, ""), r.error) for r in results.values() if r.error]
            # A handout longer than its author allowed is not cached, so it is reported on every build.
            failures += [(doc.source, f"the handout prints on {results[job.out].pages} pages; its limit is "
                          f"{doc.pages_max} (shorten it, or raise 'pages_max' of the handout in module.yml)")
                         for doc, _, _, job in self.todo
                         if not results[job.out].error and doc.pages_max and results[job.out].pages > doc.pages_max]
            if failures:
                self.abort()
                errors = [f"{path}: {message}" if path else message for path, message in failures]
                raise BuildError("PDF rendering failed:\n  " + "\n  ".join(errors), failures[0][0])
            for doc, key, in_key, job in self.todo:
                cached = self.cache / f"{key}.pdf"
                os.replace(job.out, cached)
                link_or_copy(cached, self.cache / f"{in_key}.pdf")
                link_or_copy(cached, self.pdf_stage / doc.rel_path)
                self.report.pdf_rendered.append(doc.rel_path)
            self.report.seconds["pdf-render"] = self.renderer.seconds
        else:
            self.renderer.abort()
        _prune(self.cache, self.keys)
        atomic.mark(self.pdf_stage)
        return [(self.pdf_stage, self.out_dir / "pdf")]


def build_pdfs(root: Path, views: dict[str, View], config: SiteConfig, opts: Any, stage: Path,
               report: Any, progress: Any) -> list[tuple[Path, Path]]:
    """Render the PDFs into ``stage/pdf`` (waiting for them) and return the pair for the swap."""
    pdf = PdfStage(root, views, config, opts, stage, report, progress)
    pdf.start()
    return pdf.finish()


def link_or_copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        dest.unlink()
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
