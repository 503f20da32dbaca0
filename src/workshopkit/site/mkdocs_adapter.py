"""The one place that knows MkDocs: derive a site's config, write the docs folder, run a build.

Moving to another engine that reads ``mkdocs.yml`` (ProperDocs, Zensical) means changing this
module only.
"""

from __future__ import annotations

import copy
import functools
import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from ..errors import BuildError, Diagnostic
from ..htmlsafety import escape_text
from ..markdown import (
    EXTRA_SETTINGS,
    REQUIRED_EXTENSIONS,
    SITE_PLUGINS,
    SITE_SETTINGS,
    THEME_SETTINGS,
    SiteConfig,
    allowed_extension,
    config_position,
)
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

#: Material features the generated pages rely on: sections open on their index page, breadcrumbs
#: above each page, and definitions of glossary terms shown on hover and focus.
REQUIRED_FEATURES = ("navigation.indexes", "navigation.path", "content.tooltips")
#: Features that conflict with offline use (instant loading fetches pages with XHR).
REFUSED_FEATURES = ("navigation.instant", "navigation.instant.prefetch")
#: The facilitator site's header colour (Material's palette names): the first one the participant
#: manual does not use, so that the two editions never look alike.
FACILITATOR_PRIMARY = ("deep purple", "brown")
#: Where search splits words: at white space, punctuation and brackets (so that 'consent,' is
#: found as 'consent'), at a full stop not followed by a digit, and at an HTML entity.
SEARCH_SEPARATOR = r'[\s\u200b\-_,:;!?=\[\]()"`/]+|\.(?!\d)|&[lg]t;'


#: Templates of the theme that workshopkit replaces (the language switch leads to the same page).
OVERRIDES = Path(__file__).resolve().parent.parent / "assets" / "site" / "overrides"


def alternate(language: str, languages: Sequence[str]) -> list[dict[str, str]]:
    """Material's language switch: one entry per edition, with the path from this site's root
    to the other edition's root (other languages sit inside the English site: 'ko/')."""
    from ..strings import load_strings

    def root_of(lang: str) -> str:
        up = "" if language == "en" else "../"
        return up + ("" if lang == "en" else f"{lang}/")

    return [{"name": load_strings(lang)["language_name"], "link": root_of(lang), "lang": lang} for lang in languages]


def derive_config(base: SiteConfig, files: SiteFiles, audience: str, title_suffix: str, language: str = "en",
                  languages: Sequence[str] = (), site_name: str = "") -> dict[str, Any]:
    """The config of one site: the base ``mkdocs.yml`` plus generated nav and strict validation.

    Only the settings of :data:`SITE_SETTINGS` (and, under ``theme`` and ``extra``, of
    :data:`THEME_SETTINGS` and :data:`EXTRA_SETTINGS`) are kept, even if check was bypassed:
    nothing that runs code or brings in other files (``INHERIT``, hooks, ``custom_dir``,
    scripts) reaches a site."""
    data: dict[str, Any] = {key: copy.deepcopy(value) for key, value in base.data.items() if key in SITE_SETTINGS}
    theme = data.get("theme") or {"name": "material"}
    theme = {"name": theme} if isinstance(theme, str) else theme
    if isinstance(theme, dict):
        theme = {key: value for key, value in theme.items() if key in THEME_SETTINGS}
    if isinstance(data.get("extra"), dict):
        data["extra"] = {key: value for key, value in data["extra"].items() if key in EXTRA_SETTINGS}
    if title_suffix:
        # A translated edition is named by the curriculum's translated title (site_name).
        data["site_name"] = f"{site_name or base.site_name} – {title_suffix}"
    if base.site_url:
        data["site_url"] = base.site_url + ("facilitator/" if audience == "facilitator" else "") + (
            "" if language == "en" else f"{language}/")
    data["docs_dir"] = "docs"
    # Pages are files (page.html, not page/index.html): the site works from file:// and from a
    # zip, and the addresses printed under QR codes stay valid.
    data["use_directory_urls"] = False
    # Nothing that runs after the audience gate: no includes, no page-changing plugins (check
    # refuses them; a site is never built with them even if check was bypassed).
    data["markdown_extensions"] = [e for e in data.get("markdown_extensions") or []
                                   if allowed_extension(str(next(iter(e)) if isinstance(e, dict) and e else e))]
    data["plugins"] = [p for p in data.get("plugins") or []
                       if isinstance(p, (str, dict)) and p
                       and str(next(iter(p)) if isinstance(p, dict) else p).removeprefix("material/") in SITE_PLUGINS]
    listed = {next(iter(e)) if isinstance(e, dict) else e for e in data.get("markdown_extensions") or []}
    data["markdown_extensions"] = list(data.get("markdown_extensions") or []) + [
        name for name in REQUIRED_EXTENSIONS if name not in listed]
    data["nav"] = files.nav
    data["extra_css"] = [CSS_PATH]
    shim = iframe_worker_shim()
    extra = data.setdefault("extra", {}) if shim is not None else None
    if shim is not None and isinstance(extra, dict):
        # Material's offline plugin would link the shim from a CDN; serve our own copy so that
        # search works on a computer without a network. The only script written into the pages.
        extra["polyfills"] = [SHIM_PATH]
        files.copies[SHIM_PATH] = shim
    data["validation"] = {
        "omitted_files": "warn",
        "absolute_links": "warn",
        "unrecognized_links": "warn",
        "anchors": "warn",
        "not_found": "warn",
    }
    if len(languages) > 1:
        # The switch leads to the same page in the other language (the theme's own switch leads
        # to the home page unless it can fetch a sitemap, which a copy on a disk cannot).
        data.setdefault("extra", {})["alternate"] = alternate(language, languages)
        if isinstance(theme, dict):
            theme["custom_dir"] = str(OVERRIDES)
    if isinstance(theme, dict):
        theme["language"] = language
        features = [f for f in theme.get("features") or [] if f not in REFUSED_FEATURES]
        theme["features"] = features + [f for f in REQUIRED_FEATURES if f not in features]
        if audience == "facilitator":
            theme["palette"] = _facilitator_palette(theme.get("palette"))
    data["theme"] = theme
    data["plugins"] = [_with_separator(p, language) for p in data["plugins"]]
    return _as_html(data)


def _facilitator_palette(palette: Any) -> Any:
    """The participant manual's palette (one scheme or a list of them) with another primary
    colour, so that the facilitator edition looks different at a glance."""
    options = palette if isinstance(palette, list) else [palette if isinstance(palette, dict) else {}]
    used = {str(o.get("primary", "")).lower().replace("-", " ") for o in options if isinstance(o, dict)}
    colour = next((c for c in FACILITATOR_PRIMARY if c not in used), FACILITATOR_PRIMARY[0])
    changed = [{**o, "primary": colour} if isinstance(o, dict) else o for o in options]
    return changed if isinstance(palette, list) else changed[0]


def _with_separator(plugin: Any, language: str = "en") -> Any:
    """The search plugin with :data:`SEARCH_SEPARATOR` unless mkdocs.yml sets a separator, and,
    in a translated edition, searching in its language (lunr's Korean tokeniser and trimmer)
    and in English (for the texts not translated yet)."""
    name = next(iter(plugin)) if isinstance(plugin, dict) else plugin
    if str(name).removeprefix("material/") != "search":
        return plugin
    options = plugin[name] if isinstance(plugin, dict) and isinstance(plugin[name], dict) else {}
    if language != "en":
        options = {**options, "lang": [language, "en"]}
    if "separator" in options:
        return {name: options}
    return {name: {**options, "separator": SEARCH_SEPARATOR}}


#: Settings that MkDocs and Material print as HTML, most of them unescaped (nav titles, the site
#: name in the nav and header, the copyright in the footer, the description in a <meta>). They are
#: plain text, in the content and in the base mkdocs.yml alike (HTML written there shows as
#: written), so each is escaped here, once, on its way into the derived config.
_TEXT_SETTINGS = ("site_name", "site_description", "site_author", "copyright")
#: Keys under ``extra`` that Material places in scripts or escapes itself: left as written.
_EXTRA_AS_IS = frozenset({"polyfills", "scope", "analytics"})


def _as_html(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with every text the theme prints as HTML escaped once, by :func:`escape_text`.

    The site generator titles every page in the nav, so every title a page shows comes through
    here. Material prints these texts raw in the nav, header, footer and search index; in a few
    attributes it escapes them again (``| e``), where the minimal escaping keeps a plain '&' or an
    apostrophe unchanged; and for ``<title>`` it unescapes them (``striptags``), which is why
    check refuses '<', '>', entities and backticks in titles, and the post-build scan reads the
    whole page, head included.
    """
    for key in _TEXT_SETTINGS:
        if isinstance(data.get(key), str):
            data[key] = escape_text(data[key])
    data["nav"] = _nav_as_html(data.get("nav") or [])
    extra = data.get("extra")
    if isinstance(extra, dict):
        data["extra"] = {k: v if k in _EXTRA_AS_IS else _strings_as_html(v) for k, v in extra.items()}
    theme = data.get("theme")
    palette = theme.get("palette") if isinstance(theme, dict) else None
    for option in palette if isinstance(palette, list) else [palette]:
        toggle = option.get("toggle") if isinstance(option, dict) else None
        if isinstance(toggle, dict) and isinstance(toggle.get("name"), str):
            toggle["name"] = escape_text(toggle["name"])
    return data


def _nav_as_html(nav: list[Any]) -> list[Any]:
    """The nav with its titles (the keys) escaped; page paths stay as they are."""
    out: list[Any] = []
    for item in nav:
        if isinstance(item, dict):
            out.append({escape_text(str(title)): _nav_as_html(value) if isinstance(value, list) else value
                        for title, value in item.items()})
        else:
            out.append(item)
    return out


def _strings_as_html(value: Any) -> Any:
    if isinstance(value, str):
        return escape_text(value)
    if isinstance(value, list):
        return [_strings_as_html(v) for v in value]
    if isinstance(value, dict):
        return {k: _strings_as_html(v) for k, v in value.items()}
    return value


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
        if rel_path.startswith("/") or ".." in rel_path.split("/") or not path.resolve().is_relative_to(docs.resolve()):
            raise BuildError(f"refusing to write '{rel_path}' outside the site's pages")
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


_CONFIG_VALUE = re.compile(r"^Config value '([^']+)'")
_PAGE = re.compile(r"'((modules|workshops)/([a-z0-9][a-z0-9-]*)[/.][^']*)'")


def _source_of(message: str, base: Path | None) -> tuple[str, int, int]:
    """The file (line, column) a MkDocs message is about: a setting of the base ``mkdocs.yml``,
    or the module or workshop file a generated page comes from; ('', 0, 0) when unknown."""
    m = _CONFIG_VALUE.match(message)
    if m:
        line, col = config_position(base, *m.group(1).split(".")) if base is not None and base.is_file() else (0, 0)
        return "mkdocs.yml", line, col
    m = _PAGE.search(message)
    if m:
        kind, ident = m.group(2), m.group(3)
        return (f"modules/{ident}/module.yml" if kind == "modules" else f"curriculum/{ident}.yml"), 0, 0
    return "", 0, 0


def _located(head: str, messages: list[str], base: Path | None) -> BuildError:
    """One error for MkDocs' messages, each led by the source file it is about."""
    placed = [(_source_of(msg, base), msg) for msg in messages]
    path, line, col = next((where for where, _ in placed if where[0]), ("", 0, 0))
    if len(placed) == 1:
        return BuildError(f"{head}: {messages[0]}", path, line, col)
    lines = [f"{Diagnostic(*where).where()}: {msg}" if where[0] else msg for where, msg in placed]
    return BuildError(f"{head}:\n  " + "\n  ".join(lines), path, line, col)


def run_mkdocs(gen_dir: Path, site_dir: Path, base: Path | None = None) -> None:
    """Build the site with stock MkDocs in strict mode into ``site_dir``; problems name the file
    they come from (``base`` is the repository's ``mkdocs.yml``, for the line of a setting)."""
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
        raise _located(f"MkDocs could not build the {gen_dir.name} site", collector.messages or [str(exc)], base) from None
    finally:
        logger.removeHandler(collector)
    if collector.messages:
        raise _located(f"MkDocs reported problems in the {gen_dir.name} site", collector.messages, base)


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
                when = (stamp[0], stamp[1], stamp[2], stamp[3], stamp[4], stamp[5])
                info = zipfile.ZipInfo(f"{site_dir.name}/{path.relative_to(site_dir).as_posix()}", date_time=when)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                z.writestr(info, path.read_bytes())
    return dest


_INLINE_CODE = re.compile(r"<(script|style)\b[^>]*>(.*?)</\1\s*>", re.S | re.I)
_TEMPLATE_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.S)
#: What a template expression inside a theme's script or style may stand for in a built page:
#: base paths, ids and font names; never a quote, '<', ':' or a backslash.
_EXPRESSION_VALUE = r"[\w ./-]*"


@functools.lru_cache(maxsize=4)
def theme_inline_code(theme: str = "material") -> tuple[re.Pattern[str], ...]:
    """The inline scripts and styles that the templates of ``theme`` write, as patterns that a
    script's or style's text in a built page must match in full to be the theme's own.

    Read from the installed theme's template files, so they follow the theme's version; each
    ``{{ … }}`` expression stands for a value of :data:`_EXPRESSION_VALUE`. Code that a template
    builds with ``{% … %}``, or that is nothing but an expression (the theme's JSON settings,
    judged as data instead), is not reproduced and so never matches.
    """
    from mkdocs.theme import Theme

    try:
        folders = Theme(name=theme).dirs
    except Exception:  # noqa: BLE001 - no such theme: nothing is the theme's, every script a finding
        folders = []
    found: set[str] = set()
    for folder in folders:
        for path in sorted(Path(folder).rglob("*.html")):
            for m in _INLINE_CODE.finditer(path.read_text(encoding="utf-8", errors="replace")):
                body = m.group(2).strip()
                parts = _TEMPLATE_EXPRESSION.split(body)
                if "".join(parts).strip() and "{%" not in body and "{#" not in body:
                    found.add(_EXPRESSION_VALUE.join(re.escape(part) for part in parts))
    return tuple(re.compile(pattern) for pattern in sorted(found))
