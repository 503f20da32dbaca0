"""The results: medians of the runs, the summary of each size, the Markdown tables, the machine.

The summary of a size compares the stages with each other (generator overhead against plain
MkDocs and the PDF stage, the PDF stage against WeasyPrint in one process) and the rebuilds with
the cold build: what a one-word change costs, and that a rebuild without changes renders no PDF
and runs no MkDocs (``nochange_pdf_rendered`` and ``nochange_sites_built`` are 0).
"""

from __future__ import annotations

import os
import platform
import statistics
from typing import Any

from . import AUDIENCES


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians of the numbers of several runs; other values from the last run."""
    out: dict[str, Any] = {}
    for key, value in runs[-1].items():
        values = [r.get(key) for r in runs]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            out[key] = value
        else:
            out[key] = statistics.median(v for v in values if isinstance(v, (int, float)))
    return out


def pdf_seconds(seconds: dict[str, float]) -> float | None:
    """The PDF stage's time in a BuildReport: 'pdf', or preparation + rendering (or waiting)."""
    if "pdf" in seconds:
        return seconds["pdf"]
    if "pdf-prepare" in seconds or "pdf-render" in seconds or "pdf-wait" in seconds:
        return seconds.get("pdf-prepare", 0.0) + seconds.get("pdf-render", seconds.get("pdf-wait", 0.0))
    return None


def _ratio(a: Any, b: Any) -> float | None:
    return None if a is None or not b else float(a / b)


def summarise(size: dict[str, Any]) -> dict[str, Any]:
    """The figures of one size that the tables and the README quote."""
    st = size["stages"]

    def get(stage: str, key: str = "wall") -> Any:
        return st.get(stage, {}).get(key)

    def total(*stages: str) -> float | None:
        vals = [get(x) for x in stages]
        return None if any(v is None for v in vals) else float(sum(vals))

    s: dict[str, Any] = {}
    s["overhead_s"] = total("load", "check", *(f"generate-{a}" for a in AUDIENCES))
    s["mkdocs_s"] = total(*(f"mkdocs-{a}" for a in AUDIENCES))
    s["mkdocs_plain_s"] = total(*(f"mkdocs-plain-{a}" for a in AUDIENCES))
    s["pdf_s"] = get("pdf")
    s["pdf_render_s"] = get("pdf", "render_s")
    s["pdf_prepare_s"] = get("pdf", "prepare_s")
    s["weasyprint_1proc_s"] = get("weasyprint-1proc")
    s["pdf_documents"] = get("pdf", "documents") or get("weasyprint-1proc", "documents")
    if s["mkdocs_plain_s"] is not None and s["pdf_s"] is not None:
        s["overhead_ratio"] = _ratio(s["overhead_s"], s["mkdocs_plain_s"] + s["pdf_s"])
    if s["mkdocs_plain_s"] is not None and s["weasyprint_1proc_s"] is not None:
        s["overhead_ratio_vs_1proc"] = _ratio(s["overhead_s"], s["mkdocs_plain_s"] + s["weasyprint_1proc_s"])
    s["mkdocs_vs_plain"] = _ratio(s["mkdocs_s"], s["mkdocs_plain_s"])
    s["pdf_speedup"] = _ratio(s["weasyprint_1proc_s"], s["pdf_s"])
    s["pdf_render_speedup"] = _ratio(s["weasyprint_1proc_s"], s["pdf_render_s"])
    s["pdf_worker_rss_mb"] = get("pdf", "worker_peak_mb")
    s["pdf_workers_seen"] = get("pdf", "workers_seen")
    s["pdf_parent_rss_mb"] = get("pdf", "rss_mb")
    s["weasyprint_1proc_rss_mb"] = get("weasyprint-1proc", "rss_mb")
    s["pdf_layout_s"] = get("weasyprint-1proc", "layout_s")
    s["pdf_write_s"] = get("weasyprint-1proc", "write_s")
    cold, inc, same = st.get("cold"), st.get("incremental"), st.get("nochange")
    if cold and inc and same:
        s.update(summarise_builds(cold, inc, same))
    return s


def summarise_builds(cold: dict[str, Any], inc: dict[str, Any], same: dict[str, Any]) -> dict[str, Any]:
    """The cold build, the one-word rebuild and the rebuild without changes, compared."""
    s: dict[str, Any] = {"cold_s": cold["wall"], "incremental_s": inc["wall"],
                         "incremental_ratio": _ratio(inc["wall"], cold["wall"])}
    cold_pdf, inc_pdf = pdf_seconds(cold["seconds"]), pdf_seconds(inc["seconds"])
    s["incremental_pdf_s"] = inc_pdf
    s["incremental_pdf_ratio"] = _ratio(inc_pdf, cold_pdf)
    cold_gen = sum(v for k, v in cold["seconds"].items() if k.startswith("generate-"))
    inc_gen = sum(v for k, v in inc["seconds"].items() if k.startswith("generate-"))
    s["incremental_generate_s"] = inc_gen
    s["incremental_generate_ratio"] = _ratio(inc_gen, cold_gen)
    s["pages"] = cold["pages"]
    s["incremental_page_writes"] = inc["page_writes"]
    s["incremental_pdf_rendered"] = inc["pdf_rendered"]
    s["incremental_pdf_cached"] = inc["pdf_cached"]
    s["cold_sites_built"] = cold["sites_built"]
    s["incremental_sites_built"] = inc["sites_built"]
    s["nochange_s"] = same["wall"]
    s["nochange_pdf_rendered"] = same["pdf_rendered"]
    s["nochange_page_writes"] = same["page_writes"]
    # MkDocs runs of the rebuild without changes (each site whose pages are unchanged is reused).
    s["nochange_sites_built"] = same["sites_built"]
    s["nochange_sites_reused"] = same["sites_reused"]
    s["cold_pdfs"] = cold["pdf_rendered"] + cold["pdf_cached"]
    return s


def problems(results: dict[str, Any]) -> list[str]:
    """What a run must never show: a rebuild without changes that rendered a PDF or ran MkDocs."""
    found = []
    for n, size in results["sizes"].items():
        s = size["summary"]
        if s.get("nochange_pdf_rendered"):
            found.append(f"{n} modules: a rebuild without changes rendered {s['nochange_pdf_rendered']} PDF(s)")
        if s.get("nochange_sites_built"):
            found.append(f"{n} modules: a rebuild without changes ran MkDocs for {s['nochange_sites_built']} site(s)")
    return found


def _f(value: Any, digits: int = 2, suffix: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}{suffix}"
    return f"{value}{suffix}"


def _pct(value: Any) -> str:
    return "–" if value is None else f"{value:.1%}"


def _label(n: str, size: dict[str, Any]) -> str:
    return f"{size['curriculum']['modules']} (this repository)" if n == "repo" else n


_STAGE_ORDER = ["load", "check", *(f"generate-{a}" for a in AUDIENCES), *(f"mkdocs-{a}" for a in AUDIENCES),
                *(f"mkdocs-plain-{a}" for a in AUDIENCES), "pdf", "weasyprint-1proc", "cold", "incremental", "nochange"]
_STAGE_NAMES = {"mkdocs-plain-participant": "baseline: `mkdocs build` participant",
                "mkdocs-plain-facilitator": "baseline: `mkdocs build` facilitator",
                "weasyprint-1proc": "baseline: WeasyPrint, 1 process",
                "cold": "full build, cold", "incremental": "full build, one word changed",
                "nochange": "full build, nothing changed"}


def _stage_label(stage: str, m: dict[str, Any]) -> str:
    label = _STAGE_NAMES.get(stage, stage)
    if stage in ("pdf", "weasyprint-1proc", "cold"):
        docs = m.get("documents") or (m.get("pdf_rendered", 0) + m.get("pdf_cached", 0))
        label += f" ({docs} PDFs)"
    elif stage in ("incremental", "nochange"):
        label += f" ({m['pdf_rendered']} rendered, {m['pdf_cached']} cached)"
    if stage in ("cold", "incremental", "nochange"):
        label += f"; MkDocs for {m['sites_built']} of {m['sites_built'] + m['sites_reused']} sites"
    return label


def _head(title: str, columns: list[str], text_columns: tuple[int, ...] = ()) -> list[str]:
    """The title and header of a Markdown table; numbers align right, ``text_columns`` left."""
    align = ["---" if k in text_columns else "---:" for k in range(len(columns))]
    return [f"### {title}", "", "| " + " | ".join(columns) + " |", "|" + "|".join(align) + "|"]


def stage_table(sizes: dict[str, Any]) -> list[str]:
    lines = _head("Stages (medians; each stage in its own process)",
                  ["modules", "stage", "wall s", "CPU s", "peak RSS MB (stage process / child)"], text_columns=(1, 4))
    for n, size in sizes.items():
        for stage in _STAGE_ORDER:
            m = size["stages"].get(stage)
            if not m:
                continue
            if m.get("worker_peak_mb"):
                child = f" / {m['worker_peak_mb']:.0f} (worker)"
            elif stage.startswith("mkdocs-plain-"):
                child = f" / {m['rss_children_mb']:.0f} (mkdocs)"
            else:
                child = ""
            lines.append(f"| {_label(n, size)} | {_stage_label(stage, m)} | {m['wall']:.2f} | {m['cpu']:.2f} "
                         f"| {m['rss_mb']:.0f}{child} |")
    return lines


def overhead_table(sizes: dict[str, Any]) -> list[str]:
    lines = _head("Generator overhead and PDF speed-up (medians)",
                  ["modules", "words/module", "generator s (load + check + pages)", "plain `mkdocs build` s (both sites)",
                   "MkDocs stage s (strict + link check)", "PDF stage s", "overhead ratio", "WeasyPrint 1 process s",
                   "PDF speed-up"])
    for n, size in sizes.items():
        s, c = size["summary"], size["curriculum"]
        pdf = _f(s.get("pdf_s"))
        if size.get("pdf_workshops") is not None and s.get("pdf_s") is not None:
            k = size["pdf_workshops"]
            pdf += f" ({s.get('pdf_documents')} PDFs of {k} workshop{'' if k == 1 else 's'})"
        elif s.get("pdf_s") is not None:
            pdf += f" ({s.get('pdf_documents')} PDFs)"
        lines.append(
            f"| {_label(n, size)} | {c['words_per_module']} | {_f(s.get('overhead_s'))} | {_f(s.get('mkdocs_plain_s'))} "
            f"| {_f(s.get('mkdocs_s'))} | {pdf} | {_pct(s.get('overhead_ratio'))} | {_f(s.get('weasyprint_1proc_s'))} "
            f"| {_f(s.get('pdf_speedup'), 2, '×')} |")
    return lines


def rebuild_table(sizes: dict[str, Any]) -> list[str]:
    lines = _head("Incremental builds and memory (medians)",
                  ["modules", "cold build s", "one-word rebuild s", "its PDF stage s (of cold)",
                   "its page generation s (of cold)", "pages rewritten", "PDFs rendered / cached", "no-change rebuild s",
                   "no-change PDFs rendered", "no-change MkDocs runs", "PDF worker peak MB",
                   "WeasyPrint 1 process peak MB"])
    for n, size in sizes.items():
        s = size["summary"]
        inc = pdf_inc = gen_inc = pages = rendered = "–"
        if "incremental_s" in s:
            inc = f"{s['incremental_s']:.2f} ({_pct(s['incremental_ratio'])})"
            pdf_inc = f"{_f(s.get('incremental_pdf_s'))} ({_pct(s.get('incremental_pdf_ratio'))})"
            gen_inc = f"{_f(s.get('incremental_generate_s'))} ({_pct(s.get('incremental_generate_ratio'))})"
            pages = f"{s['incremental_page_writes']} of {s['pages']}"
            rendered = f"{s['incremental_pdf_rendered']} / {s['incremental_pdf_cached']}"
        lines.append(
            f"| {_label(n, size)} | {_f(s.get('cold_s'))} | {inc} | {pdf_inc} | {gen_inc} | {pages} | {rendered} "
            f"| {_f(s.get('nochange_s'))} | {_f(s.get('nochange_pdf_rendered'))} | {_f(s.get('nochange_sites_built'))} "
            f"| {_f(s.get('pdf_worker_rss_mb'), 0)} | {_f(s.get('weasyprint_1proc_rss_mb'), 0)} |")
    return lines


def notes(results: dict[str, Any]) -> list[str]:
    sizes, m = results["sizes"], results["machine"]
    lines = ["", f"{m['cpu_count']} cores, Python {m['python']}, WeasyPrint {m['weasyprint']}, "
             f"MkDocs {m['mkdocs']}, mkdocs-material {m['mkdocs_material']}; median of {results['options']['repeat']} "
             f"run(s); load average at start {m['loadavg_start']}, at end {m.get('loadavg_end', '–')}."]
    limited = [f"{n} modules: the PDF stages render the documents of {size['pdf_workshops']} of "
               f"{size['curriculum']['workshops']} workshops only ({size['summary'].get('pdf_documents')} PDFs)"
               for n, size in sizes.items() if size.get("pdf_workshops") is not None]
    if limited:
        lines += ["", "Limited PDF stage: " + "; ".join(limited) + "."]
    lines += ["", "Overhead ratio = generator time / (plain `mkdocs build` of both sites + PDF stage). "
              "PDF speed-up = WeasyPrint in 1 process / PDF stage (same HTML). The one-word rebuild changes one "
              "word of one session text; its PDF stage and page generation are compared with the cold build's. "
              "The no-change rebuild follows it with nothing changed: it must render no PDF and run MkDocs for no "
              "site (each site is reused from the build before; the run fails otherwise). "
              "PDF worker peak = the largest render worker of the PDF stage's pool; WeasyPrint 1 process peak = one "
              "process rendering every document of the curriculum in turn. Peak RSS of a stage includes what its "
              "process loaded first (the project)."]
    return lines


def tables(results: dict[str, Any]) -> str:
    sizes = results["sizes"]
    return "\n".join(stage_table(sizes) + [""] + overhead_table(sizes) + [""] + rebuild_table(sizes) + notes(results))


def machine_info() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    def ver(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    return {"cpu_count": os.cpu_count(), "python": platform.python_version(),
            "implementation": platform.python_implementation(), "platform": platform.platform(),
            "weasyprint": ver("weasyprint"), "mkdocs": ver("mkdocs"), "mkdocs_material": ver("mkdocs-material"),
            "pydantic": ver("pydantic"), "workshopkit": ver("workshopkit"), "loadavg_start": loadavg()}


def loadavg() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def profile_tables(profiles: dict[str, Any]) -> str:
    lines = []
    for name, p in profiles.items():
        lines += [f"### Profile: cold build of {name} ({p['build_wall_s']:.1f} s, {p['pdfs']} PDFs)", "",
                  "build stage seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in p["build_seconds"].items()), "",
                  "| where (main process, cumulative) | s |", "|---|---:|"]
        lines += [f"| {k} | {v:.2f} |" for k, v in p["build_functions"].items()]
        lines += ["", f"Single-process render of the same {p['documents']} PDFs: {p['render_wall_s']:.1f} s", "",
                  "| where (WeasyPrint, cumulative) | s |", "|---|---:|"]
        lines += [f"| {k} | {v:.2f} |" for k, v in p["render_functions"].items()]
        lines += ["", "| slowest documents | HTML KB | pages | layout s | write s |", "|---|---:|---:|---:|---:|"]
        lines += [f"| {d['doc']} | {d['html_kb']} | {d['pages']} | {d['layout_s']:.2f} | {d['write_s']:.2f} |"
                  for d in p["slowest_documents"]]
        lines.append("")
    return "\n".join(lines)
