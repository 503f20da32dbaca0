"""Benchmarks: synthetic curricula of growing size, every build stage measured in a fresh process.

``scripts/bench`` (or ``python -m workshopkit.bench``) writes curricula of 10, 100 and 1000 modules
(at 1000, by default, without the sites and full builds) into a temporary folder and measures, per
stage, the wall time, the CPU time
(user + system of the process and of its children) and the peak resident memory:

* ``load``, ``check``: reading and validating the repository;
* ``generate-<audience>``: the audience gate, page generation and writing the docs folder;
* ``mkdocs-<audience>``: MkDocs on those pages, as the build runs it (strict, plus the link check);
* ``pdf``: the PDF stage as the build runs it (print HTML, cache, parallel render);

and, in the same run, two baselines:

* ``mkdocs-plain-<audience>``: the ``mkdocs build`` command on the very pages the generator wrote;
* ``weasyprint-1proc``: the very same print HTML documents rendered one after the other by
  WeasyPrint in a single process (its peak memory is that of one renderer that never restarts);

then a cold full build, an incremental build after one word of one module changed, and a
rebuild without changes (which must render no PDF). Each measurement runs in a new Python
process, so peak memory (``ru_maxrss``) is per stage; the process does the stage's prerequisites
(e.g. loading the project) before the measurement starts. Results are the medians of
``--repeat`` runs; they go to stdout as Markdown tables and to ``<out>/results.json``.

``--profile`` runs cProfile on a cold build of the repository itself and of the 100-module
curriculum, and on a single-process render of their PDFs, and reports where the time goes.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULT_MARK = "WORKSHOPKIT-BENCH-RESULT "
AUDIENCES = ("participant", "facilitator")
STAGE_GROUPS = ("load", "check", "generate", "mkdocs", "mkdocs-plain", "pdf", "weasyprint-1proc", "incremental")
#: Names that stand for several groups.
STAGE_ALIASES = {"baselines": ("mkdocs-plain", "weasyprint-1proc"), "all": STAGE_GROUPS}
DEFAULT_SIZES = (10, 100, 1000)
#: From this size the default run measures only the stages that scale (no sites, no full builds):
#: MkDocs with Material grows faster than linearly with the number of pages.
SCALE_FROM = 1000
SCALE_STAGES = ("load", "check", "generate", "pdf", "weasyprint-1proc")
#: From this many modules on, the PDF stage renders the documents of a few workshops only
#: (unless --pdf-workshops says otherwise): a thousand handouts take many minutes per run.
PDF_LIMIT_FROM = 1000
PDF_LIMIT_DEFAULT = 2
FIXED_EPOCH = "1767225600"  # 2026-01-01: print documents carry a date; keep it fixed across runs
EDIT_FROM = "This is the first version of this text."
EDIT_TO = "This is the second version of this text."


class BenchError(RuntimeError):
    pass


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# ============================================================================================
# Synthetic curricula

_WORDS = """
safety consent referral dignity support service caseworker counsellor participant facilitator
person family community trust listening information choice need needs risk protection
confidentiality record follow-up plan goal agency partner clinic shelter interpreter language
culture stress recovery resilience practice skill question answer example case situation group
pair discussion reflection step steps contact contacts role boundary respect feedback help
health housing income documents rights law policy procedure screening assessment options
priority priorities barrier barriers access guidance checklist timeline meeting appointment
local regional national colleague supervisor team network resource resources approach method
calm clear simple honest careful patient practical kind gentle early safe urgent common
notice offer explain agree check ask listen write share discuss compare describe decide prepare
review plan adapt invite explore remember respond link refer protect respect include involve
""".split()
_TOPICS = ["referral", "consent", "listening", "screening", "wellbeing", "interviewing", "housing",
           "health", "rights", "integration", "recovery", "coordination", "language", "employment",
           "education", "family", "community", "records", "safety", "ethics"]
_TRACKS = ["foundations", "service-providers", "training-of-trainers", "humanitarian-dprk"]
_METHODS = ["presentation", "discussion", "group-work", "reflection"]


class Prose:
    """Deterministic filler prose; counts the words it produced."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.words = 0

    def sentence(self, n: int | None = None) -> str:
        n = n or self.rng.randint(8, 16)
        words = [self.rng.choice(_WORDS) for _ in range(n)]
        self.words += n
        return " ".join(words).capitalize() + "."

    def text(self, n: int) -> str:
        """About ``n`` words in sentences."""
        out: list[str] = []
        left = n
        while left > 0:
            k = min(left, self.rng.randint(8, 16))
            k = max(k, 3)
            out.append(self.sentence(k))
            left -= k
        return " ".join(out)

    def para(self, n: int, width: int = 96) -> str:
        """About ``n`` words, wrapped like an author's Markdown."""
        import textwrap

        return "\n".join(textwrap.wrap(self.text(n), width))


def _yaml_block(text: str, indent: int) -> str:
    pad = " " * indent
    return "|\n" + "\n".join(pad + line for line in text.split("\n"))


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def find_repo_root(start: Path | None = None) -> Path:
    """The workshopkit repository (for its mkdocs.yml, bibliography, glossary and seeds)."""
    candidates = [start] if start else []
    candidates += [Path.cwd(), *Path.cwd().parents, Path(__file__).resolve().parents[2]]
    for c in candidates:
        if c and (c / "mkdocs.yml").is_file() and (c / "curriculum" / "sources").is_dir():
            return c.resolve()
    raise BenchError("cannot find the workshopkit repository (mkdocs.yml and curriculum/sources); pass --root")


def _source_ids(root: Path) -> list[str]:
    import yaml

    ids: list[str] = []
    for path in sorted((root / "curriculum" / "sources").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        ids += [s["id"] for s in data.get("sources", []) if isinstance(s, dict) and "id" in s]
    for path in sorted((root / "seeds").glob("*.yml")):
        ids.append(path.stem)
    return ids


def workshops_for(n_modules: int) -> int:
    """A few workshops: 1 for a handful of modules, 2 at 10, 3 at 100, 4 at 1000."""
    return max(1, min(5, 1 + int(math.log10(max(1, n_modules)))))


def module_id(i: int) -> str:
    return f"m{i + 1:04d}-{_TOPICS[i % len(_TOPICS)]}"


def write_module(folder: Path, i: int, source_ids: list[str], words: int = 1500) -> int:
    """Write one module: 3 sessions × 4 activities, 1 handout, 6 items; returns its word count."""
    p = Prose(1000 + i)
    scale = words / 1500 * 0.93  # titles and fixed phrases make up the rest

    def w(n: int) -> int:
        return max(3, round(n * scale))

    mid = module_id(i)
    topic = _TOPICS[i % len(_TOPICS)]
    (folder / "sessions").mkdir(parents=True, exist_ok=True)
    (folder / "handouts").mkdir(parents=True, exist_ok=True)
    refs = [source_ids[(i + k) % len(source_ids)] for k in range(2)]
    verbs = ["Explain", "Apply", "Describe"]
    y: list[str] = [
        "# Synthetic module written by workshopkit.bench",
        f"id: {mid}",
        f"title: {_q(f'{topic.capitalize()} in practice, part {i + 1}')}",
        f"summary: {_yaml_block(p.para(w(40)), 2)}",
        f"aim: {_q(p.sentence(w(14)))}",
        'version: "1.0"',
        "status: draft",
        "audience: [caseworkers, counsellors, volunteers]",
        "level: introductory",
        f"track: {_TRACKS[i % len(_TRACKS)]}",
    ]
    if i % 7 == 3:
        y.append(f"prerequisites: [{module_id(i - 1)}]")
    y.append("learning_objectives:")
    for k, verb in enumerate(verbs, start=1):
        rest = p.text(w(11))
        y += [f"  - id: lo{k}", f"    text: {_q(verb + ' ' + rest[0].lower() + rest[1:])}"]
    y.append("key_messages:")
    y += [f"  - {_q(p.sentence(w(10)))}" for _ in range(3)]
    y += ["content_warnings:", "  tags: []", "sources:"]
    y += [f"  - ref: {r}\n    pinpoint: ch. {k + 1}" for k, r in enumerate(refs)]
    y += ["facilitator:", f"  background: {_yaml_block(p.para(w(55)), 4)}", "  preparation:"]
    y += [f"    - {_q(p.sentence(w(9)))}" for _ in range(2)]
    y.append("sessions:")
    minutes = [(15, "core"), (20, "core"), (15, "core"), (10, "extension")]
    for s in range(1, 4):
        y += [f"  - id: s{s}", f"    title: {_q(p.sentence(5)[:-1])}", "    minutes: 60",
              f"    objectives: [lo{s}]", f"    summary: {_yaml_block(p.para(w(25)), 6)}",
              "    materials: [Flipchart, Markers, Printed handout]", "    preparation:",
              f"      - {_q(p.sentence(w(8)))}", "    key_messages:",
              f"      - {_q(p.sentence(w(10)))}", f"      - {_q(p.sentence(w(10)))}",
              f"    facilitator_notes: {_yaml_block(p.para(w(30)), 6)}", "    activities:"]
        # The first activity's participant text is a Markdown file (as in the real modules).
        link = "\n\nKeep [the reading](../handouts/h1.md) beside you for this session." if s == 1 else ""
        session_md = (f"{EDIT_FROM} {p.para(w(35))}\n\n**Key points**\n\n"
                      + "\n".join(f"- {p.sentence(w(7))}" for _ in range(3))
                      + f"{link}\n\n/// facilitator\n{p.para(w(15))}\n///\n")
        (folder / "sessions" / f"s{s}.md").write_text(session_md, encoding="utf-8")
        for a, (mins, variant) in enumerate(minutes, start=1):
            variant = variant if s == 2 else "core"
            y += [f"      - id: a{a}", f"        title: {_q(p.sentence(4)[:-1])}",
                  f"        method: {_METHODS[a - 1]}", f"        minutes: {mins}"]
            if variant != "core":
                y.append(f"        variant: {variant}")
            if a == 1:
                y.append(f"        participant: sessions/s{s}.md")
            else:
                y.append(f"        participant: {_yaml_block(p.para(w(18)), 10)}")
            y.append(f"        facilitator: {_yaml_block(p.para(w(24)), 10)}")
            if s == 1 and a == 2:
                y.append("        handout: h1")
    y += ["handouts:", "  - id: h1", f"    title: {_q(topic.capitalize() + ': a short reading')}",
          "    kind: reading", "    file: handouts/h1.md", "    sources:", f"      - ref: {refs[0]}"]
    rows = "\n".join(f"| {p.sentence(3)[:-1]} | {p.sentence(w(6))} |" for _ in range(4))
    handout = (f"## {p.sentence(4)[:-1]}\n\n{p.para(w(80))}\n\n"
               + "\n".join(f"- {p.sentence(w(8))}" for _ in range(4))
               + f"\n\n| Step | What to do |\n|---|---|\n{rows}\n\n## {p.sentence(3)[:-1]}\n\n{p.para(w(70))}\n")
    (folder / "handouts" / "h1.md").write_text(handout, encoding="utf-8")
    y.append("assessment:")
    kinds = ["single", "single", "multiple", "true-false", "open", "open"]
    for q, kind in enumerate(kinds, start=1):
        y += [f"  - id: q{q}", f"    objective: lo{(q - 1) % 3 + 1}", f"    type: {kind}",
              f"    prompt: {_q(p.sentence(w(12))[:-1] + '?')}"]
        if kind in ("single", "multiple"):
            y.append("    options:")
            y += [f"      {k}: {_q(p.sentence(w(5)))}" for k in "abcd"]
            y.append("    answer: b" if kind == "single" else "    answer: [a, c]")
        elif kind == "true-false":
            y.append('    answer: "true"')
        else:
            y.append(f"    answer: {_q(p.sentence(w(10)))}")
        y.append(f"    explanation: {_q(p.sentence(w(9)))}")
    (folder / "module.yml").write_text("\n".join(y) + "\n", encoding="utf-8")
    return p.words


def write_workshop(path: Path, k: int, modules: list[str]) -> None:
    """A workshop over ``modules``: every session, six per day, with breaks and a lunch."""
    refs = [f"{m}/s{s}" for m in modules for s in (1, 2, 3)]
    y = [f"id: {path.stem}", f"title: {_q(f'Synthetic workshop {k + 1}')}",
         "summary: A workshop generated by the benchmark.", "audience: [caseworkers]", "participants: 20",
         "venue: Seoul", "mode: on-site", f"start_date: 2027-0{1 + k % 9}-04",
         "facilitators:", "  - name: Lead facilitator", "    role: lead", "days:"]
    for d in range(0, len(refs), 6):
        y += [f"  - title: Day {d // 6 + 1}", '    start: "08:30"', '    end: "17:30"', "    slots:",
              "      - title: Opening", "        kind: opening", "        minutes: 15"]
        for j, ref in enumerate(refs[d:d + 6]):
            y += [f"      - session: {ref}", f"        variant: {'core' if j % 2 else 'full'}"]
            if j in (0, 4) and d + j + 1 < min(len(refs), d + 6):
                y += ["      - break: 15", "        title: Break"]
            elif j == 2 and d + j + 1 < min(len(refs), d + 6):
                y += ["      - break: 60", "        title: Lunch"]
        y += ["      - title: Check-out", "        kind: closing", "        minutes: 15"]
    path.write_text("\n".join(y) + "\n", encoding="utf-8")


def make_curriculum(dest: Path, n_modules: int, repo: Path, n_workshops: int | None = None,
                    words: int = 1500) -> dict[str, Any]:
    """Write a synthetic repository with ``n_modules`` modules into ``dest``."""
    t0 = time.perf_counter()
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "modules").mkdir(parents=True)
    (dest / "curriculum").mkdir()
    shutil.copy2(repo / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copytree(repo / "curriculum" / "sources", dest / "curriculum" / "sources")
    if (repo / "curriculum" / "glossary.yml").is_file():
        shutil.copy2(repo / "curriculum" / "glossary.yml", dest / "curriculum" / "glossary.yml")
    shutil.copytree(repo / "seeds", dest / "seeds")
    sources = _source_ids(repo)
    total_words = 0
    for i in range(n_modules):
        total_words += write_module(dest / "modules" / module_id(i), i, sources, words)
    if (repo / "curriculum" / "curriculum.yml").is_file():
        # The curriculum index (home page text, tracks in order), as the repository has one.
        y = ["title: Synthetic curriculum", "summary: |", "  A curriculum generated by the benchmark.", "tracks:"]
        for t, track in enumerate(_TRACKS):
            ids = [module_id(i) for i in range(t, n_modules, len(_TRACKS))]
            if ids:
                y += [f"  - id: {track}", f"    title: {_q(track.replace('-', ' ').capitalize())}",
                      f"    modules: [{', '.join(ids)}]"]
        (dest / "curriculum" / "curriculum.yml").write_text("\n".join(y) + "\n", encoding="utf-8")
    n_workshops = n_workshops or workshops_for(n_modules)
    per = min(4, n_modules)
    step = max(1, (n_modules - per) // max(1, n_workshops - 1)) if n_workshops > 1 else 0
    for k in range(n_workshops):
        first = min(k * step, n_modules - per)
        write_workshop(dest / "curriculum" / f"workshop-{k + 1:02d}.yml", k,
                       [module_id(j) for j in range(first, first + per)])
    return {"modules": n_modules, "workshops": n_workshops, "modules_per_workshop": per,
            "words_per_module": round(total_words / max(1, n_modules)),
            "seconds_to_generate": round(time.perf_counter() - t0, 3)}


def edit_target(root: Path) -> Path:
    """The session text that the incremental run edits: a module the first workshop uses."""
    return root / "modules" / module_id(0) / "sessions" / "s1.md"


# ============================================================================================
# Limiting the PDF stage to the documents of a few workshops


def limit_views(views: dict[str, Any], n_workshops: int | None) -> dict[str, Any]:
    """Views with only the first ``n_workshops`` workshops and the modules they use."""
    if n_workshops is None:
        return views
    import dataclasses

    out = {}
    for name, v in views.items():
        wvs = v.workshops[:n_workshops]
        used = {mid for wv in wvs for mid in wv.modules}
        out[name] = dataclasses.replace(v, workshops=wvs, modules=[m for m in v.modules if m.id in used])
    return out


def limit_pdf_documents(n_workshops: int | None) -> None:
    """Make the PDF stage of this process render the documents of the first workshops only.

    The build's own code path stays as it is (e.g. PDFs rendering while the sites build): only
    the list of documents is cut, so the measurement is of the real stage on fewer documents.
    """
    if n_workshops is None:
        return
    from .pdf import build as pdf_build

    original = pdf_build.document_specs
    if getattr(original, "bench_limited", False):
        return

    def limited(project: Any, views: dict[str, Any], *args: Any, **kw: Any) -> Any:
        return original(project, limit_views(views, n_workshops), *args, **kw)

    limited.bench_limited = True  # type: ignore[attr-defined]
    pdf_build.document_specs = limited  # type: ignore[assignment]


def pdf_seconds(seconds: dict[str, float]) -> float | None:
    """The PDF stage's time in a BuildReport: 'pdf', or preparation + rendering (or waiting)."""
    if "pdf" in seconds:
        return seconds["pdf"]
    if "pdf-prepare" in seconds or "pdf-render" in seconds or "pdf-wait" in seconds:
        return seconds.get("pdf-prepare", 0.0) + seconds.get("pdf-render", seconds.get("pdf-wait", 0.0))
    return None


def print_documents(project: Any, views: dict[str, Any], config: Any, out_dir: Path,
                    n_workshops: int | None, paper: str = "A4") -> tuple[list[Any], str, str, Path]:
    """The print documents of a build exactly as the PDF stage makes them (HTML, TOC, cache key)."""
    import weasyprint

    from . import __version__
    from .pdf.build import documents, fonts_key
    from .pdf.html import PrintGenerator, css_text, digest
    from .pdf.render import add_toc
    from .strings import load_strings

    strings = load_strings("en")
    assets = out_dir / ".cache" / "print-assets"
    assets.mkdir(parents=True, exist_ok=True)
    gen = PrintGenerator(config, strings, project.root, assets, paper=paper)
    docs = documents(project.root, limit_views(views, n_workshops), gen, False)
    css = css_text(strings, paper)
    fixed = digest(css, fonts_key(), __version__, weasyprint.__version__, paper)
    for doc in docs:
        doc.html = add_toc(doc.html)
    return docs, css, fixed, assets


# ============================================================================================
# The child side: one measured stage in this process


def _snapshot() -> tuple[float, Any, Any]:
    return (time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN))


def _cpu(r: Any) -> float:
    return float(r.ru_utime + r.ru_stime)


def _descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (Linux /proc)."""
    out: list[int] = []
    todo = [pid]
    while todo:
        p = todo.pop()
        kids: list[int] = []
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                kids += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            continue
        out += kids
        todo += kids
    return out


class WorkerWatch:
    """Samples the peak RSS (VmHWM) of this process's PDF worker processes while a stage runs.

    ``ru_maxrss`` of RUSAGE_CHILDREN is not the worker's own peak: a child started with fork +
    exec keeps the parent's RSS at the fork as its maximum. VmHWM belongs to the worker's own
    address space; sampled every ``interval`` seconds, the last value seen of each worker is its
    peak up to at most that long before it exited.
    """

    def __init__(self, interval: float = 0.1):
        import threading

        self.interval = interval
        self.peaks: dict[int, int] = {}  # pid -> VmHWM in KiB
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WorkerWatch:
        if Path("/proc/self/task").is_dir():
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        for pid in _descendants(os.getpid()):
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
                if b"spawn_main" not in cmd and b"forkserver" not in cmd:
                    continue  # not a pool worker (fc-list, the resource tracker, mkdocs …)
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.peaks[pid] = max(self.peaks.get(pid, 0), int(line.split()[1]))
            except (OSError, ValueError):
                continue


def measure(fn: Callable[[], dict[str, Any] | None]) -> dict[str, Any]:
    """Run ``fn`` and return its wall time, CPU time and peak memory (plus what it returns)."""
    import gc

    gc.collect()
    with WorkerWatch() as watch:
        w0, s0, c0 = _snapshot()
        extra = fn() or {}
        w1, s1, c1 = _snapshot()
    workers = sorted(watch.peaks.values())
    return {
        # PDF render workers seen (a pool replaces its workers every few documents) and the
        # largest peak RSS of one of them
        "workers_seen": len(workers),
        "worker_peak_mb": workers[-1] / 1024 if workers else 0.0,
        "worker_peaks_mb": [round(k / 1024, 1) for k in workers],
        "wall": w1 - w0,
        "cpu_self": _cpu(s1) - _cpu(s0),
        "cpu_children": _cpu(c1) - _cpu(c0),
        "cpu": (_cpu(s1) - _cpu(s0)) + (_cpu(c1) - _cpu(c0)),
        # ru_maxrss is in KiB on Linux; it is the peak of the whole process (prerequisites too)
        "rss_mb": s1.ru_maxrss / 1024,
        "rss_before_mb": s0.ru_maxrss / 1024,
        # the largest child waited for in this process's life (a forked child counts the parent's
        # RSS at the fork; see WorkerWatch for the render workers' own peaks)
        "rss_children_mb": c1.ru_maxrss / 1024,
        **extra,
    }


def _noop(_msg: str) -> None:
    pass


def child(spec: dict[str, Any]) -> dict[str, Any]:  # noqa: C901 - one branch per stage measured, each a few lines
    """Run one stage as described by ``spec`` and measure it."""
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    stage: str = spec["stage"]
    root = Path(spec["root"])
    out = Path(spec["out"])
    workers = spec.get("workers")
    n_ws = spec.get("pdf_workshops")
    aud = spec.get("audience", "")

    if stage == "load":
        from .load import load_project

        def run() -> dict[str, Any]:
            project, diags = load_project(root)
            return {"modules": len(project.modules), "texts": len(project.texts)}
        return measure(run)

    if stage == "check":
        from .check import run_checks
        from .load import load_project

        project, diags = load_project(root)

        def run() -> dict[str, Any]:
            all_diags = sorted(set(diags + run_checks(project)), key=lambda d: (d.path, d.line, d.col, d.message))
            errors = [d for d in all_diags if d.severity == "error"]
            if errors:
                raise BenchError("the curriculum has errors:\n" + "\n".join(map(str, errors[:20])))
            return {"warnings": len(all_diags)}
        return measure(run)

    if stage.startswith("generate-"):
        from .build import BuildOptions, load_checked, views_for
        from .guide import editor_guide
        from .markdown import load_site_config
        from .site.generate import SiteGenerator
        from .site.mkdocs_adapter import derive_config, write_docs
        from .strings import load_strings

        project, _ = load_checked(root)
        config = load_site_config(root)
        opts = BuildOptions(root=root, out=out, audiences=(aud,))

        def run() -> dict[str, Any]:
            strings = load_strings("en")
            v = views_for(project, opts)[aud]
            guide = editor_guide() if aud == "facilitator" else None
            files = SiteGenerator(v, config, project.root, strings, editor_guide=guide).generate()
            suffix = strings["facilitator_edition"] if aud == "facilitator" else strings["participant_manual"]
            cfg = derive_config(config, files, aud, suffix)
            writes = write_docs(files, out / ".gen" / aud, cfg)
            return {"pages": len(files.pages), "page_writes": writes}
        return measure(run)

    if stage.startswith("mkdocs-plain-"):
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

    if stage.startswith("mkdocs-"):
        from .site.linkcheck import site_problems
        from .site.mkdocs_adapter import run_mkdocs

        gen_dir = out / ".gen" / aud
        site_dir = out / "bench-site" / aud

        def run() -> dict[str, Any]:
            run_mkdocs(gen_dir, site_dir)
            broken = site_problems(site_dir)[0]
            if broken:
                raise BenchError(f"broken links in the {aud} site: {broken[:5]}")
            return {"html_files": sum(1 for _ in site_dir.rglob("*.html"))}
        return measure(run)

    if stage == "pdf":
        from .build import BuildOptions, BuildReport, load_checked, views_for
        from .markdown import load_site_config

        project, _ = load_checked(root)
        config = load_site_config(root)
        opts = BuildOptions(root=root, out=out, workers=workers)
        views = views_for(project, opts)
        stage_dir = out / ".bench-pdf"
        stage_dir.mkdir(parents=True, exist_ok=True)
        report = BuildReport()
        limit_pdf_documents(n_ws)
        from .pdf.build import build_pdfs

        def run() -> dict[str, Any]:
            build_pdfs(project.root, views, config, opts, stage_dir, report, _noop)
            return {}
        result = measure(run)
        result.update(pdf_rendered=len(report.pdf_rendered), pdf_cached=len(report.pdf_cached),
                      render_s=report.seconds.get("pdf-render", 0.0))
        result["prepare_s"] = result["wall"] - result["render_s"]
        # Save the very same print HTML for the single-process baseline (not measured).
        from .pdf.build import html_key

        docs, css, fixed, assets = print_documents(project, views, config, out, n_ws)
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
        result["documents"] = len(docs)
        result["same_html_as_stage"] = all(m["cached"] for m in manifest)
        return result

    if stage == "weasyprint-1proc":
        return _render_single_process(out, spec.get("render_dir") or str(out / "bench-1proc"))

    if stage in ("cold", "incremental", "nochange"):
        from .build import BuildOptions, run_build

        opts = BuildOptions(root=root, out=out / "build", workers=workers)
        holder: dict[str, Any] = {}
        limit_pdf_documents(n_ws)

        def run() -> dict[str, Any]:
            holder["report"] = run_build(opts)
            return {}
        result = measure(run)
        report = holder["report"]
        result.update(pdf_rendered=len(report.pdf_rendered), pdf_cached=len(report.pdf_cached),
                      pages=sum(report.pages.values()), page_writes=sum(report.page_writes.values()),
                      page_writes_by_audience=dict(report.page_writes),
                      seconds={k: round(v, 4) for k, v in report.seconds.items()})
        return result

    raise BenchError(f"unknown stage {stage!r}")


def _render_single_process(out: Path, render_dir: str) -> dict[str, Any]:
    """Render the saved print HTML with WeasyPrint, one document after the other, in this process.

    The same stylesheet, font configuration, image cache and URL fetcher as a build's worker,
    set up once; each document is laid out (``HTML.render``) and written (``write_pdf``, which
    draws the pages, subsets the fonts and serialises the PDF), timed separately.
    """
    from weasyprint import HTML

    from .pdf import render

    html_dir = out / "bench-html"
    manifest = json.loads((html_dir / "manifest.json").read_text(encoding="utf-8"))
    css = (html_dir / "print.css").read_text(encoding="utf-8")
    base_url = Path(manifest["assets"]).as_uri() + "/"
    docs = sorted(manifest["docs"], key=lambda d: d["bytes"], reverse=True)  # as render_all does
    dest = Path(render_dir)
    dest.mkdir(parents=True, exist_ok=True)
    per_doc: list[dict[str, Any]] = []

    def run() -> dict[str, Any]:
        render._init(css, str(out))
        state = render._STATE
        for d in docs:
            html = (html_dir / d["file"]).read_text(encoding="utf-8")
            t0 = time.perf_counter()
            document = HTML(string=html, base_url=base_url, url_fetcher=state["fetcher"]).render(
                stylesheets=state["css"], font_config=state["fonts"], cache=state["cache"], pdf_tags=True)
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


# ============================================================================================
# The parent side: curricula, runs, medians, tables


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["SOURCE_DATE_EPOCH"] = FIXED_EPOCH
    env.setdefault("NO_MKDOCS_2_WARNING", "1")
    env.setdefault("DISABLE_MKDOCS_2_WARNING", "true")
    src = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def run_child(spec: dict[str, Any], timeout: float = 7200) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "workshopkit.bench", "--child", json.dumps(spec)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_child_env(), timeout=timeout, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            result: dict[str, Any] = json.loads(line[len(RESULT_MARK):])
            return result
    raise BenchError(f"stage {spec['stage']} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")


def expand_stages(selected: list[str]) -> list[str]:
    """The stage groups to run, with the groups they need."""
    want: set[str] = set()
    for name in selected:
        want.update(STAGE_ALIASES.get(name, (name,)))
    unknown = want - set(STAGE_GROUPS)
    if unknown:
        raise BenchError(f"unknown stage(s) {', '.join(sorted(unknown))}; choose from "
                         f"{', '.join(STAGE_GROUPS + tuple(STAGE_ALIASES))}")
    if "mkdocs" in want or "mkdocs-plain" in want:
        want.add("generate")  # they build the pages that the generate stage writes
    if "weasyprint-1proc" in want:
        want.add("pdf")  # it renders the print HTML that the PDF stage saves
    return [g for g in STAGE_GROUPS if g in want]


def copy_repository(repo: Path, dest: Path) -> dict[str, Any]:
    """Copy the repository's own curriculum (content only) for a run that may edit it."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in ("modules", "curriculum", "seeds"):
        if (repo / name).is_dir():
            shutil.copytree(repo / name, dest / name)
    shutil.copy2(repo / "mkdocs.yml", dest / "mkdocs.yml")
    modules = [p for p in (dest / "modules").iterdir() if (p / "module.yml").is_file()]
    words = sum(len(p.read_text(encoding="utf-8").split()) for m in modules for p in m.rglob("*")
                if p.suffix in (".md", ".yml"))
    return {"modules": len(modules), "workshops": len([p for p in (dest / "curriculum").glob("*.yml")
                                                        if p.name not in ("glossary.yml", "curriculum.yml")]),
            "words_per_module": round(words / max(1, len(modules))), "repository": str(repo)}


def repo_edit_target(root: Path) -> tuple[Path, str, str]:
    """A session text of the repository's curriculum and a one-word change to it."""
    for path in sorted((root / "modules").glob("*/sessions/*.md")):
        text = path.read_text(encoding="utf-8")
        if " the " in text:
            return path, " the ", " this "
    raise BenchError("no session text to edit in the repository's modules")


def bench_size(n: int | str, repo: Path, work: Path, args: argparse.Namespace, groups: list[str]) -> dict[str, Any]:  # noqa: C901 - the stages of one size in order
    root = work / f"curriculum-{n}"
    if n == "repo":
        log("the repository's own curriculum: copying it")
        info = copy_repository(repo, root)
        target, edit_from, edit_to = repo_edit_target(root)
        pdf_limit = args.pdf_workshops
    else:
        assert isinstance(n, int)
        n_ws = workshops_for(n) if not args.workshops else args.workshops
        log(f"{n} modules: writing the synthetic curriculum")
        info = make_curriculum(root, n, repo, n_ws, words=args.words)
        target, edit_from, edit_to = edit_target(root), EDIT_FROM, EDIT_TO
        pdf_limit = args.pdf_workshops
        if pdf_limit is None and n >= PDF_LIMIT_FROM:
            pdf_limit = PDF_LIMIT_DEFAULT
    if pdf_limit is not None and pdf_limit >= info["workshops"]:
        pdf_limit = None
    runs: dict[str, list[dict[str, Any]]] = {}
    original = target.read_text(encoding="utf-8")
    info["edited"] = str(target.relative_to(root))
    for r in range(args.repeat):
        out = work / f"out-{n}-{r}"
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        base = {"root": str(root), "out": str(out), "workers": args.workers, "pdf_workshops": pdf_limit}
        plan: list[dict[str, Any]] = []
        if "load" in groups:
            plan.append({"stage": "load"})
        if "check" in groups:
            plan.append({"stage": "check"})
        if "generate" in groups:
            plan += [{"stage": f"generate-{a}", "audience": a} for a in AUDIENCES]
        if "mkdocs" in groups:
            plan += [{"stage": f"mkdocs-{a}", "audience": a} for a in AUDIENCES]
        if "mkdocs-plain" in groups:
            plan += [{"stage": f"mkdocs-plain-{a}", "audience": a} for a in AUDIENCES]
        if "pdf" in groups:
            plan.append({"stage": "pdf"})
        if "weasyprint-1proc" in groups:
            plan.append({"stage": "weasyprint-1proc"})
        for step in plan:
            log(f"{n} modules, run {r + 1}/{args.repeat}: {step['stage']}")
            runs.setdefault(step["stage"], []).append(run_child({**base, **step}))
        if "incremental" in groups:
            try:
                for stage in ("cold", "incremental", "nochange"):
                    if stage == "incremental":
                        if edit_from not in original:
                            raise BenchError(f"{target}: the text to edit is missing")
                        target.write_text(original.replace(edit_from, edit_to, 1), encoding="utf-8")
                    log(f"{n} modules, run {r + 1}/{args.repeat}: {stage} build")
                    runs.setdefault(stage, []).append(run_child({**base, "stage": stage}))
            finally:
                target.write_text(original, encoding="utf-8")
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
    return {"curriculum": info, "pdf_workshops": pdf_limit, "runs": runs,
            "stages": {k: median_of(v) for k, v in runs.items()}}


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


def summarise(size: dict[str, Any]) -> dict[str, Any]:
    st = size["stages"]

    def get(stage: str, key: str = "wall") -> Any:
        return st.get(stage, {}).get(key)
    s: dict[str, Any] = {}

    def total(*stages: str) -> float | None:
        vals = [get(x) for x in stages]
        return None if any(v is None for v in vals) else float(sum(vals))

    s["overhead_s"] = total("load", "check", *(f"generate-{a}" for a in AUDIENCES))
    s["mkdocs_s"] = total(*(f"mkdocs-{a}" for a in AUDIENCES))
    s["mkdocs_plain_s"] = total(*(f"mkdocs-plain-{a}" for a in AUDIENCES))
    s["pdf_s"] = get("pdf")
    s["pdf_render_s"] = get("pdf", "render_s")
    s["pdf_prepare_s"] = get("pdf", "prepare_s")
    s["weasyprint_1proc_s"] = get("weasyprint-1proc")
    s["pdf_documents"] = get("pdf", "documents") or get("weasyprint-1proc", "documents")

    def ratio(a: Any, b: Any) -> float | None:
        return None if a is None or not b else a / b

    if s["mkdocs_plain_s"] is not None and s["pdf_s"] is not None:
        s["overhead_ratio"] = ratio(s["overhead_s"], s["mkdocs_plain_s"] + s["pdf_s"])
    if s["mkdocs_plain_s"] is not None and s["weasyprint_1proc_s"] is not None:
        s["overhead_ratio_vs_1proc"] = ratio(s["overhead_s"], s["mkdocs_plain_s"] + s["weasyprint_1proc_s"])
    s["mkdocs_vs_plain"] = ratio(s["mkdocs_s"], s["mkdocs_plain_s"])
    s["pdf_speedup"] = ratio(s["weasyprint_1proc_s"], s["pdf_s"])
    s["pdf_render_speedup"] = ratio(s["weasyprint_1proc_s"], s["pdf_render_s"])
    s["pdf_worker_rss_mb"] = get("pdf", "worker_peak_mb")
    s["pdf_workers_seen"] = get("pdf", "workers_seen")
    s["pdf_parent_rss_mb"] = get("pdf", "rss_mb")
    s["weasyprint_1proc_rss_mb"] = get("weasyprint-1proc", "rss_mb")
    s["pdf_layout_s"] = get("weasyprint-1proc", "layout_s")
    s["pdf_write_s"] = get("weasyprint-1proc", "write_s")
    cold, inc, same = st.get("cold"), st.get("incremental"), st.get("nochange")
    if cold and inc and same:
        s["cold_s"] = cold["wall"]
        s["incremental_s"] = inc["wall"]
        s["incremental_ratio"] = ratio(inc["wall"], cold["wall"])
        cold_pdf, inc_pdf = pdf_seconds(cold["seconds"]), pdf_seconds(inc["seconds"])
        s["incremental_pdf_s"] = inc_pdf
        s["incremental_pdf_ratio"] = ratio(inc_pdf, cold_pdf)
        cold_gen = sum(v for k, v in cold["seconds"].items() if k.startswith("generate-"))
        inc_gen = sum(v for k, v in inc["seconds"].items() if k.startswith("generate-"))
        s["incremental_generate_s"] = inc_gen
        s["incremental_generate_ratio"] = ratio(inc_gen, cold_gen)
        s["pages"] = cold["pages"]
        s["incremental_page_writes"] = inc["page_writes"]
        s["incremental_pdf_rendered"] = inc["pdf_rendered"]
        s["incremental_pdf_cached"] = inc["pdf_cached"]
        s["nochange_s"] = same["wall"]
        s["nochange_pdf_rendered"] = same["pdf_rendered"]
        s["nochange_page_writes"] = same["page_writes"]
        s["cold_pdfs"] = cold["pdf_rendered"] + cold["pdf_cached"]
    return s


def _f(value: Any, digits: int = 2, suffix: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}{suffix}"
    return f"{value}{suffix}"


def _pct(value: Any) -> str:
    return "–" if value is None else f"{value:.1%}"


def tables(results: dict[str, Any]) -> str:
    sizes = results["sizes"]
    def _label(n: str, size: dict[str, Any]) -> str:
        return f"{size['curriculum']['modules']} (this repository)" if n == "repo" else n

    lines = ["### Stages (medians; each stage in its own process)", "",
             "| modules | stage | wall s | CPU s | peak RSS MB (stage process / child) |",
             "|---:|---|---:|---:|---|"]
    order = ["load", "check", *(f"generate-{a}" for a in AUDIENCES), *(f"mkdocs-{a}" for a in AUDIENCES),
             *(f"mkdocs-plain-{a}" for a in AUDIENCES), "pdf", "weasyprint-1proc", "cold", "incremental", "nochange"]
    names = {"mkdocs-plain-participant": "baseline: `mkdocs build` participant",
             "mkdocs-plain-facilitator": "baseline: `mkdocs build` facilitator",
             "weasyprint-1proc": "baseline: WeasyPrint, 1 process",
             "cold": "full build, cold", "incremental": "full build, one word changed",
             "nochange": "full build, nothing changed"}
    for n, size in sizes.items():
        for stage in order:
            m = size["stages"].get(stage)
            if not m:
                continue
            label = names.get(stage, stage)
            if stage in ("pdf", "weasyprint-1proc") or (stage in ("cold", "incremental", "nochange")):
                docs = m.get("documents") or (m.get("pdf_rendered", 0) + m.get("pdf_cached", 0))
                label += f" ({docs} PDFs)" if stage != "nochange" and stage != "incremental" else \
                    f" ({m['pdf_rendered']} rendered, {m['pdf_cached']} cached)"
            if m.get("worker_peak_mb"):
                child = f" / {m['worker_peak_mb']:.0f} (worker)"
            elif stage.startswith("mkdocs-plain-"):
                child = f" / {m['rss_children_mb']:.0f} (mkdocs)"
            else:
                child = ""
            lines.append(f"| {_label(n, size)} | {label} | {m['wall']:.2f} | {m['cpu']:.2f} | {m['rss_mb']:.0f}{child} |")
    lines += ["", "### Generator overhead and PDF speed-up (medians)", "",
              "| modules | words/module | generator s (load + check + pages) | plain `mkdocs build` s (both sites) "
              "| MkDocs stage s (strict + link check) | PDF stage s | overhead ratio | WeasyPrint 1 process s "
              "| PDF speed-up |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
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
    lines += ["", "### Incremental builds and memory (medians)", "",
              "| modules | cold build s | one-word rebuild s | its PDF stage s (of cold) | its page generation s "
              "(of cold) | pages rewritten | PDFs rendered / cached | no-change rebuild s | no-change PDFs rendered "
              "| PDF worker peak MB | WeasyPrint 1 process peak MB |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n, size in sizes.items():
        s = size["summary"]
        inc = "–"
        if "incremental_s" in s:
            inc = f"{s['incremental_s']:.2f} ({_pct(s['incremental_ratio'])})"
        pdf_inc = f"{_f(s.get('incremental_pdf_s'))} ({_pct(s.get('incremental_pdf_ratio'))})" if "incremental_s" in s else "–"
        gen_inc = (f"{_f(s.get('incremental_generate_s'))} ({_pct(s.get('incremental_generate_ratio'))})"
                   if "incremental_s" in s else "–")
        pages = f"{s['incremental_page_writes']} of {s['pages']}" if "pages" in s else "–"
        rendered = (f"{s['incremental_pdf_rendered']} / {s['incremental_pdf_cached']}"
                    if "incremental_pdf_rendered" in s else "–")
        lines.append(
            f"| {_label(n, size)} | {_f(s.get('cold_s'))} | {inc} | {pdf_inc} | {gen_inc} | {pages} | {rendered} "
            f"| {_f(s.get('nochange_s'))} | {_f(s.get('nochange_pdf_rendered'))} "
            f"| {_f(s.get('pdf_worker_rss_mb'), 0)} | {_f(s.get('weasyprint_1proc_rss_mb'), 0)} |")
    m = results["machine"]
    lines += ["", f"{m['cpu_count']} cores, Python {m['python']}, WeasyPrint {m['weasyprint']}, "
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
              "PDF worker peak = the largest render worker of the PDF stage's pool; WeasyPrint 1 process peak = one "
              "process rendering every document of the curriculum in turn. Peak RSS of a stage includes what its "
              "process loaded first (the project)."]
    return "\n".join(lines)


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
            "pydantic": ver("pydantic"), "workshopkit": ver("workshopkit"),
            "loadavg_start": ", ".join(f"{x:.2f}" for x in os.getloadavg())}


# ============================================================================================
# Profiles


def profile_child(spec: dict[str, Any]) -> dict[str, Any]:
    """cProfile a cold build (workers as given) and a single-process render of its PDFs."""
    import cProfile
    import io
    import pstats

    from .build import BuildOptions, load_checked, run_build, views_for
    from .markdown import load_site_config

    root = Path(spec["root"])
    out = Path(spec["out"])
    text_out = Path(spec["text"])
    n_ws = spec.get("pdf_workshops")
    result: dict[str, Any] = {"root": str(root)}
    report_text = io.StringIO()

    # 1. the cold build, profiled in the main process (the PDF workers are other processes)
    opts = BuildOptions(root=root, out=out / "build", workers=spec.get("workers"))
    limit_pdf_documents(n_ws)
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    report = run_build(opts)
    prof.disable()
    result["build_wall_s"] = time.perf_counter() - t0
    result["build_seconds"] = {k: round(v, 3) for k, v in report.seconds.items()}
    result["pdfs"] = len(report.pdf_rendered)
    stats = pstats.Stats(prof)
    result["build_functions"] = _cumulative(stats, BUILD_FUNCTIONS)
    report_text.write(f"# cold build of {root}: {result['build_wall_s']:.2f} s\n")
    report_text.write(json.dumps(result["build_seconds"], indent=1) + "\n")
    s = io.StringIO()
    pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(60)
    report_text.write(s.getvalue())

    # 2. the same PDFs rendered in this process, profiled: where does WeasyPrint spend its time?
    project, _ = load_checked(root)
    config = load_site_config(root)
    views = views_for(project, BuildOptions(root=root, out=out))
    docs, css, _fixed, assets = print_documents(project, views, config, out, n_ws)
    from weasyprint import HTML

    from .pdf import render

    render._init(css, str(out))
    state = render._STATE
    per_doc = []
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    for doc in sorted(docs, key=lambda d: len(d.html), reverse=True):
        a = time.perf_counter()
        prof.enable()
        document = HTML(string=doc.html, base_url=assets.as_uri() + "/", url_fetcher=state["fetcher"]).render(
            stylesheets=state["css"], font_config=state["fonts"], cache=state["cache"], pdf_tags=True)
        b = time.perf_counter()
        document.write_pdf(str(out / "profile.pdf"), pdf_tags=True, uncompressed_pdf=False)
        prof.disable()
        c = time.perf_counter()
        per_doc.append({"doc": doc.rel_path, "html_kb": round(len(doc.html) / 1024), "pages": len(document.pages),
                        "layout_s": round(b - a, 3), "write_s": round(c - b, 3)})
    result["render_wall_s"] = time.perf_counter() - t0
    stats = pstats.Stats(prof)
    result["render_functions"] = _cumulative(stats, RENDER_FUNCTIONS)
    result["slowest_documents"] = sorted(per_doc, key=lambda d: d["layout_s"] + d["write_s"], reverse=True)[:10]
    result["documents"] = len(per_doc)
    s = io.StringIO()
    pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(80)
    report_text.write(f"\n# single-process render of {len(per_doc)} PDFs: {result['render_wall_s']:.2f} s\n")
    report_text.write(s.getvalue())
    s = io.StringIO()
    pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(40)
    report_text.write(s.getvalue())
    text_out.write_text(report_text.getvalue(), encoding="utf-8")
    return result


#: (label, file suffix, function name) whose cumulative time the profile reports.
BUILD_FUNCTIONS = [
    ("load (YAML → models, texts)", "workshopkit/load.py", "load_project"),
    ("YAML reader", "workshopkit/yamlload.py", "load_file"),
    ("check rules", "workshopkit/check.py", "run_checks"),
    ("audience views", "workshopkit/build.py", "views_for"),
    ("build_sites", "workshopkit/build.py", "build_sites"),
    ("page generation", "workshopkit/site/generate.py", "generate"),
    ("editor guide", "workshopkit/guide.py", "editor_guide"),
    ("write docs", "workshopkit/site/mkdocs_adapter.py", "write_docs"),
    ("MkDocs build", "workshopkit/site/mkdocs_adapter.py", "run_mkdocs"),
    ("link check", "workshopkit/site/linkcheck.py", "site_problems"),
    ("PDF stage", "workshopkit/pdf/build.py", "build_pdfs"),
    ("PDF stage: prepare and start", "workshopkit/pdf/build.py", "__init__"),
    ("PDF stage: wait for the workers", "workshopkit/pdf/build.py", "finish"),
    ("print HTML documents", "workshopkit/pdf/build.py", "documents"),
    ("fonts key (fc-list)", "workshopkit/pdf/build.py", "fonts_key"),
    ("render pool (waiting)", "workshopkit/pdf/render.py", "render_all"),
    ("render pool: results", "workshopkit/pdf/render.py", "results"),
    ("Markdown → HTML (print)", "workshopkit/markdown.py", "to_html"),
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


def run_profiles(args: argparse.Namespace, repo: Path, work: Path, out_dir: Path) -> dict[str, Any]:
    targets: list[tuple[str, Path, int | None]] = [("shipped", repo, None)]
    for n in args.profile_sizes:
        root = work / f"profile-curriculum-{n}"
        make_curriculum(root, n, repo, args.workshops or workshops_for(n), words=args.words)
        limit = args.pdf_workshops if args.pdf_workshops is not None else (PDF_LIMIT_DEFAULT if n >= PDF_LIMIT_FROM else None)
        targets.append((f"synthetic-{n}", root, limit))
    results = {}
    for name, root, limit in targets:
        log(f"profiling the cold build of {name}")
        out = work / f"profile-out-{name}"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        text = out_dir / f"profile-{name}.txt"
        spec = {"stage": "profile", "root": str(root), "out": str(out), "text": str(text),
                "workers": args.workers, "pdf_workshops": limit}
        results[name] = run_child(spec)
        results[name]["profile_text"] = str(text)
        shutil.rmtree(out, ignore_errors=True)
    return results


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


# ============================================================================================
# Command line


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default=None,
                   help="module counts, comma-separated (default 10,100,1000, the last without sites and full "
                        "builds); 'repo' measures a copy "
                        "of the repository's own curriculum")
    p.add_argument("--repeat", type=int, default=3, help="runs per size; the tables show medians (default 3)")
    p.add_argument("--stages", default="all",
                   help=f"stage groups to run, comma-separated (default all): {', '.join(STAGE_GROUPS)}; "
                        "'baselines' = mkdocs-plain,weasyprint-1proc; the groups a group needs are added")
    p.add_argument("--quick", action="store_true", help="a tiny run for CI: 1 module, 1 workshop, 1 run, short texts")
    p.add_argument("--out", default="build/bench", help="folder for results.json (default build/bench)")
    p.add_argument("--workers", type=int, default=None, help="PDF worker processes (default: one per core)")
    p.add_argument("--pdf-workshops", type=int, default=None,
                   help=f"render only the PDFs of this many workshops (default: all below {PDF_LIMIT_FROM} modules, "
                        f"{PDF_LIMIT_DEFAULT} from {PDF_LIMIT_FROM} on)")
    p.add_argument("--workshops", type=int, default=None, help="workshops per curriculum (default 1 + log10(modules))")
    p.add_argument("--words", type=int, default=1500, help="words per module (default 1500)")
    p.add_argument("--root", default=None, help="the workshopkit repository (default: found from here)")
    p.add_argument("--keep", action="store_true", help="keep the temporary curricula and outputs")
    p.add_argument("--profile", action="store_true",
                   help="instead of the benchmark: cProfile the cold build of the repository and of synthetic curricula")
    p.add_argument("--profile-sizes", default="100", help="synthetic sizes to profile with --profile (default 100)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick:
        args.sizes = args.sizes or "1"
        args.repeat = 1
        args.words = min(args.words, 300)
        args.workshops = args.workshops or 1
    args.default_sizes = args.sizes is None
    sizes = args.sizes or ",".join(map(str, DEFAULT_SIZES))
    try:
        args.sizes = [x.strip() if x.strip() == "repo" else int(x) for x in sizes.split(",") if x.strip()]
        args.profile_sizes = [int(x) for x in args.profile_sizes.split(",") if x.strip()]
    except ValueError:
        p.error("--sizes takes whole numbers or 'repo' (the repository's own curriculum), e.g. repo,10,100")
    if any(n != "repo" and n < 1 for n in args.sizes) or args.repeat < 1:
        p.error("sizes and --repeat must be at least 1")
    args.stages = [x.strip() for x in args.stages.split(",") if x.strip()]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        spec = json.loads(args.child)
        result = profile_child(spec) if spec["stage"] == "profile" else child(spec)
        print(RESULT_MARK + json.dumps(result), flush=True)
        return 0
    try:
        repo = find_repo_root(Path(args.root) if args.root else None)
        out_dir = Path(args.out)
        if not out_dir.is_absolute():
            out_dir = (Path.cwd() / out_dir).resolve()
        out_dir.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="workshopkit-bench-"))
        started = time.perf_counter()
        try:
            if args.profile:
                results: dict[str, Any] = {"machine": machine_info(), "profiles": run_profiles(args, repo, work, out_dir)}
                results["machine"]["loadavg_end"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
                text = profile_tables(results["profiles"])
                (out_dir / "profile.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
                print(text)
                log(f"wrote {out_dir / 'profile.json'} and the pstats listings beside it")
                return 0
            groups = expand_stages(args.stages)
            results = {"machine": machine_info(),
                       "options": {"sizes": args.sizes, "repeat": args.repeat, "stages": groups, "quick": args.quick,
                                   "workers": args.workers or os.cpu_count(), "pdf_workshops": args.pdf_workshops,
                                   "words_per_module": args.words},
                       "sizes": {}}
            for n in args.sizes:
                size_groups = groups
                if args.default_sizes and n != "repo" and n >= SCALE_FROM:
                    size_groups = expand_stages(list(SCALE_STAGES))
                    log(f"{n} modules: measuring {', '.join(SCALE_STAGES)}; the sites and full builds at this "
                        f"size only when asked, e.g. --sizes {n}")
                size = bench_size(n, repo, work, args, size_groups)
                size["summary"] = summarise(size)
                results["sizes"][str(n)] = size
            results["machine"]["loadavg_end"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
            results["seconds"] = round(time.perf_counter() - started, 1)
            results["table"] = tables(results)
            problems = [f"{n} modules: a rebuild without changes rendered {s['summary']['nochange_pdf_rendered']} PDF(s)"
                        for n, s in results["sizes"].items() if s["summary"].get("nochange_pdf_rendered")]
            results["problems"] = problems
            (out_dir / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
            print(results["table"])
            log(f"wrote {out_dir / 'results.json'} in {results['seconds']} s")
            for problem in problems:
                log(f"FAILED: {problem}")
            return 1 if problems else 0
        finally:
            if args.keep:
                log(f"kept {work}")
            else:
                shutil.rmtree(work, ignore_errors=True)
    except BenchError as exc:
        log(f"error: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
