"""A deck as a PowerPoint file (python-pptx) that trainers can edit in PowerPoint or Impress.

Each slide uses the layouts of the default template (title, title and content), so its title
and text stay placeholders an editor can restyle; the text has the sizes of the PDF deck, lists
keep their levels and numbers, images are pictures. Speaker notes are written only for a deck
that carries them (the facilitator's); a participant deck's slides have no notes at all.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import html as lxml_html
from markupsafe import escape

from . import deck as decks

EMU_PER_MM = 36000
TEAL = (0x00, 0x57, 0x4B)
PALE = (0xE0, 0xF2, 0xEF)
_SIZE_PT = {"": decks.SIZES[0], "dense": decks.SIZES[1], "denser": decks.SIZES[2]}
_MESSAGE_PT = dict(decks.MESSAGE_SIZES)


def _runs(fragment: str) -> list[tuple[str, bool, bool]]:
    """The text of an HTML fragment as (text, bold, italic) runs."""
    out: list[tuple[str, bool, bool]] = []
    if not fragment.strip():
        return out
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")

    def walk(el: Any, bold: bool, italic: bool) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        bold = bold or tag in ("strong", "b", "th") or tag.startswith("h")
        italic = italic or tag in ("em", "i")
        if el.text:
            out.append((el.text, bold, italic))
        for child in el:
            if isinstance(child.tag, str) and child.tag == "br":
                out.append(("\v", bold, italic))
            elif isinstance(child.tag, str) and child.tag in ("td", "th"):
                walk(child, bold, italic)
                out.append(("   ", False, False))
            else:
                walk(child, bold, italic)
            if child.tail:
                out.append((child.tail, bold, italic))

    walk(root, False, False)
    # Whitespace as a browser shows it: runs of blanks and line breaks as one space.
    cleaned = []
    for text, bold, italic in out:
        t = " ".join(text.split()) if text != "\v" else text
        if text[:1].isspace() and t != "\v":
            t = " " + t
        if text[-1:].isspace() and t and t != "\v" and not t.endswith(" "):
            t += " "
        if t:
            cleaned.append((t, bold, italic))
    if cleaned:
        cleaned[0] = (cleaned[0][0].lstrip(), *cleaned[0][1:])
        cleaned[-1] = (cleaned[-1][0].rstrip(), *cleaned[-1][1:])
    return [r for r in cleaned if r[0]]


def _image_bytes(uri: str) -> io.BytesIO | None:
    path = Path(unquote(urlsplit(uri).path))
    if not path.is_file():
        return None
    data = path.read_bytes()
    if path.suffix.lower() == ".webp":  # PowerPoint does not read WebP
        from PIL import Image

        buf = io.BytesIO()
        Image.open(io.BytesIO(data)).save(buf, format="PNG")
        data = buf.getvalue()
    return io.BytesIO(data)


class Writer:
    def __init__(self, language: str, notes: bool, title: str):
        from pptx import Presentation
        from pptx.util import Emu

        self.prs = Presentation()
        self.prs.slide_width = Emu(int(decks.PAGE_W_MM * EMU_PER_MM))
        self.prs.slide_height = Emu(int(decks.PAGE_H_MM * EMU_PER_MM))
        self.language = language
        self.notes = notes
        props = self.prs.core_properties
        props.title = title
        props.author = ""
        props.last_modified_by = ""
        props.comments = ""
        props.keywords = ""
        fixed = dt.datetime(2000, 1, 1)
        props.created = props.modified = fixed
        props.revision = 1

    # --- text ----------------------------------------------------------------------------------

    def _style_run(self, run: Any, pt: float, bold: bool = False, italic: bool = False,
                   color: tuple[int, int, int] | None = None) -> None:
        from pptx.dml.color import RGBColor
        from pptx.enum.lang import MSO_LANGUAGE_ID
        from pptx.util import Pt

        run.font.size = Pt(pt)
        run.font.bold = bold or None
        run.font.italic = italic or None
        if color is not None:
            run.font.color.rgb = RGBColor(*color)  # type: ignore[no-untyped-call]
        if self.language == "ko":
            run.font.language_id = MSO_LANGUAGE_ID.KOREAN

    def _set_text(self, frame: Any, text: str, pt: float, bold: bool = False,
                  color: tuple[int, int, int] | None = None) -> None:
        frame.word_wrap = True
        p = frame.paragraphs[0]
        p.text = ""
        run = p.add_run()
        run.text = text
        self._style_run(run, pt, bold, color=color)

    def _bullet(self, paragraph: Any, unit: decks.Unit | None) -> None:
        """No bullet for a paragraph; a bullet or a number (from where the list is) for an item."""
        from pptx.oxml.ns import qn

        ppr = paragraph._p.get_or_add_pPr()
        for tag in ("a:buNone", "a:buAutoNum", "a:buChar"):
            for old in ppr.findall(qn(tag)):
                ppr.remove(old)
        if unit is None or unit.wrap not in ("ul", "ol"):
            ppr.set("marL", "0")
            ppr.set("indent", "0")
            ppr.append(ppr.makeelement(qn("a:buNone"), {}))
            return
        indent = int(decks.INDENT_MM * EMU_PER_MM)
        ppr.set("marL", str(indent * (unit.depth + 1)))
        ppr.set("indent", str(-indent))
        if unit.wrap == "ol":
            ppr.append(ppr.makeelement(qn("a:buAutoNum"), {"type": "arabicPeriod", "startAt": str(unit.number)}))
        else:
            ppr.append(ppr.makeelement(qn("a:buChar"), {"char": "•"}))

    def _body(self, frame: Any, units: list[decks.Unit], pt: float, color: tuple[int, int, int] | None = None,
              bold: bool = False) -> None:
        from pptx.enum.text import MSO_AUTO_SIZE
        from pptx.util import Pt

        frame.word_wrap = True
        frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE  # PowerPoint shrinks text an editor adds
        first = True
        for u in units:
            p = frame.paragraphs[0] if first else frame.add_paragraph()
            first = False
            p.level = min(u.depth, 8)
            self._bullet(p, u)
            p.space_after = Pt(pt * decks.PARA_GAP)
            size = pt * (1.1 if u.heading else 1.0)
            html = u.html if u.wrap in ("ul", "ol") else (f"<div>{u.html}</div>" if u.html else "")
            for text, b, i in _runs(html) or [(u.text, False, False)]:
                run = p.add_run()
                run.text = text
                self._style_run(run, size, b or bold or u.heading, i, color)

    # --- slides --------------------------------------------------------------------------------

    def _box(self, slide: Any, left: float, top: float, width: float, height: float) -> Any:
        from pptx.util import Emu

        return slide.shapes.add_textbox(Emu(int(left * EMU_PER_MM)), Emu(int(top * EMU_PER_MM)),
                                        Emu(int(width * EMU_PER_MM)), Emu(int(height * EMU_PER_MM)))

    @staticmethod
    def _place(shape: Any, left: float, top: float, width: float, height: float) -> None:
        from pptx.util import Emu

        shape.left, shape.top = Emu(int(left * EMU_PER_MM)), Emu(int(top * EMU_PER_MM))
        shape.width, shape.height = Emu(int(width * EMU_PER_MM)), Emu(int(height * EMU_PER_MM))

    def add(self, x: decks.Slide) -> None:
        from pptx.dml.color import RGBColor

        side, width = decks.SIDE_MM, decks.BODY_W_MM
        opening = x.kind in ("title", "section")
        layout = self.prs.slide_layouts[0 if opening else 1]
        slide = self.prs.slides.add_slide(layout)
        title, body = slide.placeholders[0], slide.placeholders[1]
        if opening:
            slide.background.fill.solid()
            slide.background.fill.fore_color.rgb = RGBColor(*TEAL)  # type: ignore[no-untyped-call]
            self._place(title, side, 40 if x.kind == "title" else 34, width, 45)
            self._set_text(title.text_frame, x.title, 48 if x.kind == "title" else 44, True, color=(255, 255, 255))
            self._place(body, side, 92, width, 60)
            sub = [decks.Unit(f"<p>{escape(t)}</p>", t) for t in (x.subtitle,) if t]
            sub += decks.units_of(str(x.body))
            self._body(body.text_frame, sub, 24, color=PALE)
        else:
            top = 12.0
            if x.kicker:
                k = self._box(slide, side, top, width, 8)
                self._set_text(k.text_frame, x.kicker, 18 if x.kind == "message" else 14, color=TEAL)
            top += 9
            tl = decks.title_lines(x.title) if x.title else 0
            title_h = max(1, tl) * decks.TITLE_LINE_MM + 2
            self._place(title, side, top, width, title_h)
            if x.title:
                self._set_text(title.text_frame, x.title, decks.TITLE_PT, True, color=TEAL)
            else:
                title.element.getparent().remove(title.element)
            top += (title_h if x.title else 0)
            if x.subtitle and x.kind != "figure":
                s = self._box(slide, side, top, width, 9)
                self._set_text(s.text_frame, x.subtitle, 20, color=(0x44, 0x44, 0x44))
                top += 10
            top += 4
            height = decks.PAGE_H_MM - top - 14
            if x.figure is not None:
                body.element.getparent().remove(body.element)
                self._figure(slide, x.figure, top, height)
            elif x.kind == "message":
                self._place(body, side, top + 14, width, height - 14)
                pt = _MESSAGE_PT.get(x.size, decks.MESSAGE_SIZES[0][1])
                self._body(body.text_frame, decks.units_of(str(x.body)), pt, bold=True)
            else:
                self._place(body, side, top, width, height)
                units = decks.units_of(str(x.body))
                if units:
                    self._body(body.text_frame, units, _SIZE_PT.get(x.size, decks.BODY_PT))
                else:
                    body.element.getparent().remove(body.element)
        if self.notes and x.notes:
            slide.notes_slide.notes_text_frame.text = "\n".join(x.notes)

    def _figure(self, slide: Any, figure: tuple[str, str], top: float, height: float) -> None:
        from PIL import Image
        from pptx.util import Emu

        data = _image_bytes(figure[0])
        if data is None:
            return
        caption_h = 10.0 if figure[1] else 0.0
        w_px, h_px = Image.open(data).size
        data.seek(0)
        room_w, room_h = decks.BODY_W_MM, height - caption_h
        scale = min(room_w / w_px, room_h / h_px)
        w, h = w_px * scale, h_px * scale
        left = (decks.PAGE_W_MM - w) / 2
        pic = slide.shapes.add_picture(data, Emu(int(left * EMU_PER_MM)), Emu(int(top * EMU_PER_MM)),
                                       Emu(int(w * EMU_PER_MM)), Emu(int(h * EMU_PER_MM)))
        if figure[1]:
            pic._element.nvPicPr.cNvPr.set("descr", figure[1])
            cap = self._box(slide, decks.SIDE_MM, top + h + 2, decks.BODY_W_MM, caption_h)
            self._set_text(cap.text_frame, figure[1], 18, color=(0x44, 0x44, 0x44))

    def save(self, path: Path) -> None:
        """Write the file; its zip entries carry a fixed date, so that the same deck makes the
        same bytes (two builds of the same content are identical)."""
        buf = io.BytesIO()
        self.prs.save(buf)
        with zipfile.ZipFile(buf) as made, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for info in made.infolist():
                entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.external_attr = info.external_attr
                out.writestr(entry, made.read(info.filename))


def write(deck: decks.Deck, slides: list[decks.Slide], path: Path, title: str) -> None:
    """Write ``slides`` of ``deck`` to ``path`` (speaker notes only if the deck carries them)."""
    w = Writer(deck.language, deck.notes, title)
    for x in slides:
        w.add(x)
    w.save(path)
