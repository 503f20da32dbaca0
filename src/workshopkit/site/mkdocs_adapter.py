"""The one place that knows MkDocs: derive a site's config, write the docs folder, run a build.

Moving to another engine that reads ``mkdocs.yml`` (ProperDocs, Zensical) means changing this
module only.
"""

from __future__ import annotations

import copy
import logging
import os
from pathlib import Path
from typing import Any

import yaml

from ..errors import BuildError
from ..markdown import REQUIRED_EXTENSIONS, SiteConfig
from .generate import SiteFiles

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "site"
CSS_PATH = "assets/workshopkit.css"
SHIM_PATH = "assets/javascripts/iframe-worker-shim.js"


def iframe_worker_shim() -> Path | None:
    """The iframe-worker shim that lets search run from file:// (installed by scripts/setup)."""
    import sys

    candidates = [os.environ.get("WORKSHOPKIT_IFRAME_WORKER", ""),
                  str(Path(sys.prefix) / "js" / "node_modules" / "iframe-worker" / "shim" / "index.js")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")


def derive_config(base: SiteConfig, files: SiteFiles, audience: str, title_suffix: str, language: str = "en") -> dict[str, Any]:
    """The config of one site: the base ``mkdocs.yml`` plus generated nav and strict validation."""
    data: dict[str, Any] = copy.deepcopy(base.data)
    if title_suffix:
        data["site_name"] = f"{base.site_name} – {title_suffix}"
    if audience == "facilitator":
        if base.site_url:
            data["site_url"] = base.site_url + "facilitator/"
    data["docs_dir"] = "docs"
    # Pages are files (page.html, not page/index.html): the site works from file:// and from a
    # zip, and the addresses printed under QR codes stay valid.
    data["use_directory_urls"] = False
    listed = {next(iter(e)) if isinstance(e, dict) else e for e in data.get("markdown_extensions") or []}
    data["markdown_extensions"] = list(data.get("markdown_extensions") or []) + [
        name for name in REQUIRED_EXTENSIONS if name not in listed]
    data["nav"] = files.nav
    data["extra_css"] = list(data.get("extra_css") or []) + [CSS_PATH]
    shim = iframe_worker_shim()
    if shim is not None:
        # Material's offline plugin would link the shim from a CDN; serve our own copy so that
        # search works on a computer without a network.
        extra = data.setdefault("extra", {})
        extra["polyfills"] = list(extra.get("polyfills") or []) + [SHIM_PATH]
        files.copies[SHIM_PATH] = shim
    data["validation"] = {
        "omitted_files": "warn",
        "absolute_links": "warn",
        "unrecognized_links": "warn",
        "anchors": "warn",
        "not_found": "warn",
    }
    theme = data.setdefault("theme", {"name": "material"})
    if isinstance(theme, dict):
        theme["language"] = language
        features = [f for f in theme.get("features", []) if f not in ("navigation.instant", "navigation.instant.prefetch")]
        theme["features"] = features  # instant loading conflicts with offline use
    return data


def write_docs(files: SiteFiles, gen_dir: Path, config: dict[str, Any]) -> int:
    """Write the docs folder; unchanged files are left alone, stale ones removed. Returns writes."""
    docs = gen_dir / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, bytes] = {p: t.encode("utf-8") for p, t in files.pages.items()}
    for rel_path, src in files.copies.items():
        wanted[rel_path] = src.read_bytes()
    wanted[CSS_PATH] = (ASSETS / "workshopkit.css").read_bytes()
    writes = 0
    for rel_path, content in wanted.items():
        path = docs / rel_path
        if path.is_file() and path.read_bytes() == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(content)
        os.replace(tmp, path)
        writes += 1
    for path in sorted(docs.rglob("*"), reverse=True):
        rel_path = path.relative_to(docs).as_posix()
        if path.is_file() and rel_path not in wanted:
            path.unlink()
            writes += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    config_text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    cfg_path = gen_dir / "mkdocs.yml"
    if not cfg_path.is_file() or cfg_path.read_text(encoding="utf-8") != config_text:
        cfg_path.write_text(config_text, encoding="utf-8")
    return writes


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_mkdocs(gen_dir: Path, site_dir: Path) -> None:
    """Build the site with stock MkDocs in strict mode into ``site_dir``."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    collector = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    try:
        cfg = load_config(str(gen_dir / "mkdocs.yml"), site_dir=str(site_dir), strict=True)
        build(cfg)
    except (Abort, MkDocsException) as exc:
        details = "\n  ".join(collector.messages) or str(exc)
        raise BuildError(f"MkDocs could not build {gen_dir.name} site:\n  {details}") from None
    finally:
        logger.removeHandler(collector)
    if collector.messages:
        raise BuildError("MkDocs reported problems:\n  " + "\n  ".join(collector.messages))


def zip_site(site_dir: Path, dest: Path) -> Path:
    """Pack a built site into ``dest`` (.zip) for use without a network.

    Entries are sorted and carry a fixed time (``SOURCE_DATE_EPOCH`` or 1980-01-01), so the
    same site always gives the same archive.
    """
    import time
    import zipfile

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    stamp = time.gmtime(max(int(epoch), 315532800)) if epoch.isdigit() else (1980, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for path in sorted(site_dir.rglob("*")):
            if path.is_file() and path.name != ".workshopkit-output":
                info = zipfile.ZipInfo(f"{site_dir.name}/{path.relative_to(site_dir).as_posix()}", date_time=tuple(stamp)[:6])
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                z.writestr(info, path.read_bytes())
    return dest
