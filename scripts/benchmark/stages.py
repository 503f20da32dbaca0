"""The measured stages: each runs in a child process (``python -m benchmark --child <spec>``).

A spec names the stage, the curriculum (``root``), the run's output folder (``out``), the PDF
workers and how many workshops' documents the PDF stages render (``pdf_workshops``, ``None``
for all). The child does the stage's prerequisites (e.g. loading the project), then measures
the stage itself with :func:`measure.measure`. Every stage calls the build's public stage
functions, as ``workshopkit build`` does:

* ``load``: :func:`workshopkit.load.load_project`;
* ``check``: :func:`workshopkit.check.run_checks` on the loaded project;
* ``generate-<audience>``: :func:`~workshopkit.build.views_for`,
  :func:`~workshopkit.build.site_pages` (linking the documents the build's plan offers on that
  site) and :func:`~workshopkit.site.mkdocs_adapter.write_docs` into ``<out>/.gen/<audience>``;
* ``mkdocs-<audience>``: :func:`~workshopkit.build.build_site` on that folder (MkDocs, strict,
  then the link and safety checks);
* ``mkdocs-plain-<audience>``: the ``mkdocs build`` command on the same folder (a baseline);
* ``pdf``: :func:`workshopkit.pdf.build.build_pdfs` on the build's plan; afterwards, not
  measured, it saves the very same print HTML for the next stage;
* ``weasyprint-1proc``: that HTML rendered one document after the other by
  :class:`workshopkit.pdf.render.InProcess` (a baseline);
* ``cold``, ``incremental``, ``nochange``: :func:`workshopkit.build.run_build` into ``<out>/build``.

The PDF stages render fewer documents by filtering the plan (:func:`first_workshops`): the
build's own code path stays as it is, only the list of documents is cut.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import BenchError
from .measure import measure

if TYPE_CHECKING:
    from workshopkit.audience import View
    from workshopkit.build import BuildOptions
    from workshopkit.markdown import SiteConfig
    from workshopkit.outputs import Plan
    from workshopkit.pdf.html import PrintDoc

Stage = Callable[[dict[str, Any]], dict[str, Any]]
Select = Callable[["Plan"], "Plan"]


def first_workshops(n_workshops: int | None) -> Select | None:
    """A plan filter that keeps the documents of the first ``n_workshops`` workshops (in the
    order the plan lists them) and the handouts of the modules they use; ``None`` keeps all."""
    if n_workshops is None:
        return None

    def select(plan: Plan) -> Plan:
        ids = list(dict.fromkeys(o.workshop for o in plan.pdfs() if o.workshop))
        return plan.for_workshops(ids[:n_workshops])

    return select


def _plan(views: dict[str, View], opts: BuildOptions, n_workshops: int | None) -> Plan:
    from workshopkit.build import plan_for

    plan = plan_for(views, opts)
    select = first_workshops(n_workshops)
    return select(plan) if select else plan


def print_documents(root: Path, views: dict[str, View], plan: Plan, config: SiteConfig, out_dir: Path,
                    include_restricted: bool = False, paper: str = "A4") -> tuple[list[PrintDoc], str, str, Path]:
    """The print documents of ``plan`` exactly as the PDF stage makes them (HTML with its table
    of contents), the stylesheet, the part of the cache key they share, and the assets folder."""
    import weasyprint

    from workshopkit import __version__
    from workshopkit.pdf.build import documents, fonts_key
    from workshopkit.pdf.html import PrintGenerator, css_text, digest
    from workshopkit.pdf.render import add_toc
    from workshopkit.strings import load_strings

    strings = load_strings("en")
    assets = out_dir / ".cache" / "print-assets"
    assets.mkdir(parents=True, exist_ok=True)
    gen = PrintGenerator(config, strings, root, assets, paper=paper)
    docs = documents(root, views, plan, gen, include_restricted)
    css = css_text(strings, paper)
    fixed = digest(css, fonts_key(), __version__, weasyprint.__version__, paper)
    for doc in docs:
        doc.html = add_toc(doc.html)
    return docs, css, fixed, assets


# --- the stages ----------------------------------------------------------------------------


def stage_load(spec: dict[str, Any]) -> dict[str, Any]:
    from workshopkit.load import load_project

    root = Path(spec["root"])

    def run() -> dict[str, Any]:
        project, _diags = load_project(root)
        return {"modules": len(project.modules), "texts": len(project.texts)}
    return measure(run)


def stage_check(spec: dict[str, Any]) -> dict[str, Any]:
    from workshopkit.check import run_checks
    from workshopkit.load import load_project

    project, diags = load_project(Path(spec["root"]))

    def run() -> dict[str, Any]:
        all_diags = sorted(set(diags + run_checks(project)), key=lambda d: (d.path, d.line, d.col, d.message))
        errors = [d for d in all_diags if d.severity == "error"]
        if errors:
            raise BenchError("the curriculum has errors:\n" + "\n".join(map(str, errors[:20])))
        return {"warnings": len(all_diags)}
    return measure(run)


def _site_facts(out: Path, aud: str) -> Path:
    """Where the generate stage notes how the build would verify the site it wrote (for the
    MkDocs stage, which then need not load the project)."""
    return out / "bench-gen" / f"{aud}.json"


def stage_generate(spec: dict[str, Any]) -> dict[str, Any]:
    from workshopkit.build import BuildOptions, load_checked, plan_for, site_pages, views_for
    from workshopkit.markdown import load_site_config
    from workshopkit.site.generate import DOWNLOADS
    from workshopkit.site.mkdocs_adapter import write_docs

    root, out, aud = Path(spec["root"]), Path(spec["out"]), spec["audience"]
    project, _ = load_checked(root)
    config = load_site_config(root)
    # The documents the site links to, as in a build of both sites (not measured).
    whole = BuildOptions(root=root, out=out)
    downloads = plan_for(views_for(project, whole), whole).downloads().get(aud, [])
    opts = BuildOptions(root=root, out=out, audiences=(aud,))

    def run() -> dict[str, Any]:
        v = views_for(project, opts)[aud]
        files, cfg = site_pages(v, config, project.root, downloads)
        writes = write_docs(files, out / ".gen" / aud, cfg)
        facts = {"restricted": v.audience.include_restricted, "pending": DOWNLOADS + "/" if downloads else ""}
        _site_facts(out, aud).parent.mkdir(parents=True, exist_ok=True)
        _site_facts(out, aud).write_text(json.dumps(facts), encoding="utf-8")
        return {"pages": len(files.pages), "page_writes": writes}
    return measure(run)


def stage_mkdocs(spec: dict[str, Any]) -> dict[str, Any]:
    from workshopkit.build import build_site
    from workshopkit.markdown import load_site_config

    root, out, aud = Path(spec["root"]), Path(spec["out"]), spec["audience"]
    config = load_site_config(root)
    facts = json.loads(_site_facts(out, aud).read_text(encoding="utf-8"))
    gen_dir = out / ".gen" / aud
    site_dir = out / "bench-site" / aud

    def run() -> dict[str, Any]:
        build_site(gen_dir, site_dir, config, restricted=facts["restricted"], pending=facts["pending"])
        return {"html_files": sum(1 for _ in site_dir.rglob("*.html"))}
    return measure(run)


def stage_mkdocs_plain(spec: dict[str, Any]) -> dict[str, Any]:
    out, aud = Path(spec["out"]), spec["audience"]
    cfg = out / ".gen" / aud / "mkdocs.yml"
    dest = out / "plain-site" / aud
    exe = Path(sys.executable).with_name("mkdocs")
    cmd = [str(exe)] if exe.is_file() else [sys.executable, "-m", "mkdocs"]
    cmd += ["build", "-q", "-f", str(cfg), "-d", str(dest)]

    def run() -> dict[str, Any]:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise BenchError(f"mkdocs build failed:\n{proc.stderr[-3000:]}")
        return {"html_files": sum(1 for _ in dest.rglob("*.html"))}
    return measure(run)


def stage_pdf(spec: dict[str, Any]) -> dict[str, Any]:
    from workshopkit.build import BuildOptions, BuildReport, as_progress, load_checked, views_for
    from workshopkit.markdown import load_site_config
    from workshopkit.pdf.build import build_pdfs

    root, out = Path(spec["root"]), Path(spec["out"])
    project, _ = load_checked(root)
    config = load_site_config(root)
    opts = BuildOptions(root=root, out=out, workers=spec.get("workers"))
    views = views_for(project, opts)
    plan = _plan(views, opts, spec.get("pdf_workshops"))
    stage_dir = out / ".bench-pdf"
    stage_dir.mkdir(parents=True, exist_ok=True)
    report = BuildReport()

    def run() -> dict[str, Any]:
        build_pdfs(project.root, views, plan, config, opts, stage_dir, report, as_progress(None))
        return {}
    result = measure(run)
    result.update(pdf_rendered=len(report.pdf_rendered), pdf_cached=len(report.pdf_cached),
                  render_s=report.seconds.get("pdf-render", 0.0))
    result["prepare_s"] = result["wall"] - result["render_s"]
    result.update(save_print_html(project.root, views, plan, config, out, opts.include_restricted))
    return result


def save_print_html(root: Path, views: dict[str, View], plan: Plan, config: SiteConfig, out: Path,
                    include_restricted: bool) -> dict[str, Any]:
    """Save the very same print HTML as the PDF stage rendered, for the single-process baseline
    (not measured), and whether the PDF stage cached a PDF under each document's HTML key."""
    from workshopkit.pdf.build import html_key

    docs, css, fixed, assets = print_documents(root, views, plan, config, out, include_restricted)
    html_dir = out / "bench-html"
    html_dir.mkdir(parents=True, exist_ok=True)
    (html_dir / "print.css").write_text(css, encoding="utf-8")
    manifest = []
    for k, doc in enumerate(docs):
        name = f"{k:05d}.html"
        (html_dir / name).write_text(doc.html, encoding="utf-8")
        key = html_key(fixed, doc)
        manifest.append({"file": name, "title": doc.title, "doc": doc.rel_path, "bytes": len(doc.html.encode()),
                         "cached": (out / ".cache" / "pdf" / f"{key}.pdf").is_file()})
    (html_dir / "manifest.json").write_text(json.dumps({"assets": str(assets), "docs": manifest}), encoding="utf-8")
    return {"documents": len(docs), "same_html_as_stage": all(m["cached"] for m in manifest)}


def stage_single_process(spec: dict[str, Any]) -> dict[str, Any]:
    """Render the saved print HTML with WeasyPrint, one document after the other, in this process.

    The same stylesheet, font configuration, image cache and URL fetcher as a build's worker,
    set up once (:class:`workshopkit.pdf.render.InProcess`); each document is laid out and
    written (``write_pdf``, which draws the pages, subsets the fonts and serialises the PDF),
    timed separately.
    """
    from workshopkit.pdf.render import InProcess

    out = Path(spec["out"])
    html_dir = out / "bench-html"
    manifest = json.loads((html_dir / "manifest.json").read_text(encoding="utf-8"))
    css = (html_dir / "print.css").read_text(encoding="utf-8")
    assets = Path(manifest["assets"])
    base_url = assets.as_uri() + "/"
    docs = sorted(manifest["docs"], key=lambda d: d["bytes"], reverse=True)  # largest first, as the build does
    dest = Path(spec.get("render_dir") or out / "bench-1proc")
    dest.mkdir(parents=True, exist_ok=True)
    per_doc: list[dict[str, Any]] = []

    def run() -> dict[str, Any]:
        renderer = InProcess(css, assets)  # the renderer may read the print assets only, as a worker
        for d in docs:
            html = (html_dir / d["file"]).read_text(encoding="utf-8")
            t0 = time.perf_counter()
            document = renderer.layout(html, base_url)
            t1 = time.perf_counter()
            document.write_pdf(str(dest / (d["file"][:-5] + ".pdf")), pdf_tags=True, uncompressed_pdf=False)
            t2 = time.perf_counter()
            per_doc.append({"doc": d["doc"], "bytes": d["bytes"], "pages": len(document.pages),
                            "layout_s": round(t1 - t0, 4), "write_s": round(t2 - t1, 4)})
        return {}
    result = measure(run)
    result["documents"] = len(per_doc)
    result["pages"] = sum(d["pages"] for d in per_doc)
    result["layout_s"] = sum(d["layout_s"] for d in per_doc)
    result["write_s"] = sum(d["write_s"] for d in per_doc)
    result["slowest"] = sorted(per_doc, key=lambda d: d["layout_s"] + d["write_s"], reverse=True)[:8]
    return result


def stage_build(spec: dict[str, Any]) -> dict[str, Any]:
    """A full build (``cold``, ``incremental`` or ``nochange``: the stage names only what the
    caller did to the curriculum and the output folder before it)."""
    from workshopkit.build import BuildOptions, BuildReport, run_build

    root, out = Path(spec["root"]), Path(spec["out"])
    opts = BuildOptions(root=root, out=out / "build", workers=spec.get("workers"))
    select = first_workshops(spec.get("pdf_workshops"))
    holder: dict[str, BuildReport] = {}

    def run() -> dict[str, Any]:
        holder["report"] = run_build(opts, select=select)
        return {}
    result = measure(run)
    report = holder["report"]
    result.update(pdf_rendered=len(report.pdf_rendered), pdf_cached=len(report.pdf_cached),
                  sites_built=len(report.sites_built), sites_reused=len(report.sites_reused),
                  pages=sum(report.pages.values()), page_writes=sum(report.page_writes.values()),
                  page_writes_by_audience=dict(report.page_writes),
                  seconds={k: round(v, 4) for k, v in report.seconds.items()})
    return result


STAGES: dict[str, Stage] = {
    "load": stage_load, "check": stage_check, "pdf": stage_pdf, "weasyprint-1proc": stage_single_process,
    "cold": stage_build, "incremental": stage_build, "nochange": stage_build,
}
#: Stages per audience, by prefix (the longer prefix first).
STAGE_PREFIXES: tuple[tuple[str, Stage], ...] = (
    ("generate-", stage_generate), ("mkdocs-plain-", stage_mkdocs_plain), ("mkdocs-", stage_mkdocs),
)


def child(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one stage as described by ``spec`` and measure it."""
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    name: str = spec["stage"]
    stage = STAGES.get(name) or next((fn for prefix, fn in STAGE_PREFIXES if name.startswith(prefix)), None)
    if stage is None:
        raise BenchError(f"unknown stage {name!r}")
    return stage(spec)
