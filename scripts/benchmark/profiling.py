"""``--profile``: where the time of a cold build goes, in a child process.

The cold build runs under cProfile in the child's main process (the PDF workers are other
processes, so their time shows as waiting for them); then the same documents are rendered one
after the other in the child itself, under cProfile, to show where WeasyPrint spends its time.
The pstats listings go to a text file; the cumulative time of the functions listed in
:data:`BUILD_FUNCTIONS` and :data:`RENDER_FUNCTIONS` to the result.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import time
from pathlib import Path
from typing import Any

from .stages import first_workshops, print_documents

#: (label, file suffix, function name) whose cumulative time the profile reports.
BUILD_FUNCTIONS = [
    ("load (YAML → models, texts)", "workshopkit/load.py", "load_project"),
    ("YAML reader", "workshopkit/yamlload.py", "load_file"),
    ("check rules", "workshopkit/check.py", "run_checks"),
    ("audience views", "workshopkit/build.py", "views_for"),
    ("plan of the outputs", "workshopkit/build.py", "plan_for"),
    ("sites (pages, MkDocs, checks)", "workshopkit/build.py", "build_sites"),
    ("site pages", "workshopkit/build.py", "site_pages"),
    ("page generation", "workshopkit/site/generate.py", "generate"),
    ("editor guide", "workshopkit/guide.py", "editor_guide"),
    ("write docs", "workshopkit/site/mkdocs_adapter.py", "write_docs"),
    ("site key (pages unchanged?)", "workshopkit/build.py", "site_key"),
    ("MkDocs and the site's checks", "workshopkit/build.py", "build_site"),
    ("MkDocs build", "workshopkit/site/mkdocs_adapter.py", "run_mkdocs"),
    ("link check", "workshopkit/site/linkcheck.py", "site_problems"),
    # PdfStage.__init__ (Keys.__init__, in the same file, is part of it: the larger is reported)
    ("PDF stage: key, copy unchanged", "workshopkit/pdf/build.py", "__init__"),
    ("PDF stage: print HTML, submit", "workshopkit/pdf/build.py", "start"),
    ("PDF stage: wait for the workers", "workshopkit/pdf/build.py", "finish"),
    ("print HTML documents", "workshopkit/pdf/build.py", "make_document"),
    ("fonts key (fc-list)", "workshopkit/pdf/build.py", "fonts_key"),
    ("render pool: start", "workshopkit/pdf/render.py", "open"),
    ("render pool: results", "workshopkit/pdf/render.py", "results"),
    ("Markdown → HTML (print)", "workshopkit/markdown.py", "to_html"),
    ("offline copy", "workshopkit/build.py", "pack_offline"),
    ("atomic swap", "workshopkit/atomic.py", "swap_in"),
    ("mkdocs: markdown of pages", "mkdocs/structure/pages.py", "render"),
    ("mkdocs: templates", "mkdocs/commands/build.py", "_build_page"),
    ("mkdocs: plugins on_post_build", "mkdocs/plugins.py", "on_post_build"),
    ("mkdocs: copy static files", "mkdocs/structure/files.py", "copy_file"),
]
RENDER_FUNCTIONS = [
    ("parse HTML", "weasyprint/__init__.py", "__init__"),
    ("render (style + boxes + layout)", "weasyprint/__init__.py", "render"),
    ("CSS cascade (computed styles)", "weasyprint/css/__init__.py", "get_all_computed_styles"),
    ("build boxes", "weasyprint/formatting_structure/build.py", "build_formatting_structure"),
    ("layout", "weasyprint/layout/__init__.py", "layout_document"),
    ("write_pdf", "weasyprint/document.py", "write_pdf"),
    ("generate_pdf", "weasyprint/pdf/__init__.py", "generate_pdf"),
    ("draw pages", "weasyprint/document.py", "paint"),
    ("fonts dictionary", "weasyprint/pdf/fonts.py", "build_fonts_dictionary"),
    ("font subsetting", "weasyprint/pdf/fonts.py", "subset"),
    ("PDF tags", "weasyprint/pdf/tags.py", "add_tags"),
    ("serialise PDF (pydyf)", "pydyf/__init__.py", "write"),
    ("text shaping (Pango)", "weasyprint/text/line_break.py", "split_first_line"),
]


def _cumulative(stats: Any, wanted: list[tuple[str, str, str]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for label, suffix, name in wanted:
        total = 0.0
        for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
            if func == name and filename.replace(os.sep, "/").endswith(suffix):
                total = max(total, ct)  # recursive entries are counted once by cProfile's ct
        if total:
            out[label] = round(total, 3)
    return out


def _listing(prof: cProfile.Profile, sort: str, lines: int) -> str:
    s = io.StringIO()
    pstats.Stats(prof, stream=s).sort_stats(sort).print_stats(lines)
    return s.getvalue()


def profile_build(root: Path, out: Path, workers: int | None, n_workshops: int | None,
                  text: io.StringIO) -> dict[str, Any]:
    """The cold build, profiled in this process (the PDF workers are other processes)."""
    from workshopkit.build import BuildOptions, run_build

    opts = BuildOptions(root=root, out=out / "build", workers=workers)
    select = first_workshops(n_workshops)
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    report = run_build(opts, select=select)
    prof.disable()
    result: dict[str, Any] = {"build_wall_s": time.perf_counter() - t0,
                              "build_seconds": {k: round(v, 3) for k, v in report.seconds.items()},
                              "pdfs": len(report.pdf_rendered),
                              "build_functions": _cumulative(pstats.Stats(prof), BUILD_FUNCTIONS)}
    text.write(f"# cold build of {root}: {result['build_wall_s']:.2f} s\n")
    text.write(json.dumps(result["build_seconds"], indent=1) + "\n")
    text.write(_listing(prof, "cumulative", 60))
    return result


def profile_render(root: Path, out: Path, n_workshops: int | None, text: io.StringIO) -> dict[str, Any]:
    """The same PDFs rendered in this process, profiled: where does WeasyPrint spend its time?"""
    from workshopkit.build import BuildOptions, load_checked, plan_for, views_for
    from workshopkit.markdown import load_site_config
    from workshopkit.pdf.render import InProcess

    project, _ = load_checked(root)
    config = load_site_config(root)
    opts = BuildOptions(root=root, out=out)
    views = views_for(project, opts)
    select = first_workshops(n_workshops)
    plan = plan_for(views, opts)
    docs, css, _fixed, assets = print_documents(project.root, views, select(plan) if select else plan, config, out)
    renderer = InProcess(css, assets)
    per_doc: list[dict[str, Any]] = []
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    for doc in sorted(docs, key=lambda d: len(d.html), reverse=True):
        a = time.perf_counter()
        prof.enable()
        document = renderer.layout(doc.html, assets.as_uri() + "/")
        b = time.perf_counter()
        document.write_pdf(str(out / "profile.pdf"), pdf_tags=True, uncompressed_pdf=False)
        prof.disable()
        c = time.perf_counter()
        per_doc.append({"doc": doc.rel_path, "html_kb": round(len(doc.html) / 1024), "pages": len(document.pages),
                        "layout_s": round(b - a, 3), "write_s": round(c - b, 3)})
    result: dict[str, Any] = {"render_wall_s": time.perf_counter() - t0,
                              "render_functions": _cumulative(pstats.Stats(prof), RENDER_FUNCTIONS),
                              "slowest_documents": sorted(per_doc, key=lambda d: d["layout_s"] + d["write_s"],
                                                          reverse=True)[:10],
                              "documents": len(per_doc)}
    text.write(f"\n# single-process render of {len(per_doc)} PDFs: {result['render_wall_s']:.2f} s\n")
    text.write(_listing(prof, "cumulative", 80))
    text.write(_listing(prof, "tottime", 40))
    return result


def profile_child(spec: dict[str, Any]) -> dict[str, Any]:
    """cProfile a cold build (workers as given) and a single-process render of its PDFs."""
    root, out = Path(spec["root"]), Path(spec["out"])
    n_ws = spec.get("pdf_workshops")
    text = io.StringIO()
    result: dict[str, Any] = {"root": str(root)}
    result.update(profile_build(root, out, spec.get("workers"), n_ws, text))
    result.update(profile_render(root, out, n_ws, text))
    Path(spec["text"]).write_text(text.getvalue(), encoding="utf-8")
    return result
