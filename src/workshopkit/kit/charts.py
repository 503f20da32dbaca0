"""The charts of the results report and the evaluation summary, drawn by matplotlib as SVG.

Drawn with matplotlib's object API on its SVG canvas (no GUI and no raster backend), text as
outlines in DejaVu Sans (Noto Sans CJK for Korean, when installed), so the charts look the same
wherever the report is made, and readable in black and white: the series differ by hatching and
grey level, never by colour alone. Every chart has its figures in a table beside it, for those
who do not read charts and for the text of the PDF.
"""

from __future__ import annotations

import base64
import functools
import io
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Before: white with diagonal hatching; after: dark grey.
BEFORE: dict[str, Any] = {"facecolor": "white", "edgecolor": "black", "hatch": "////", "linewidth": 0.6}
AFTER: dict[str, Any] = {"facecolor": "#4d4d4d", "edgecolor": "black", "linewidth": 0.6}
#: The five points of a rating scale, from the most negative: the negative side hatched, the
#: positive side solid, the middle white; darker towards both ends.
SCALE: tuple[dict[str, Any], ...] = (
    {"facecolor": "#7a7a7a", "edgecolor": "black", "hatch": "////", "linewidth": 0.5},
    {"facecolor": "#d0d0d0", "edgecolor": "black", "hatch": "////", "linewidth": 0.5},
    {"facecolor": "white", "edgecolor": "black", "linewidth": 0.5},
    {"facecolor": "#d0d0d0", "edgecolor": "black", "linewidth": 0.5},
    {"facecolor": "#7a7a7a", "edgecolor": "black", "linewidth": 0.5},
)
_WIDTH = 6.4  # inches: the text width of an A4 or Letter page with the report's margins


@functools.cache
def _families() -> tuple[str, ...]:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return ("DejaVu Sans",) + tuple(f for f in ("Noto Sans CJK KR",) if f in installed)


@contextmanager
def _figure(height: float) -> Iterator[Figure]:
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "workshopkit", "font.family": list(_families()),
                                "font.size": 8.5, "hatch.linewidth": 0.6, "axes.edgecolor": "#333333",
                                "axes.linewidth": 0.6}):
        fig = Figure(figsize=(_WIDTH, height), layout="constrained")
        FigureCanvasSVG(fig)
        yield fig


def _svg(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue().decode("utf-8")


def data_url(svg: str) -> str:
    """An SVG as a ``data:`` URL, for an ``<img>`` (WeasyPrint fetches nothing else)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _plain_axes(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=2.5, width=0.6)


def score_distribution(max_score: int, before: Sequence[int], after: Sequence[int], labels: dict[str, str]) -> str:
    """Grouped bars: how many people had each score, before and after."""
    from matplotlib.ticker import MaxNLocator

    with _figure(2.5) as fig:
        ax = fig.add_subplot()
        xs = list(range(max_score + 1))
        ax.bar([x - 0.19 for x in xs], before, width=0.38, label=labels["before"], **BEFORE)
        ax.bar([x + 0.19 for x in xs], after, width=0.38, label=labels["after"], **AFTER)
        ax.set_xticks(xs)
        ax.set_xlabel(labels["x"])
        ax.set_ylabel(labels["y"])
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        fig.legend(frameon=False, loc="outside upper right", ncols=2)
        _plain_axes(ax)
        return _svg(fig)


def before_after(rows: Sequence[str], before: Sequence[float | None], after: Sequence[float | None],
                 labels: dict[str, str]) -> str:
    """Horizontal bars per row (an objective, an item): the share correct before and after, in %."""
    height = 0.9 + 0.42 * len(rows)
    with _figure(height) as fig:
        ax = fig.add_subplot()
        ys = list(range(len(rows)))
        ax.barh([y - 0.19 for y in ys], [100 * (v or 0) for v in before], height=0.38, label=labels["before"], **BEFORE)
        ax.barh([y + 0.19 for y in ys], [100 * (v or 0) for v in after], height=0.38, label=labels["after"], **AFTER)
        ax.set_yticks(ys, [textwrap.shorten(r, 48, placeholder="…") for r in rows])
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel(labels["x"])
        fig.legend(frameon=False, loc="outside upper right", ncols=2)
        _plain_axes(ax)
        return _svg(fig)


def diverging(rows: Sequence[str], counts: Sequence[Sequence[int]], scale: Sequence[str], x_label: str) -> str:
    """Diverging stacked bars: per row, the share of each rating of a five-point scale, the
    middle point centred on zero, the negative ones to the left and the positive to the right."""
    height = 1.2 + 0.36 * len(rows)
    with _figure(height) as fig:
        ax = fig.add_subplot()
        ys = list(range(len(rows)))
        shares = [[100 * c / sum(row) if sum(row) else 0 for c in row] for row in counts]
        lefts = [-(s[0] + s[1] + s[2] / 2) for s in shares]
        for k in range(5):
            widths = [s[k] for s in shares]
            ax.barh(ys, widths, left=lefts, height=0.62, label=scale[k] if k < len(scale) else str(k + 1), **SCALE[k])
            lefts = [left + w for left, w in zip(lefts, widths, strict=True)]
        ax.axvline(0, color="black", linewidth=0.7)
        ax.set_yticks(ys, [textwrap.shorten(r, 52, placeholder="…") for r in rows])
        ax.invert_yaxis()
        ax.set_xlim(-100, 100)
        ax.set_xticks([-100, -50, 0, 50, 100], ["100 %", "50 %", "0", "50 %", "100 %"])
        ax.set_xlabel(x_label)
        fig.legend(frameon=False, loc="outside upper center", ncols=5 if sum(map(len, scale)) < 70 else 3,
                   handlelength=1.6, columnspacing=1.2)
        _plain_axes(ax)
        return _svg(fig)
