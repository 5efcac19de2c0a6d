"""The overview's chart, drawn on the server as SVG: messages per day, stacked by what became of them."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from assistant.records import ANSWERED, DECLINED, DID_YOU_MEAN, ENTRY, PASSAGE, UNANSWERED, Day

# The groups drawn, bottom to top, with their colours (readable on white, told apart without colour by the
# legend's order and the table below the chart).
GROUPS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("answered", (ENTRY, PASSAGE, ANSWERED), "#2e7d32"),
    ("did_you_mean", (DID_YOU_MEAN,), "#f9a825"),
    ("declined", (DECLINED,), "#6d4c41"),
    ("unanswered", (UNANSWERED,), "#c62828"),
)
WIDTH = 900
HEIGHT = 260
LEFT = 40
BOTTOM = 30
TOP = 10


def _nice_top(value: int) -> int:
    for step in (5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
        if value <= step:
            return step
    return value


def day_chart(days: Sequence[Day], title: str, labels: dict[str, str]) -> Markup:
    """An accessible SVG bar chart (role img, a title and a description; the same figures are in a table)."""
    top = _nice_top(max((d.messages for d in days), default=0) or 1)
    plot_w = WIDTH - LEFT - 10
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(days), 1)
    bar = max(slot * 0.7, 1)
    parts = [
        Markup('<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-title">').format(
            WIDTH, HEIGHT + 24
        ),
        Markup('<title id="chart-title">{}</title>').format(title),
    ]
    for fraction in (0, 0.5, 1):
        y = TOP + plot_h * (1 - fraction)
        parts.append(
            Markup('<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" stroke="#ccc"/>').format(
                LEFT, WIDTH - 10, y, y
            )
        )
        parts.append(
            Markup('<text x="{}" y="{:.1f}" font-size="11" text-anchor="end">{}</text>').format(
                LEFT - 4, y + 4, int(top * fraction)
            )
        )
    for index, day in enumerate(days):
        x = LEFT + index * slot + (slot - bar) / 2
        base = float(TOP + plot_h)
        for name, outcomes, colour in GROUPS:
            count = sum(day.by_outcome.get(o, 0) for o in outcomes)
            if not count:
                continue
            height = plot_h * count / top
            base -= height
            parts.append(
                Markup(
                    '<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}">'
                    "<title>{} {}: {}</title></rect>"
                ).format(x, base, bar, height, colour, day.day.isoformat(), labels[name], count)
            )
        if index % 5 == 0 or index == len(days) - 1:
            parts.append(
                Markup('<text x="{:.1f}" y="{}" font-size="11" text-anchor="middle">{}</text>').format(
                    x + bar / 2, TOP + plot_h + 16, day.day.strftime("%d/%m")
                )
            )
    legend_x = LEFT
    for name, _, colour in GROUPS:
        parts.append(
            Markup('<rect x="{}" y="{}" width="12" height="12" fill="{}"/>').format(
                legend_x, HEIGHT + 8, colour
            )
        )
        parts.append(
            Markup('<text x="{}" y="{}" font-size="12">{}</text>').format(
                legend_x + 16, HEIGHT + 18, labels[name]
            )
        )
        legend_x += 30 + 8 * len(labels[name])
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
