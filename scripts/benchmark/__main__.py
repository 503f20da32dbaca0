"""The command line of the benchmark (``scripts/bench``) and the sequence of stages of each size.

For each size the curriculum is written once; each run gets a fresh output folder and measures
the stage groups asked for, each stage in a child process (:func:`measure.run_child`), then the
cold build, the one-word rebuild and the rebuild without changes, in that order, on the same
output folder. ``--child`` is how a child is told its stage.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import AUDIENCES, BenchError, log
from . import __doc__ as _PACKAGE_DOC
from .measure import RESULT_MARK, run_child
from .report import loadavg, machine_info, median_of, problems, profile_tables, summarise, tables
from .synth import (
    EDIT_FROM,
    EDIT_TO,
    copy_repository,
    edit_target,
    find_repo_root,
    make_curriculum,
    repo_edit_target,
    workshops_for,
)

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


def pdf_limit(n: int, args: argparse.Namespace) -> int | None:
    """How many workshops' documents the PDF stages render for ``n`` synthetic modules (None: all)."""
    if args.pdf_workshops is not None:
        return int(args.pdf_workshops)
    return PDF_LIMIT_DEFAULT if n >= PDF_LIMIT_FROM else None


def stage_specs(groups: list[str]) -> list[dict[str, Any]]:
    """The stages of one run before the full builds, in order."""
    plan: list[dict[str, Any]] = []
    for group in ("load", "check"):
        if group in groups:
            plan.append({"stage": group})
    for group in ("generate", "mkdocs", "mkdocs-plain"):
        if group in groups:
            plan += [{"stage": f"{group}-{a}", "audience": a} for a in AUDIENCES]
    for group in ("pdf", "weasyprint-1proc"):
        if group in groups:
            plan.append({"stage": group})
    return plan


def prepare(n: int | str, repo: Path, root: Path, args: argparse.Namespace) -> tuple[dict[str, Any], Path, str, str, int | None]:
    """Write the curriculum of size ``n`` into ``root`` (or copy the repository's for 'repo');
    returns what it is, the file the one-word rebuild edits (and the edit), and the PDF limit."""
    if n == "repo":
        log("the repository's own curriculum: copying it")
        info = copy_repository(repo, root)
        target, edit_from, edit_to = repo_edit_target(root)
        limit = args.pdf_workshops
    else:
        assert isinstance(n, int)
        n_ws = workshops_for(n) if not args.workshops else args.workshops
        log(f"{n} modules: writing the synthetic curriculum")
        info = make_curriculum(root, n, repo, n_ws, words=args.words)
        target, edit_from, edit_to = edit_target(root), EDIT_FROM, EDIT_TO
        limit = pdf_limit(n, args)
    if limit is not None and limit >= info["workshops"]:
        limit = None
    info["edited"] = str(target.relative_to(root))
    return info, target, edit_from, edit_to, limit


def run_builds(label: str, base: dict[str, Any], target: Path, edit_from: str, edit_to: str,
               runs: dict[str, list[dict[str, Any]]]) -> None:
    """The cold build, the rebuild after a one-word edit of ``target``, the rebuild without
    changes; ``target`` is restored afterwards."""
    original = target.read_text(encoding="utf-8")
    try:
        for stage in ("cold", "incremental", "nochange"):
            if stage == "incremental":
                if edit_from not in original:
                    raise BenchError(f"{target}: the text to edit is missing")
                target.write_text(original.replace(edit_from, edit_to, 1), encoding="utf-8")
            log(f"{label}: {stage} build")
            runs.setdefault(stage, []).append(run_child({**base, "stage": stage}))
    finally:
        target.write_text(original, encoding="utf-8")


def bench_size(n: int | str, repo: Path, work: Path, args: argparse.Namespace, groups: list[str]) -> dict[str, Any]:
    """Every run of one size: the stages asked for, then the full builds; medians per stage."""
    root = work / f"curriculum-{n}"
    info, target, edit_from, edit_to, limit = prepare(n, repo, root, args)
    runs: dict[str, list[dict[str, Any]]] = {}
    for r in range(args.repeat):
        label = f"{n} modules, run {r + 1}/{args.repeat}"
        out = work / f"out-{n}-{r}"
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        base = {"root": str(root), "out": str(out), "workers": args.workers, "pdf_workshops": limit}
        for step in stage_specs(groups):
            log(f"{label}: {step['stage']}")
            runs.setdefault(step["stage"], []).append(run_child({**base, **step}))
        if "incremental" in groups:
            run_builds(label, base, target, edit_from, edit_to, runs)
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
    return {"curriculum": info, "pdf_workshops": limit, "runs": runs,
            "stages": {k: median_of(v) for k, v in runs.items()}}


def run_profiles(args: argparse.Namespace, repo: Path, work: Path, out_dir: Path) -> dict[str, Any]:
    """``--profile``: the cold build of the repository and of the synthetic sizes, each profiled
    in a child process; the pstats listings go to ``<out>/profile-<name>.txt``."""
    targets: list[tuple[str, Path, int | None]] = [("shipped", repo, None)]
    for n in args.profile_sizes:
        root = work / f"profile-curriculum-{n}"
        make_curriculum(root, n, repo, args.workshops or workshops_for(n), words=args.words)
        targets.append((f"synthetic-{n}", root, pdf_limit(n, args)))
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


# --- command line ----------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="scripts/bench", description=(_PACKAGE_DOC or "").split("\n\n")[0])
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


def profile_main(args: argparse.Namespace, repo: Path, work: Path, out_dir: Path) -> int:
    results: dict[str, Any] = {"machine": machine_info(), "profiles": run_profiles(args, repo, work, out_dir)}
    results["machine"]["loadavg_end"] = loadavg()
    text = profile_tables(results["profiles"])
    (out_dir / "profile.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(text)
    log(f"wrote {out_dir / 'profile.json'} and the pstats listings beside it")
    return 0


def bench_main(args: argparse.Namespace, repo: Path, work: Path, out_dir: Path) -> int:
    started = time.perf_counter()
    groups = expand_stages(args.stages)
    results: dict[str, Any] = {
        "machine": machine_info(),
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
    results["machine"]["loadavg_end"] = loadavg()
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["table"] = tables(results)
    results["problems"] = problems(results)
    (out_dir / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(results["table"])
    log(f"wrote {out_dir / 'results.json'} in {results['seconds']} s")
    for problem in results["problems"]:
        log(f"FAILED: {problem}")
    return 1 if results["problems"] else 0


def child_main(spec: dict[str, Any]) -> int:
    """In a child process: run one stage (or the profile) and print its result on one line."""
    if spec["stage"] == "profile":
        from .profiling import profile_child

        result = profile_child(spec)
    else:
        from .stages import child

        result = child(spec)
    print(RESULT_MARK + json.dumps(result), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child_main(json.loads(args.child))
    try:
        repo = find_repo_root(Path(args.root) if args.root else None)
        out_dir = Path(args.out)
        if not out_dir.is_absolute():
            out_dir = (Path.cwd() / out_dir).resolve()
        out_dir.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="workshopkit-bench-"))
        try:
            return (profile_main if args.profile else bench_main)(args, repo, work, out_dir)
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
