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
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__, atomic
from ..agenda import knowledge_test_items
from ..audience import TEST_BASIS, View
from ..errors import BuildError
from ..markdown import SiteConfig
from ..outputs import KeyPart, Output, Plan
from ..strings import load_strings
from .html import PrintDoc, PrintGenerator, Subject, build_date, css_text, digest
from .render import Job, Renderer, add_toc, pool_size

if TYPE_CHECKING:
    from ..build import BuildOptions, BuildReport, Progress

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


@functools.lru_cache(maxsize=1)
def templates_key() -> str:
    """Digest of the print templates, the UI strings and the print code shipped with workshopkit
    (how a document is laid out, e.g. which sections are set tighter, is part of what it looks like)."""
    package = Path(__file__).resolve().parent.parent
    files = (sorted((package / "templates" / "print").rglob("*")) + sorted((package / "strings").glob("*.yml"))
             + sorted(Path(__file__).resolve().parent.glob("*.py"))
             # slide decks: their templates and code (workshopkit.slides)
             + sorted((package / "templates" / "slides").rglob("*")) + sorted((package / "slides").glob("*.py")))
    return digest(*[f"{p.name}\0".encode() + p.read_bytes() for p in files if p.is_file()])


def html_key(fixed: str, doc: PrintDoc) -> str:
    """The second cache key of a document: its HTML, and its page limit (checked when it renders)."""
    return digest(fixed, doc.html, str(doc.pages_max), doc.copies_html)


_REPO_TARGET = re.compile(r"repo:(modules/[^)\s\"#]+)")


class Keys:
    """The first cache key of each document of the plan: a digest of the parts its kind names
    (see :data:`workshopkit.outputs.KeyPart`), each part computed once per view."""

    def __init__(self, root: Path, config: SiteConfig, views: dict[str, View], include_restricted: bool):
        self.root = root
        self.views = views
        self.include_restricted = include_restricted
        self.common = digest(templates_key(), json.dumps(config.extensions, sort_keys=True, default=str),
                             config.site_url, build_date().isoformat())
        self._modules: dict[tuple[int, str], str] = {}
        # The answer key follows the test participants get, item for item.
        basis = views.get("participant") or views.get(TEST_BASIS)
        self.tests = participant_tests(basis) if basis is not None else {}

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

    def _view_wide(self, v: View) -> str:
        return digest(v.glossary.model_dump_json() if v.glossary else "", v.curriculum.model_dump_json() if v.curriculum else "",
                      *[s.model_dump_json() for s in v.seeds + v.sources])

    def _part(self, part: KeyPart, subject: Subject) -> str:
        v = subject.view
        if part == "workshop":
            wv = subject.wv
            return digest(v.audience.name, str(v.audience.include_restricted), wv.workshop.model_dump_json(),
                          repr(wv.days), *[self.module(v, m.id) for m in v.modules], self._view_wide(v))
        if part == "handout":
            return digest(subject.out.handout, self.module(v, subject.out.module),
                          *[s.model_dump_json() for s in v.seeds + v.sources])
        if part == "test-order":
            return repr(subject.test_order)
        return str(subject.restricted)  # "restricted"

    def subject(self, out: Output) -> Subject:
        """What the document ``out`` is made of, from its view."""
        v = self.views[out.view]
        if out.kind.scope == "handout":
            m = v.module(out.module)
            h = next((h for h in m.handouts if h.id == out.handout), None) if m else None
            return Subject(out, v, module=m, handout=h)
        wv = next(w for w in v.workshops if w.workshop.id == out.workshop)
        order = self.tests.get(out.workshop, []) if "test-order" in out.kind.key else None
        return Subject(out, v, workshop=wv, test_order=order, restricted=self.include_restricted)

    def key(self, subject: Subject) -> str:
        return digest(self.common, subject.out.kind.name, *[self._part(p, subject) for p in subject.out.kind.key])


def participant_tests(part: View) -> dict[str, list[tuple[str, str]]]:
    """Each workshop's knowledge test as participants get it: (module id, item id) in order."""
    modules = {m.id: m for m in part.modules}
    return {wv.workshop.id: [(m.id, q.id) for m, q in knowledge_test_items(wv.workshop, modules)]
            for wv in part.workshops}


def make_document(gen: PrintGenerator, subject: Subject) -> PrintDoc:
    """The print HTML of one document; a problem found on the way names the file it comes from."""
    out = subject.out
    try:
        return gen.make(subject)
    except BuildError as exc:
        if exc.path or not out.source:
            raise
        raise BuildError(f"{out.path}: {exc.message}", out.source, hint=exc.hint) from None


def documents(root: Path, views: dict[str, View], plan: Plan, gen: PrintGenerator, include_restricted: bool) -> list[PrintDoc]:
    """The print HTML of every document of ``plan`` (generated now)."""
    keys = Keys(root, gen.config, views, include_restricted)
    return [make_document(gen, keys.subject(out)) for out in plan.pdfs()]


class PdfStage:
    """The PDF stage in two halves, so rendering overlaps the site builds.

    ``__init__`` keys every document by what it depends on and copies the unchanged ones from
    the cache (no HTML is generated for them); ``start`` opens the worker pool and, while the
    workers start, generates the print HTML of each remaining document (largest kinds first) and
    submits it, unless its HTML is cached; ``finish`` waits and returns the (new, target) pair
    for the swap; ``abort`` stops the workers and removes partial files.
    """

    def __init__(self, root: Path, views: dict[str, View], plan: Plan, config: SiteConfig, opts: BuildOptions,
                 stage: Path, report: BuildReport, progress: Progress, language: str = "en"):
        t0 = time.perf_counter()
        self.opts, self.report, self.progress = opts, report, progress
        out_dir: Path = opts.out_dir
        self.out_dir = out_dir
        self.language = language
        strings = load_strings(language)
        atomic.mark(out_dir / ".cache")  # internal, but workshopkit's: 'clean' may delete it
        self.cache = out_dir / ".cache" / "pdf"
        self.cache.mkdir(parents=True, exist_ok=True)
        self.assets = out_dir / ".cache" / "print-assets"
        self.assets.mkdir(parents=True, exist_ok=True)
        self.gen = PrintGenerator(config, strings, root, self.assets, paper=opts.paper)
        progress("preparing print documents")
        self.outputs = plan.pdfs()
        keys = Keys(root, config, views, opts.include_restricted)
        self.css = css_text(strings, opts.paper)
        import weasyprint

        self.fixed = digest(self.css, fonts_key(), __version__, weasyprint.__version__, opts.paper)
        self.pdf_stage = stage / "pdf"
        self.pdf_stage.mkdir(parents=True, exist_ok=True)
        self.keys: set[str] = set()
        #: Output path -> the key its PDF is cached under (what an offline copy depends on).
        self.rendered_keys: dict[str, str] = {}
        # Two keys per document: what it depends on (cheap: no HTML needed) and, when that
        # changed, its HTML (so an edit that does not change what a document prints renders
        # nothing). The cache holds each PDF under both names.
        self.misses: list[tuple[Subject, str]] = []
        for out in self.outputs:
            subject = keys.subject(out)
            in_key = "in-" + digest(self.fixed, keys.key(subject))
            self.keys.add(in_key)
            self.rendered_keys[out.path] = in_key
            if (self.cache / f"{in_key}.pdf").is_file():
                link_or_copy(self.cache / f"{in_key}.pdf", self.pdf_stage / out.path)
                report.pdf_cached.append(out.path)
            else:
                self.misses.append((subject, in_key))
        self.misses.sort(key=lambda m: -m[0].out.weight)
        # Slide files made from a rendered deck and its view, once the PDFs are done (workshopkit.slides).
        self.decks = [(subject, keys.key(subject)) for subject in map(keys.subject, plan.of("deck"))]
        small = len(self.misses) <= 2 and not any(s.out.kind.big for s, _ in self.misses)
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
                      f"{len(self.outputs) - len(self.misses)} unchanged")
        self.progress.stage("PDFs", len(self.misses))
        self.renderer.open()
        for subject, in_key in self.misses:
            doc = make_document(self.gen, subject)
            doc.html = add_toc(doc.html)
            key = html_key(self.fixed, doc)
            self.keys.add(key)
            if (self.cache / f"{key}.pdf").is_file():
                link_or_copy(self.cache / f"{key}.pdf", self.cache / f"{in_key}.pdf")
                link_or_copy(self.cache / f"{key}.pdf", self.pdf_stage / doc.rel_path)
                self.report.pdf_cached.append(doc.rel_path)
                self.progress.advance("PDFs")
                continue
            job = Job(doc.html, str(self.cache / f".{key}.{os.getpid()}.tmp.pdf"), self.assets.as_uri() + "/", doc.title,
                      fit=subject.out.kind.fit, tighten=subject.out.kind.big, copies_html=doc.copies_html)
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
        if self.decks:  # the slide files (workshopkit.slides.build), each cached by what it is made from
            from ..slides.build import make_deck_files

            self.keys |= make_deck_files(self)
        _prune(self.cache, self.keys)
        atomic.mark(self.pdf_stage)
        return [(self.pdf_stage, self.out_dir / "pdf")]


def build_pdfs(root: Path, views: dict[str, View], plan: Plan, config: SiteConfig, opts: BuildOptions, stage: Path,
               report: BuildReport, progress: Progress) -> list[tuple[Path, Path]]:
    """Render the PDFs of ``plan`` into ``stage/pdf`` (waiting for them) and return the pair for the swap."""
    pdf = PdfStage(root, views, plan, config, opts, stage, report, progress)
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
