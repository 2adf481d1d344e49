"""A small stacked bar chart of stories per day by topic: inline SVG, a PNG for mail, a text sparkline.

The SVG is written by hand (thirty bars need no plotting library) and inlines into HTML files; mail
clients that ignore SVG get the same bars drawn with Pillow as a PNG (``png_chart``) with an HTML
legend (``legend``).
"""
from __future__ import annotations

import io
from collections import Counter
from datetime import date

from markupsafe import Markup, escape
from PIL import Image, ImageDraw

# Colour-blind-safe palette (Okabe–Ito); topics beyond it are folded into "other".
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
OTHER_COLOUR = "#999999"
WIDTH, HEIGHT, PLOT_TOP, PLOT_BOTTOM, LEFT = 600, 170, 10, 120, 28
SPARKS = " ▁▂▃▄▅▆▇█"


def _series(per_topic: dict[str, Counter]) -> list[tuple[str, Counter]]:
    ranked = sorted(per_topic, key=lambda t: (t == "other", -sum(per_topic[t].values()), t))
    keep = [t for t in ranked if t != "other"][: len(PALETTE)]
    rest: Counter = Counter()
    for topic in ranked:
        if topic not in keep:
            rest.update(per_topic[topic])
    series = [(t, per_topic[t]) for t in keep]
    if rest:
        series.append(("other", rest))
    return series


def svg_chart(days: list[date], per_topic: dict[str, Counter], title: str = "Stories per day, last 30 days") -> Markup:
    """Stacked bars, one per day, coloured by topic, with a legend. Labels are escaped."""
    series = _series(per_topic)
    totals = [sum(c[d] for _, c in series) for d in days]
    peak = max(totals, default=0) or 1
    slot = (WIDTH - LEFT - 8) / max(len(days), 1)
    bar = max(slot - 2, 1)
    scale = (PLOT_BOTTOM - PLOT_TOP) / peak
    y = PLOT_BOTTOM + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        'style="font-family:Helvetica,Arial,sans-serif;font-size:11px">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LEFT}" y1="{PLOT_BOTTOM}" x2="{WIDTH - 4}" y2="{PLOT_BOTTOM}" stroke="#bbb"/>',
        f'<text x="{LEFT - 4}" y="{PLOT_TOP + 8}" text-anchor="end" fill="#555">{peak}</text>',
        f'<text x="{LEFT - 4}" y="{PLOT_BOTTOM}" text-anchor="end" fill="#555">0</text>',
    ]
    for i, day in enumerate(days):
        x = LEFT + 1 + i * slot
        y = PLOT_BOTTOM
        for index, (topic, counts) in enumerate(series):
            n = counts.get(day, 0)
            if not n:
                continue
            h = n * scale
            y -= h
            colour = PALETTE[index] if topic != "other" else OTHER_COLOUR
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{day.isoformat()}: {escape(topic)} {n}</title></rect>"
            )
    if days:
        parts.append(f'<text x="{LEFT}" y="{PLOT_BOTTOM + 14}" fill="#555">{days[0]:%d %b}</text>')
        parts.append(f'<text x="{WIDTH - 4}" y="{PLOT_BOTTOM + 14}" text-anchor="end" fill="#555">{days[-1]:%d %b}</text>')
    x, y, legend = LEFT, PLOT_BOTTOM + 30, []
    for index, (topic, counts) in enumerate(series):
        colour = PALETTE[index] if topic != "other" else OTHER_COLOUR
        label = f"{topic} ({sum(counts.values())})"
        width = 24 + 6.5 * len(label)
        if x > LEFT and x + width > WIDTH:  # wrap the legend instead of cutting it off
            x, y = LEFT, y + 16
        legend.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{colour}"/>')
        legend.append(f'<text x="{x + 14}" y="{y + 9}" fill="#333">{escape(label)}</text>')
        x += width
    parts.extend(legend)
    if not series:
        parts.append(f'<text x="{WIDTH / 2}" y="{PLOT_BOTTOM / 2}" text-anchor="middle" fill="#777">no stories</text>')
    parts.append("</svg>")
    height = max(HEIGHT, y + 16)
    parts[0] = parts[0].replace(f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}"',
                                f'height="{height}" viewBox="0 0 {WIDTH} {height}"')
    return Markup("".join(parts))


def sparkline(days: list[date], per_topic: dict[str, Counter]) -> str:
    """One character per day, for the plain-text email."""
    totals = [sum(c.get(d, 0) for c in per_topic.values()) for d in days]
    peak = max(totals, default=0)
    if not peak:
        return ""
    return "".join(SPARKS[0] if not n else SPARKS[max(1, round(n / peak * 8))] for n in totals)


def legend(per_topic: dict[str, Counter]) -> list[tuple[str, str, int]]:
    """(topic, colour, stories) per series, in the chart's order."""
    return [(topic, PALETTE[i] if topic != "other" else OTHER_COLOUR, sum(counts.values()))
            for i, (topic, counts) in enumerate(_series(per_topic))]


def png_chart(days: list[date], per_topic: dict[str, Counter], scale: int = 2) -> bytes:
    """The SVG's bars as a PNG at ``scale`` times 600 x 120 pixels (sharp on high-density screens)."""
    series = _series(per_topic)
    width, height, base = 600 * scale, 120 * scale, 112 * scale
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)

    def bar(x0: float, y0: float, x1: float, y1: float, colour: str) -> None:
        """Fill [x0, x1) x [y0, y1) in whole pixels (Pillow's rectangles include their last pixel)."""
        left, top, right, bottom = round(x0), round(y0), round(x1), round(y1)
        if right > left and bottom > top:
            draw.rectangle((left, top, right - 1, bottom - 1), fill=colour)

    bar(0, base, width, base + scale, "#bbbbbb")
    totals = [sum(c[d] for _, c in series) for d in days]
    peak = max(totals, default=0) or 1
    slot = width / max(len(days), 1)
    unit = (base - 4 * scale) / peak
    for i, day in enumerate(days):
        y = base
        for index, (topic, counts) in enumerate(series):
            n = counts.get(day, 0)
            if n:
                colour = PALETTE[index] if topic != "other" else OTHER_COLOUR
                bar(i * slot + scale, y - n * unit, (i + 1) * slot - scale, y, colour)
                y -= n * unit
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
