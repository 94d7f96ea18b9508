"""Server-rendered SVG charts: ``bar``, ``line`` and ``ranking``, pure functions returning SVG markup.

The same markup serves pages (inline, scaled by CSS through ``viewBox``) and PDFs (WeasyPrint draws
inline SVG), so no chart library and no script is needed. Each bar, point or row may carry a link
(``href``): on a page it opens the orders behind the figure. Text is escaped; every chart has a
``<title>`` for screen readers.
"""
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

FONT = "Noto Sans CJK SC, WenQuanYi Micro Hei, Microsoft YaHei, sans-serif"
COLOURS = ["#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0891b2"]


@dataclass(frozen=True)
class Item:
    label: str
    value: float | None
    href: str | None = None
    rank: int | None = None  # a ranking's number (default: the position)
    warn: bool = False  # drawn in the warning colour (the bottom of a ranking)


def _fmt(value, percent: bool) -> str:
    if value is None:
        return "—"
    if percent:
        return f"{value * 100:.1f}%"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _svg(width: int, height: int, title: str, body: list[str], kind: str) -> Markup:
    # every text that reaches the markup (title, labels, links) passes through escape(); numbers are formatted
    return Markup(  # nosec B704  # built only from escaped text and numbers, see above
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" font-family="{FONT}" font-size="12">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>")


def _link(href: str | None, inner: str) -> str:
    return f'<a href="{escape(href)}">{inner}</a>' if href else inner


def _nice_max(value: float) -> float:
    """The axis top: the first of 1, 2, 2.5, 5, 10 × 10ⁿ at or above ``value``."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(value)


def _ticks(top_value: float) -> int:
    """How many gridlines divide the axis into round numbers (250 -> 5 of 50, 200 -> 4 of 50)."""
    lead = top_value / 10 ** (len(str(int(top_value))) - 1) if top_value >= 1 else top_value * 10
    return 4 if round(lead, 6) == 2 else 5


def bar(items: list[Item], title: str, percent: bool = False, width: int = 640, height: int = 240,
        colour: str = COLOURS[0]) -> Markup:
    """Vertical bars, one per item, with its value above it and its label below."""
    left, right, top, bottom = 44, 10, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [i.value or 0 for i in items]
    top_value = 1.0 if percent else _nice_max(max(values, default=0))
    body = _axes(left, top, plot_w, plot_h, top_value, percent)
    slot = plot_w / max(len(items), 1)
    bar_w = max(min(slot * 0.6, 48), 2)
    for n, item in enumerate(items):
        v = item.value or 0
        h = plot_h * v / top_value if top_value else 0
        x = left + slot * n + (slot - bar_w) / 2
        y = top + plot_h - h
        rect = (f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}" '
                f'data-label="{escape(item.label)}" data-value="{_fmt(item.value, percent)}">'
                f"<title>{escape(item.label)}：{_fmt(item.value, percent)}</title></rect>")
        text = (f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="10" '
                f'fill="#333">{_fmt(item.value, percent)}</text>')
        body.append(_link(item.href, rect + text))
        body.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="11" '
                    f'fill="#555">{escape(item.label)}</text>')
    return _svg(width, height, title, body, "bar")


def _axes(left, top, plot_w, plot_h, top_value, percent) -> list[str]:
    out = []
    ticks = 4 if percent else _ticks(top_value)
    for t in range(ticks + 1):
        value = top_value * t / ticks
        y = top + plot_h - plot_h * t / ticks
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        label = f"{value * 100:.0f}%" if percent else f"{value:g}"
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10" fill="#777">{label}</text>')
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#9ca3af"/>')
    return out


def line(labels: list[str], series: list[tuple[str, list[float | None]]], title: str, percent: bool = True,
         hrefs: list[str | None] | None = None, width: int = 640, height: int = 240) -> Markup:
    """One line per series over the same labels (months); gaps where a value is None; a legend on top."""
    left, right, top, bottom = 44, 10, 30, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    every = [v for _, values in series for v in values if v is not None]
    if percent:
        low = min(every, default=0)
        floor = 0.0 if low < 0.6 else (0.6 if low < 0.8 else 0.8)  # gridlines at 25%, 10% or 5% steps
        top_value = 1.0
    else:
        floor, top_value = 0.0, _nice_max(max(every, default=0))
    span = (top_value - floor) or 1
    body = []
    ticks = 4 if percent else _ticks(top_value)
    for t in range(ticks + 1):
        value = floor + span * t / ticks
        y = top + plot_h - plot_h * t / ticks
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        text = f"{value * 100:.0f}%" if percent else f"{value:g}"
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10" fill="#777">{text}</text>')
    step = plot_w / max(len(labels) - 1, 1)
    for n, label in enumerate(labels):
        x = left + step * n if len(labels) > 1 else left + plot_w / 2
        body.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="10" '
                    f'fill="#555">{escape(label)}</text>')
    for s, (name, values) in enumerate(series):
        colour = COLOURS[s % len(COLOURS)]
        points, path = [], []
        for n, value in enumerate(values):
            if value is None:
                path.append(None)
                continue
            x = left + step * n if len(labels) > 1 else left + plot_w / 2
            y = top + plot_h - plot_h * (value - floor) / span
            path.append((x, y))
            dot = (f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}" '
                   f'data-series="{escape(name)}" data-value="{_fmt(value, percent)}">'
                   f"<title>{escape(name)} {escape(labels[n])}：{_fmt(value, percent)}</title></circle>")
            points.append(_link(hrefs[n] if hrefs else None, dot))
        segments, current = [], []
        for p in path + [None]:
            if p is None:
                if len(current) > 1:
                    segments.append(current)
                current = []
            else:
                current.append(p)
        for seg in segments:
            d = " ".join(f"{x:.1f},{y:.1f}" for x, y in seg)
            body.append(f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="2"/>')
        body.extend(points)
        lx = left + s * 120
        body.append(f'<rect x="{lx}" y="6" width="12" height="4" fill="{colour}"/>'
                    f'<text x="{lx + 16}" y="12" font-size="11" fill="#333">{escape(name)}</text>')
    return _svg(width, height, title, body, "line")


def ranking(items: list[Item], title: str, percent: bool = True, width: int = 640, row: int = 22,
            label_width: int = 150) -> Markup:
    """Horizontal bars, best first as given, each row numbered (``Item.rank`` or the position), those
    marked ``warn`` in red: a ranking of units or categories."""
    top, right = 6, 56
    height = top * 2 + row * max(len(items), 1)
    plot_w = width - label_width - right
    values = [i.value or 0 for i in items]
    top_value = 1.0 if percent else _nice_max(max(values, default=0))
    body = []
    for n, item in enumerate(items):
        y = top + row * n
        w = plot_w * (item.value or 0) / top_value if top_value else 0
        colour = COLOURS[4] if item.warn else COLOURS[0]
        label = f"{item.rank or n + 1}. {item.label}"
        inner = (f'<text x="{label_width - 6}" y="{y + row * 0.68:.1f}" text-anchor="end" fill="#333">'
                 f"{escape(label)}</text>"
                 f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{colour}" '
                 f'data-label="{escape(item.label)}" data-value="{_fmt(item.value, percent)}">'
                 f"<title>{escape(item.label)}：{_fmt(item.value, percent)}</title></rect>"
                 f'<text x="{label_width + w + 4:.1f}" y="{y + row * 0.68:.1f}" font-size="11" fill="#333">'
                 f"{_fmt(item.value, percent)}</text>")
        body.append(_link(item.href, inner))
    if not items:
        body.append(f'<text x="{width / 2}" y="{top + row * 0.7}" text-anchor="middle" fill="#777">暂无数据</text>')
    return _svg(width, height, title, body, "ranking")
