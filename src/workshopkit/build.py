"""The build pipeline: check → audience views → sites and PDFs → atomic swap into ``build/``.

Everything is produced in a staging folder first; the previous outputs are replaced only when
every stage succeeded, so a failed or interrupted build leaves the last good build in place.
One build at a time writes into an output folder (see :func:`atomic.build_lock`: a second one
stops at once), and a file system that is full or read-only ends the build with one line naming
the file, never with a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import os
import shutil
import stat
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from . import atomic, outputs
from .audience import View, publishing_views
from .check import check
from .errors import BuildError, ContentError, name_list, rel
from .load import Project, load_project
from .markdown import SiteConfig, load_site_config
from .outputs import Output, Plan, PlanOptions
from .site.generate import DOWNLOADS, SiteFiles, participant_view
from .site.mkdocs_adapter import write_docs
from .strings import load_strings


@runtime_checkable
class Progress(Protocol):
    """What a build reports while it runs: a message for each step, and counts for long stages.

    ``stage(name, total)`` opens a stage of ``total`` items (``"PDFs"``, ``"sites"``) and
    ``advance(name)`` counts items done; stages may overlap (the PDFs render while the sites
    build) and ``advance`` may be called from another thread.
    """

    def __call__(self, message: str) -> None: ...

    def stage(self, name: str, total: int) -> None: ...

    def advance(self, name: str, n: int = 1) -> None: ...


class _Messages:
    """A :class:`Progress` made of a plain message callback (or of nothing): counts are dropped."""

    def __init__(self, say: Callable[[str], None] | None = None):
        self.say = say

    def __call__(self, message: str) -> None:
        if self.say is not None:
            self.say(message)

    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, name: str, n: int = 1) -> None:
        pass


def as_progress(progress: Progress | Callable[[str], None] | None) -> Progress:
    """``progress`` as a :class:`Progress`: a plain ``progress(message)`` callback still works."""
    return progress if isinstance(progress, Progress) else _Messages(progress)


@dataclass
class BuildOptions:
    root: Path
    out: Path | None = None
    audiences: tuple[str, ...] = ("participant", "facilitator")
    include_restricted: bool = False
    site: bool = True
    pdf: bool = True
    zip: bool = False
    only: str | None = None
    paper: str = "A4"
    workers: int | None = None
    #: The editions to build: 'en' and the languages of curriculum.yml (None: all of them).
    languages: tuple[str, ...] | None = None

    @property
    def out_dir(self) -> Path:
        """Where the outputs go: ``build/``, or ``build/restricted/`` for a build with the
        closed-door sessions, so that it never replaces the sites meant for publishing."""
        default = self.root / "build" / "restricted" if self.include_restricted else self.root / "build"
        return (self.out or default).resolve()


@dataclass
class BuildReport:
    outputs: list[Path] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)  # audience -> generated pages
    page_writes: dict[str, int] = field(default_factory=dict)  # audience -> pages rewritten
    pdf_rendered: list[str] = field(default_factory=list)
    pdf_cached: list[str] = field(default_factory=list)
    sites_built: list[str] = field(default_factory=list)  # sites (and offline copies) made anew
    sites_reused: list[str] = field(default_factory=list)  # ... and those reused from the last build
    warnings: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # things the person building should know
    replaced: list[Path] = field(default_factory=list)  # outputs that held a build before this one


def setup_notes(config: SiteConfig, opts: BuildOptions) -> list[str]:
    """What about this machine or configuration makes the outputs less useful than they could be."""
    from .pdf.html import placeholder_address
    from .site.mkdocs_adapter import iframe_worker_shim

    notes = []
    if opts.pdf and placeholder_address(config.site_url):
        where = f"'{config.site_url}', a placeholder" if config.site_url else "not set"
        notes.append(f"mkdocs.yml: site_url is {where}; handouts print no QR code or address of their page "
                     "in the online manual until it names where the manual is published")
    if opts.site and iframe_worker_shim() is None:
        notes.append("the iframe-worker shim is not installed (scripts/setup installs it); "
                     "search in a copy opened from the file system will need a network")
    return notes


def load_checked(root: Path) -> tuple[Project, int]:
    """Load and check; raise :class:`ContentError` with every error if there is one."""
    project, diags = check(root)
    errors = [d for d in diags if d.severity == "error"]
    if errors:
        raise ContentError(errors)
    return project, len(diags) - len(errors)


def restrict_to(project: Project, only: str) -> Project:
    """Keep one module (or one workshop and the modules it uses) for a quick partial build."""
    from .agenda import expand_slot

    modules = {m.id: m for m in project.modules}
    workshop = next((w for w in project.workshops if w.id == only), None)
    if workshop is not None:
        keep: list[str] = []
        for day in workshop.days:
            for slot in day.slots:
                for m, _ in expand_slot(slot, modules):
                    if m is not None and m.id not in keep:
                        keep.append(m.id)
        project.workshops = [workshop]
        project.modules = [modules[mid] for mid in keep]
        return project
    if only in modules:
        project.modules = [modules[only]]
        project.workshops = []
        return project
    known = sorted(list(modules) + [w.id for w in project.workshops])
    raise BuildError(f"--only {only}: no module or workshop with that id (known: {name_list(known)})")


def views_for(project: Project, opts: BuildOptions) -> dict[str, View]:
    """The views of a build: one per audience, plus those only the PDFs need."""
    closed = load_strings(project.language)["closed_session"]
    return publishing_views(project, opts.audiences, opts.include_restricted, closed)


def plan_for(views: dict[str, View], opts: BuildOptions, language: str = "en") -> Plan:
    """Every output of the build (see :mod:`workshopkit.outputs`)."""
    return outputs.plan(views, PlanOptions(opts.audiences, site=opts.site, pdf=opts.pdf, zip=opts.zip,
                                           language=language))


def languages_of(project: Project, opts: BuildOptions) -> list[str]:
    """The editions a build makes, English first (other languages' sites sit inside its sites)."""
    declared = ["en"] + (list(project.curriculum.languages) if project.curriculum else [])
    wanted = declared if opts.languages is None else [lang for lang in declared if lang in opts.languages]
    unknown = sorted(set(opts.languages or ()) - set(declared))
    if unknown:
        raise BuildError(f"--language {', '.join(unknown)}: not a language of this curriculum (declared: "
                         f"{', '.join(declared)}); add it to 'languages' in curriculum/curriculum.yml")
    return wanted


def site_pages(view: View, config: SiteConfig, root: Path, downloads: Sequence[Output] = (),
               twin: View | None = None, language: str = "en",
               languages: Sequence[str] = ()) -> tuple[SiteFiles, dict[str, Any]]:
    """The Markdown pages of one audience's site and its derived MkDocs config; ``downloads``
    are the documents the site links to (copied in by :func:`add_downloads` once rendered);
    ``twin`` is the participant manual's view, whose pages facilitator pages link to;
    ``languages`` are the editions of the build, between which each page offers a switch."""
    from .site.generate import SiteGenerator
    from .site.mkdocs_adapter import derive_config

    strings = load_strings(language)
    name = view.audience.name
    guide = None
    if name == "facilitator":
        from .guide import editor_guide

        guide = editor_guide()
    files = SiteGenerator(view, config, root, strings, editor_guide=guide, downloads=downloads, twin=twin).generate()
    suffix = strings["facilitator_edition"] if name == "facilitator" else strings["participant_manual"]
    translated_name = view.curriculum.title if language != "en" and view.curriculum else ""
    return files, derive_config(config, files, name, suffix, language, languages, translated_name)


@functools.lru_cache(maxsize=1)
def _tool_versions() -> str:
    from importlib import metadata

    from . import __version__

    found = [__version__]
    for name in ("mkdocs", "mkdocs-material", "pymdown-extensions", "markdown"):
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} -")
    return "\n".join(found)


def site_key(gen_dir: Path, restricted: bool, pending: str) -> str:
    """A digest of everything MkDocs reads to build a site: its generated folder (pages, copied
    files, config), the versions of the tools, and how the site is checked afterwards."""
    h = hashlib.sha256(f"{_tool_versions()}\n{restricted}\n{pending}\n".encode())
    for path in sorted(p for p in gen_dir.rglob("*") if p.is_file()):
        h.update(path.relative_to(gen_dir).as_posix().encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def build_site(gen_dir: Path, site_dir: Path, config: SiteConfig, *, restricted: bool, pending: tuple[str, ...] = ()) -> None:
    """Build one site with MkDocs from its generated folder, then verify it: no broken link
    (links into ``pending`` are filled in later) and nothing unsafe on any page or in search."""
    from .site.linkcheck import site_problems
    from .site.mkdocs_adapter import run_mkdocs

    run_mkdocs(gen_dir, site_dir, config.path)
    if restricted:
        # Closed-door material: not for search engines, whoever ends up hosting it.
        for sitemap in ("sitemap.xml", "sitemap.xml.gz"):
            (site_dir / sitemap).unlink(missing_ok=True)
        (site_dir / "robots.txt").write_text("User-agent: *\nDisallow: /\n", encoding="utf-8")
    broken, unsafe = site_problems(site_dir, pending=pending)
    name = site_dir.name
    if unsafe:
        raise BuildError(f"the {name} site would publish unsafe HTML (run 'workshopkit check' to find "
                         "the source lines):\n  " + "\n  ".join(unsafe[:50]))
    if broken:
        raise BuildError(f"the {name} site has broken links:\n  " + "\n  ".join(broken[:50]))


def reuse(previous: Path, dest: Path, key: str, leave_out: tuple[str, ...] = ()) -> bool:
    """Link the files of ``previous`` (an output of the last build) into ``dest`` when it was
    made from the same inputs (its marker holds ``key``); ``leave_out`` names top-level entries
    that are made anew. Returns whether it did."""
    from .pdf.build import link_or_copy

    if not key or atomic.marked_key(previous) != key:
        return False

    def copy(src: str, dst: str) -> None:
        link_or_copy(Path(src), Path(dst))

    shutil.copytree(previous, dest, symlinks=True, copy_function=copy,
                    ignore=lambda folder, names: [n for n in names if Path(folder) == previous and n in leave_out])
    return True


def build_sites(project: Project, views: dict[str, View], plan: Plan, config: SiteConfig, opts: BuildOptions,
                stage: Path, report: BuildReport, progress: Progress, languages: Sequence[str] = ()) -> list[tuple[Path, Path]]:
    """Build each audience's site of the plan into ``stage/site``; a site whose generated pages
    and tools are those of the last build is reused from it (MkDocs does not run). Another
    language's site goes inside the English one (``site/participant/ko``), so the English sites
    are built first; ``languages`` are the editions of the build."""
    pairs: list[tuple[Path, Path]] = []
    sites = plan.of("site")
    downloads = plan.downloads()
    others = tuple(lang for lang in languages if lang != "en")
    for out in sites:
        name, v, lang = out.view, views[out.view], out.language
        label = name if lang == "en" else f"{name} ({lang})"
        t0 = time.perf_counter()
        progress(f"generating {label} pages")
        files, cfg = site_pages(v, config, project.root, downloads[name], twin=participant_view(views),
                                language=lang, languages=languages)
        # The build's own generated folder: ``serve`` never writes here (it has its own).
        atomic.mark(opts.out_dir / ".gen")
        gen_dir = opts.out_dir / ".gen" / (name if lang == "en" else f"{name}.{lang}")
        report.page_writes[label] = write_docs(files, gen_dir, cfg)
        report.pages[label] = len(files.pages)
        report.seconds[f"generate-{label}"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        site_dir = stage / "site" / out.path
        # Links into folders filled in later: the documents, and the other languages' sites.
        pending = ((DOWNLOADS + "/",) if downloads[name] else ()) + (tuple(f"{o}/" for o in others) if lang == "en" else ())
        key = site_key(gen_dir, v.audience.include_restricted, " ".join(pending))
        target = opts.out_dir / out.kind.folder / out.path
        leave_out = (DOWNLOADS, *others) if lang == "en" else (DOWNLOADS,)
        if reuse(target, site_dir, key, leave_out=leave_out):
            progress(f"the {label} site is unchanged")
            report.sites_reused.append(label)
        else:
            progress(f"building {label} site with MkDocs")
            build_site(gen_dir, site_dir, config, restricted=v.audience.include_restricted, pending=pending)
            report.sites_built.append(label)
        atomic.mark(site_dir, key)
        report.seconds[f"mkdocs-{label}"] = time.perf_counter() - t0
        pairs.append((site_dir, target))
        progress.advance("sites")
    return pairs


def add_downloads(stage: Path, plan: Plan) -> None:
    """Put the rendered PDFs into the sites that link to them (hard links: no extra space)."""
    from .pdf.build import link_or_copy

    for name, offered in plan.downloads().items():
        site = plan.site(name)
        site_dir = stage / "site" / (site.path if site is not None else name)
        if not site_dir.is_dir():
            continue
        for out in offered:
            src = stage / out.kind.folder / out.path
            if not src.is_file():
                raise BuildError(f"the {name} site links to {out.path}, which was not rendered")
            dest = site_dir / DOWNLOADS / out.path
            dest.parent.mkdir(parents=True, exist_ok=True)
            link_or_copy(src, dest)


def pack_offline(stage: Path, plan: Plan, opts: BuildOptions, report: BuildReport, progress: Progress,
                 pdf_keys: dict[str, str]) -> list[tuple[Path, Path]]:
    """The participant site packed for use without a network (reused when the site and the
    documents in it are those of the last build)."""
    from .site.mkdocs_adapter import zip_site

    out = plan.offline()
    site = plan.site(out.view) if out is not None else None
    site_dir = stage / "site" / site.path if site is not None else None
    if out is None or site_dir is None or not site_dir.is_dir():
        return []
    zdir = stage / out.kind.folder
    target = opts.out_dir / out.kind.folder
    # The copy holds the other languages' manuals too (inside the English one, each marked).
    inner = [f"{p.name} {atomic.marked_key(p)}" for p in sorted(site_dir.iterdir()) if p.is_dir() and atomic.marked_key(p)]
    key = hashlib.sha256("\n".join([atomic.marked_key(site_dir)] + inner + [f"{o.path} {pdf_keys.get(o.path, '')}"
                                     for o in plan.offered(out.view)]
                                     + [f"{path} {k}" for path, k in sorted(pdf_keys.items()) if "/" in path
                                        and path.split("/", 1)[0] in {p.name for p in site_dir.iterdir()}]
                                     ).encode()).hexdigest()
    if reuse(target, zdir, key):
        report.sites_reused.append(out.path)
    else:
        progress("packing the participant site for offline use")
        zdir.mkdir(exist_ok=True)
        zip_site(site_dir, zdir / out.path)
        report.sites_built.append(out.path)
    atomic.mark(zdir, key)
    return [(zdir, target)]


#: A stand-in for the PDF stage (the tests use one to make it fail).
PdfStageHook = Callable[[Path, dict[str, View], Plan, SiteConfig, "BuildOptions", Path, "BuildReport", Progress],
                        list[tuple[Path, Path]]]


def run_build(opts: BuildOptions, progress: Progress | Callable[[str], None] | None = None,
              pdf_stage: PdfStageHook | None = None, select: Callable[[Plan], Plan] | None = None) -> BuildReport:
    """Run the whole build. On any failure the previous outputs stay as they were.

    The stages, in order: load and check, the audience views, the plan of every output (cut by
    ``select`` if given, e.g. to the documents of a few workshops), then, holding the output
    folder's lock, the PDFs (rendering in the background), each site's pages, MkDocs (skipped
    for a site whose pages are unchanged) and its verification, the downloads, the offline
    copy, and the swap into the output folder.
    """
    progress = as_progress(progress)
    report = BuildReport()
    t0 = time.perf_counter()
    progress("checking content")
    project, report.warnings = load_checked(opts.root)
    languages = languages_of(project, opts)
    editions = [edition(project if lang == "en" else project.translations.get(lang) or load_project(opts.root, lang)[0],
                        opts) for lang in languages]
    config = load_site_config(opts.root)
    report.notes = setup_notes(config, opts)
    report.seconds["check"] = time.perf_counter() - t0
    refuse_linked_output(opts)
    try:
        with atomic.build_lock(opts.out_dir):
            for e in editions:
                e.plan = select(e.plan) if select else e.plan
            _build_locked(editions, config, opts, report, progress, pdf_stage)
    except OSError as exc:
        raise BuildError(write_error(exc, opts)) from None
    if opts.only and report.replaced:
        report.notes.append(only_note(opts, editions[0].project, report.replaced))
    return report


@dataclass
class Edition:
    """One language of a build: its (translated) project, views and plan."""

    language: str
    project: Project
    views: dict[str, View]
    plan: Plan


def edition(project: Project, opts: BuildOptions) -> Edition:
    if opts.only:
        project = restrict_to(project, opts.only)
    views = views_for(project, opts)
    tr = project.translator
    if tr is not None:
        shares = {owner: tally.share for owner, tally in tr.tallies.items()}
        for v in views.values():
            v.translated = shares
    return Edition(project.language, project, views, plan_for(views, opts, project.language))


def only_note(opts: BuildOptions, project: Project, replaced: list[Path]) -> str:
    """What a partial build (``--only``) did to the outputs it replaced: they now hold only its
    module or workshop, whatever the last build had put there."""
    what = (f"the workshop '{opts.only}' and its modules" if any(w.id == opts.only for w in project.workshops)
            else f"the module '{opts.only}'")
    where = name_list([rel(path, opts.root) for path in replaced])
    hold = "hold" if len(replaced) > 1 else "holds"
    return (f"--only {opts.only}: {where} now {hold} only {what}; what the last build put there was replaced "
            "(run 'workshopkit build' without --only to build everything again)")


def refuse_linked_output(opts: BuildOptions) -> None:
    """Refuse an output folder that is a symbolic link (a committed ``build -> /elsewhere``, or
    ``--out`` naming a link): the build would write wherever it points, outside the repository."""
    default = opts.root / "build"
    chosen = [opts.out] if opts.out is not None else [default, default / "restricted"] if opts.include_restricted else [default]
    for folder in chosen:
        if folder.is_symlink():
            raise BuildError(f"the output folder {rel(folder, opts.root)} is a symbolic link; workshopkit builds only "
                             "into a real folder (remove the link, or choose another folder with --out)")


#: Errors of a file system that cannot take the outputs (full, read-only, no permission).
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG}


def write_error(exc: OSError, opts: BuildOptions) -> str:
    """One line for a file system error during a build: what, where, and that nothing changed."""
    where = rel(exc.filename, opts.root) if exc.filename else rel(opts.out_dir, opts.root)
    reason = exc.strerror or type(exc).__name__
    what = "cannot write" if exc.errno in _WRITE_ERRNOS else "cannot build into"
    return f"{what} {where}: {reason}; the previous build is unchanged"


def _build_locked(editions: list[Edition], config: SiteConfig, opts: BuildOptions,
                  report: BuildReport, progress: Progress, pdf_stage: PdfStageHook | None) -> None:
    """The part of a build that writes into the output folder (holding its lock): the stages
    after the plan, for each language, then the swap."""
    stage = atomic.staging(opts.out_dir)
    background: list[Any] = []
    pdf_keys: dict[str, str] = {}
    languages = [e.language for e in editions]
    root = editions[0].project.root
    try:
        pairs: list[tuple[Path, Path]] = []
        if pdf_stage is None and any(e.plan.pdfs() for e in editions):
            # PDFs render in worker processes while this process builds the sites.
            from .pdf.build import PdfStage

            for e in editions:
                if e.plan.pdfs():
                    pdf = PdfStage(root, e.views, e.plan, config, opts, stage, report, progress, e.language)
                    background.append(pdf)
                    pdf_keys.update(pdf.rendered_keys)
                    pdf.start()
        sites = sum(len(e.plan.of("site")) for e in editions)
        if sites:
            progress.stage("sites", sites)
        # Inner (other languages') sites sit inside the English ones: the English sites go first.
        site_pairs: list[tuple[Path, Path]] = []
        for e in editions:
            site_pairs += build_sites(e.project, e.views, e.plan, config, opts, stage, report, progress, languages)
        t1 = time.perf_counter()
        for pdf in background:
            for pair in pdf.finish():
                if pair not in pairs:
                    pairs.append(pair)
        if background:
            background = []
            report.seconds["pdf-wait"] = time.perf_counter() - t1
            for e in editions:
                add_downloads(stage, e.plan)
        elif pdf_stage is not None:
            for e in editions:
                if e.plan.pdfs():
                    pairs += [p for p in pdf_stage(root, e.views, e.plan, config, opts, stage, report, progress)
                              if p not in pairs]
        # Only the outermost sites are swapped in: the inner ones are inside them.
        outer = [(src, dst) for src, dst in site_pairs
                 if not any(src != other and src.is_relative_to(other) for other, _ in site_pairs)]
        pairs += outer
        pairs += pack_offline(stage, editions[0].plan, opts, report, progress, pdf_keys)
        progress("swapping the new build in")
        report.replaced = [target for _, target in pairs if target.exists()]
        atomic.swap_in(pairs)
        report.outputs = [target for _, target in pairs]
    finally:
        for pdf in background:
            pdf.abort()
        atomic.discard(stage)


def _foreign(path: Path) -> list[Path]:
    """What under ``path`` workshopkit did not make (``path`` itself when nothing in it is ours).

    Ours: a folder carrying the marker (all of it), the lock file, and a folder (not a link)
    holding only things that are ours. Symbolic links are never followed: a link is foreign.
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return []
    if stat.S_ISDIR(mode) and atomic.is_marked(path):
        return []
    if stat.S_ISREG(mode) and path.name == atomic.LOCK:
        return []
    if not stat.S_ISDIR(mode):
        return [path]
    children = sorted(path.iterdir())
    found = [f for child in children for f in _foreign(child)]
    if not children or len(found) == len(children) and all(f.parent == path for f in found):
        return [path]  # nothing in it is ours (or it is empty): name the folder, not its files
    return found


def clean(out: Path) -> list[Path]:
    """Delete an output folder made by workshopkit; returns what was removed.

    Only what carries the build marker (and the lock file) is deleted, and only when nothing
    else is in the folder: otherwise nothing is deleted and the error names what was kept.
    Symbolic links are never followed (a link is kept, wherever it points). Cleaning takes the
    build lock, so it never pulls the folder from under a running build.
    """
    if out.is_symlink():
        raise BuildError(f"{out} is a symbolic link; workshopkit does not delete through links; nothing was deleted")
    if not out.exists():
        return []
    if not out.is_dir():
        raise BuildError(f"{out} is not a folder; nothing was deleted")
    def refuse_foreign() -> list[Path]:
        children = sorted(c for c in out.iterdir() if c.name != atomic.LOCK)
        if not children and not (out / atomic.LOCK).is_file():
            raise BuildError(f"{out} holds nothing made by workshopkit; nothing was deleted")
        foreign = [f for child in children for f in _foreign(child)]
        if foreign:
            names = [f.relative_to(out).as_posix() + ("/" if f.is_dir() and not f.is_symlink() else "")
                     for f in foreign]
            raise BuildError(f"{out} holds {name_list(names, 10)}, which workshopkit did not make; "
                             "nothing was deleted")
        return children

    refuse_foreign()  # before the lock, whose file would be left in a folder that is not ours
    with atomic.build_lock(out):
        children = refuse_foreign()  # again: a build may have finished in between
        for child in children:
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        (out / atomic.LOCK).unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # a build that started just now keeps its folder
        out.rmdir()
    return children


__all__ = ["BuildOptions", "BuildReport", "clean", "run_build"]
