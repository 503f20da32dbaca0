"""The catalogue of outputs and the staged pipeline.

- The plan lists every output once; the sites' download lists, the PDFs rendered and the
  files of ``build/`` are exactly what it lists, each for its audience.
- A rebuild with nothing changed runs no MkDocs and renders no PDF: its sites are the very
  files of the last build (hard links of them), and its offline copy too.
- An edit reaches exactly the outputs that show it: a facilitator-only note rebuilds the
  facilitator site and the facilitator documents, never the participant site.
"""

from __future__ import annotations

import re
from pathlib import Path

from workshopkit import outputs
from workshopkit.build import BuildOptions, load_checked, plan_for, views_for
from workshopkit.pdf.html import RENDERERS, TEMPLATES, PrintGenerator

from build_helpers import build


def _inode(path: Path) -> int:
    return path.stat().st_ino


def test_every_document_kind_has_a_render_function_and_a_template():
    for k in outputs.KINDS:
        if k.family != "pdf":
            continue
        assert k.name in RENDERERS, k.name
        assert callable(getattr(PrintGenerator, RENDERERS[k.name]))
        assert k.label and k.offered_on and k.key, k.name
    # A kind whose name the renderers know but the catalogue does not would never be made.
    assert set(RENDERERS) == {k.name for k in outputs.KINDS if k.family == "pdf"}
    assert (TEMPLATES / "handout.html.j2").is_file()


def test_the_plan_lists_what_the_build_writes_and_what_the_sites_link_to(repo: Path):
    opts = BuildOptions(root=repo, zip=True)
    project, _ = load_checked(repo)
    plan = plan_for(views_for(project, opts), opts)
    pdfs = {o.path for o in plan.pdfs()}
    assert "participant/demo/workbook.pdf" in pdfs and "facilitator/demo/answer-key.pdf" in pdfs
    assert not any(p.startswith("restricted/") for p in pdfs)  # no closed-door pack without --include-restricted
    # The sites offer every document; of a single session's slides ('module--session'), the
    # participant site the PDF and the PowerPoint file without notes, the facilitator site the
    # PDF and the one with notes.
    decks = {o.path for o in plan.outputs if o.kind.family == "deck"}
    assert decks and {o.path for o in plan.offered("participant")} == {
        p for p in pdfs | decks if p.startswith("participant/")}
    assert {o.path for o in plan.offered("facilitator")} == {
        p for p in pdfs | decks if "--" not in p or p.endswith(".pdf") or p.startswith("facilitator/")}

    report = build(repo, zip=True)
    out = repo / "build"
    written = {p.relative_to(out / "pdf").as_posix() for p in (out / "pdf").rglob("*.pdf")}
    # Rendered: the plan's PDFs; written besides: the PDFs of single sessions, cut from the deck.
    cut = {o.path for o in plan.outputs if o.kind.family == "deck" and o.path.endswith(".pdf")}
    assert cut and written == pdfs | cut and pdfs == set(report.pdf_rendered)
    for audience in ("participant", "facilitator"):
        site = out / "site" / audience
        offered = {p.relative_to(site / "downloads").as_posix() for p in (site / "downloads").rglob("*")
                   if p.suffix in (".pdf", ".pptx")}
        assert offered == {o.path for o in plan.offered(audience)}
        page = (site / "workshops" / "demo.html").read_text(encoding="utf-8")
        linked = {o.path for o in plan.offered(audience) if o.workshop == "demo" and "--" not in o.path}
        assert linked and all(f"downloads/{p}" in page for p in linked)
        assert "--" not in "".join(re.findall(r'href="([^"]*downloads[^"]*)"', page))  # session decks: on their pages
        session = (site / "modules" / "alpha" / "opening.html").read_text(encoding="utf-8")
        assert {p for p in re.findall(r'href="(?:\.\./)*downloads/([^"]+)"', session) if "/slides/" in p} == {
            o.path for o in plan.offered(audience) if o.session == "opening"}
    assert "facilitator-guide.pdf" not in (out / "site/participant/workshops/demo.html").read_text(encoding="utf-8")
    assert (out / "offline" / "participant-site.zip").is_file()


def test_a_rebuild_with_nothing_changed_runs_no_mkdocs_and_renders_no_pdf(repo: Path):
    first = build(repo, zip=True)
    out = repo / "build"
    assert sorted(first.sites_built) == ["facilitator", "participant", "participant-site.zip"]
    page = out / "site" / "participant" / "index.html"
    zipped = out / "offline" / "participant-site.zip"
    before = (_inode(page), _inode(zipped), page.read_bytes())

    again = build(repo, zip=True)
    assert again.sites_built == [] and again.pdf_rendered == []
    assert sorted(again.sites_reused) == ["facilitator", "participant", "participant-site.zip"]
    assert sorted(again.pdf_cached) == sorted(first.pdf_rendered)
    # The very files of the last build: MkDocs wrote nothing new.
    assert (_inode(page), _inode(zipped), page.read_bytes()) == before
    # Each site still offers its documents (put in anew, from this build's PDFs).
    assert (out / "site/participant/downloads/participant/demo/workbook.pdf").is_file()
    assert not (out / "site/participant/downloads/facilitator").exists()
    assert (out / "site/facilitator/downloads/facilitator/demo/answer-key.pdf").is_file()


def test_a_facilitator_only_edit_rebuilds_only_what_facilitators_get(repo: Path):
    build(repo)
    out = repo / "build"
    participant_page = out / "site" / "participant" / "index.html"
    inode = _inode(participant_page)
    module = repo / "modules" / "alpha" / "module.yml"
    text = module.read_text(encoding="utf-8")
    assert "Walk between the triads." in text
    module.write_text(text.replace("Walk between the triads.", "Walk slowly between the triads."), encoding="utf-8")

    report = build(repo)
    assert report.sites_built == ["facilitator"] and report.sites_reused == ["participant"]
    assert _inode(participant_page) == inode
    assert report.pdf_rendered and all(p.startswith("facilitator/") for p in report.pdf_rendered)
    assert "Walk slowly between the triads." in " ".join(
        p.read_text(encoding="utf-8") for p in (out / "site" / "facilitator" / "modules" / "alpha").rglob("*.html"))


def test_a_changed_site_setting_rebuilds_the_sites(repo: Path):
    build(repo, pdf=False)
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("site_name:", "site_name: New", 1), encoding="utf-8")
    report = build(repo, pdf=False)
    assert sorted(report.sites_built) == ["facilitator", "participant"] and report.sites_reused == []
