"""Draw the analytics page's charts as inline SVG on the server: no script, no inline style.

The CSP allows neither inline scripts nor style attributes; SVG presentation attributes (x,
width, fill) are neither, so the charts need no exception. Each chart has a title for screen
readers, and the page puts a table with the same numbers beside it.
"""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# Geometry in SVG user units; the viewBox scales the drawing to the column's width.
WIDTH = 640
ROW = 26
LABEL = 170
BAR_GAP = 6
AXIS_FONT = 12
NEUTRAL = "#4b6a8a"
LIGHT = "#a9bfd4"


def _n(value: float) -> str:
    return f"{value:.1f}"


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value, the text shown at its end, and its colour."""

    label: str
    value: float
    text: str
    colour: str = NEUTRAL
    # A second, lighter bar behind the first (the 90th percentile behind the median).
    behind: float | None = None
    behind_text: str = ""


def _scale(bars: list[Bar], room: float) -> float:
    top = max([b.value for b in bars] + [b.behind or 0 for b in bars] + [0])
    return room / top if top > 0 else 0


def horizontal_bars(*, chart_id: str, title: str, bars: list[Bar]) -> SafeString:
    """Return an SVG with one labelled horizontal bar per item (and a lighter one behind)."""
    # Room on the right for the value written after the longest bar.
    room = WIDTH - LABEL - 150
    unit = _scale(bars, room)
    height = ROW * len(bars) + BAR_GAP
    rows = []
    for i, bar in enumerate(bars):
        y = i * ROW + BAR_GAP
        behind = ""
        if bar.behind is not None:
            behind = format_html(
                '<rect class="bar-behind" x="{}" y="{}" width="{}" height="{}" fill="{}">'
                "<title>{}</title></rect>",
                LABEL,
                y,
                _n(bar.behind * unit),
                ROW - BAR_GAP,
                LIGHT,
                bar.behind_text,
            )
        end = max(bar.value, bar.behind or 0) * unit
        rows.append(
            format_html(
                '<g class="bar"><text x="{}" y="{}" text-anchor="end" font-size="{}">{}</text>'
                '{}<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                "<title>{}</title></rect>"
                '<text x="{}" y="{}" font-size="{}">{}</text></g>',
                LABEL - 8,
                y + ROW / 2,
                AXIS_FONT,
                bar.label,
                behind,
                LABEL,
                y,
                _n(bar.value * unit),
                ROW - BAR_GAP,
                bar.colour,
                bar.text,
                _n(LABEL + end + 6),
                y + ROW / 2,
                AXIS_FONT,
                bar.text,
            )
        )
    return _svg(chart_id, title, height, format_html_join("", "{}", ((r,) for r in rows)))


def columns(*, chart_id: str, title: str, bars: list[Bar], every: int = 4) -> SafeString:
    """Return an SVG with one column per item, labelling every `every`th item below the axis."""
    plot = 180
    step = (WIDTH - 40) / max(len(bars), 1)
    unit = _scale(bars, plot - 20)
    parts = []
    for i, bar in enumerate(bars):
        x = 30 + i * step
        h = bar.value * unit
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
                _n(x),
                _n(plot - h),
                _n(max(step - 2, 1)),
                _n(h),
                bar.colour,
                bar.label,
                bar.text,
            )
        )
        if i % every == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="{}">{}</text>',
                    _n(x),
                    plot + 16,
                    AXIS_FONT - 2,
                    bar.label,
                )
            )
    top = max([b.value for b in bars] + [0])
    axis = format_html(
        '<line x1="28" y1="{}" x2="{}" y2="{}" stroke="#888"/>'
        '<text x="0" y="14" font-size="{}">{}</text><text x="0" y="{}" font-size="{}">0</text>',
        plot,
        WIDTH - 8,
        plot,
        AXIS_FONT,
        f"{top:g}",
        plot,
        AXIS_FONT,
    )
    body = format_html("{}{}", axis, format_html_join("", "{}", ((p,) for p in parts)))
    return _svg(chart_id, title, plot + 24, body)


def _svg(chart_id: str, title: str, height: float, body) -> SafeString:
    return format_html(
        '<svg class="chart" id="{}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        'role="img" aria-labelledby="{}-title"><title id="{}-title">{}</title>{}</svg>',
        chart_id,
        WIDTH,
        int(height),
        chart_id,
        chart_id,
        title,
        body,
    )
