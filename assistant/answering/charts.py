"""Charts of tourism statistics: which figures a chart shows (a spec with a safe key) and the PNG itself.

A chart shows the figures of one group of metrics (visitors, revenue, relics ...) of one province for some
years: the years on the x axis, one bar colour per metric, figures derived from a source (`derived: true`,
e.g. a previous year computed from a growth factor) hatched and named in the legend. Title, axis units,
source and date are written on the image, in the user's language (wording from knowledge/wording/answers.yml).

The answer (`answer_chart`) carries the image as a path on the web gateway, `/charts/<key>.png`; the gateway
parses the key back with `parse_key` and renders it from the knowledge with `render_chart`.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answering.common import (
    COVERED_PROVINCES,
    Knowledge,
    ask,
    button,
    name,
    no_data,
    number,
    province_name,
    quantity,
    source_line,
    text_of,
    unknown_place_reply,
)
from assistant.answering.model import Message, Question, Reply
from assistant.answering.wording import format_date
from assistant.kb.entry import Entry
from assistant.kb.schema import PERIODS
from assistant.text import LANGUAGES

STATS = "tourism_statistics"
INTENT = "ask_stat_chart"
# Metrics drawn together (same unit, comparable); a chart never mixes groups. Order = bar order.
CHART_GROUPS: dict[str, tuple[str, ...]] = {
    "visitors": ("visitors", "domestic_visitors", "international_visitors", "overnight_visitors"),
    "revenue": ("revenue",),
    "plan_share": ("visitors_plan_share",),
    "relics": ("relics_inventoried", "special_national_relics", "national_relics", "provincial_relics"),
    "heritages": ("unesco_heritages", "national_intangible_heritages", "national_treasures"),
}
MAX_YEARS = 12
# <group>-<province>-<year>[-<year>...]-<language>: groups use '_', provinces '-' and letters only.
KEY_RE = re.compile(r"([a-z_]+)-([a-z]+(?:-[a-z]+)*)-([0-9]{4}(?:-[0-9]{4}){0,11})-([a-z]{2})\Z")  # 12 years
# Figure size in inches at DPI: 960 x 600 pixels.
SIZE = (9.6, 6.0)
DPI = 100
TITLE_WIDTH = 70  # characters of a title line (a long province name and many years wrap)
COLOURS = ("#1f6f8b", "#e07a1f", "#4a9c59", "#a23b72", "#6c5b7b")
SOURCE_WRAP = 120


@dataclass(frozen=True)
class ChartSpec:
    """What one chart shows: a metric group of a province for some years, labelled in `language`."""

    group: str
    province: str
    years: tuple[int, ...]
    language: str

    @property
    def key(self) -> str:
        """The safe key of the chart, e.g. 'visitors-quang-ngai-2021-2022-vi'."""
        years = "-".join(str(y) for y in self.years)
        return f"{self.group}-{self.province}-{years}-{self.language}"

    @property
    def url(self) -> str:
        """The chart's path on the web gateway."""
        return f"/charts/{self.key}.png"


@dataclass(frozen=True)
class Series:
    """One metric's bars: (year, entry) in year order."""

    metric: str
    label: str
    points: tuple[tuple[int, Entry], ...]


@dataclass(frozen=True)
class Chart:
    """Everything drawn on a chart, already worded in the chart's language."""

    spec: ChartSpec
    title: str
    x_label: str
    y_label: str
    series: tuple[Series, ...]
    derived_label: str
    missing_label: str
    source: str
    partial_label: str = ""
    tick_labels: tuple[str, ...] = ()

    @property
    def entries(self) -> list[Entry]:
        return [entry for s in self.series for _, entry in s.points]

    @property
    def years(self) -> list[int]:
        return sorted({year for s in self.series for year, _ in s.points})


def parse_key(key: str) -> ChartSpec | None:
    """The spec of a chart key, or None when the key is not one this module makes."""
    match = KEY_RE.match(key)
    if not match:
        return None
    group, province, years_text, language = match.groups()
    years = tuple(int(y) for y in years_text.split("-"))
    if group not in CHART_GROUPS or language not in LANGUAGES or list(years) != sorted(set(years)):
        return None
    return ChartSpec(group, province, years, language)


def group_of(metric: str | None) -> str | None:
    """The chart group a metric is drawn in."""
    return next((g for g, metrics in CHART_GROUPS.items() if metric in metrics), None)


def figures(
    knowledge: Knowledge, group: str, province: str, years: Sequence[int] | None = None
) -> list[Entry]:
    """The figures of `group` for `province` (in `years`, if given), by year then group order."""
    metrics = CHART_GROUPS[group]
    best: dict[tuple[str, int], Entry] = {}
    for e in knowledge.kb.entries(STATS, province=province):
        if e["metric"] in metrics and e.get("year") is not None and (not years or int(e["year"]) in years):
            # One figure per metric and year: the whole year, else the longest partial period (never both).
            key = (e["metric"], int(e["year"]))
            if key not in best or period_rank(e) < period_rank(best[key]):
                best[key] = e
    return sorted(best.values(), key=lambda e: (int(e["year"]), metrics.index(e["metric"])))


def period_rank(entry: Entry) -> int:
    """0 for a whole year; partial periods rank by length, longest first."""
    period = entry.get("period") or "year"
    return 0 if period == "year" else len(PERIODS) - PERIODS.index(period)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def years_text(years: Sequence[int]) -> str:
    """'2021–2022' for consecutive years, '2019, 2022' otherwise."""
    years = sorted(years)
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(str(y) for y in years)


def subject(knowledge: Knowledge, group: str, language: str) -> str:
    """What a group's chart shows: 'lượt khách du lịch', 'tourism revenue'."""
    return knowledge.wording.say(f"chart_subjects.{group}", language)


def sources_text(knowledge: Knowledge, entries: Sequence[Entry], language: str) -> str:
    """'Nguồn: <titles>. Số liệu tính đến <newest as_of>.' for the figures of a chart."""
    titles = list(dict.fromkeys(str(e["source"]["title"]) for e in entries))
    newest = max(str(e["as_of"]) for e in entries)
    return knowledge.wording.say(
        "chart_source", language, sources="; ".join(titles), date=format_date(newest, language)
    )


def _territories(knowledge: Knowledge, entries: Sequence[Entry], language: str) -> list[str]:
    """One line per year whose figures cover a territory of their own (a province merged on 1/7/2025)."""
    covered = {(int(e["year"]), text_of(e.get("territory"), language)) for e in entries if e.get("territory")}
    return [
        knowledge.wording.say("chart_territory", language, year=year, territory=territory)
        for year, territory in sorted(covered)
    ]


def describe(knowledge: Knowledge, spec: ChartSpec) -> Chart | None:
    """The chart of `spec` worded in its language, or None when the knowledge has fewer than two figures.

    A chart needs two figures at least: one bar compares nothing, and the sentence with that figure says
    it better (answer_chart gives it as text).
    """
    language = spec.language
    say = knowledge.wording.say
    entries = figures(knowledge, spec.group, spec.province, spec.years)
    if entries:
        # One unit per y axis (the unit of the group's first figure); a differing figure is left out.
        unit = entries[0]["unit"]
        entries = [e for e in entries if e["unit"] == unit]
    if len(entries) < 2:
        return None
    series = []
    for metric in CHART_GROUPS[spec.group]:
        points = tuple((int(e["year"]), e) for e in entries if e["metric"] == metric)
        if points:
            label = _capital(say(f"metrics.{metric}", language))
            series.append(Series(metric, label, points))
    years = sorted({int(e["year"]) for e in entries})
    # A year is labelled with its period only when every figure of it covers that same part of the year;
    # a partial figure beside whole-year ones is told apart by its dashed bar alone.
    periods = {y: {e.get("period") or "year" for e in entries if int(e["year"]) == y} for y in years}
    ticks = tuple(
        f"{y}\n({say(f'periods_short.{next(iter(periods[y]))}', language)})"
        if periods[y] != {"year"} and len(periods[y]) == 1
        else str(y)
        for y in years
    )
    partial = any(periods[y] != {"year"} for y in years)
    title = say(
        "chart_title",
        language,
        subject=_capital(subject(knowledge, spec.group, language)),
        province=province_name(knowledge, spec.province, language),
        years=years_text(years),
    )
    return Chart(
        spec=spec,
        title=title,
        x_label=say("chart_axis_year", language),
        y_label=say(f"chart_units.{unit}", language),
        series=tuple(series),
        derived_label=say("chart_derived_legend", language),
        missing_label=say("chart_no_figure", language),
        source=" ".join(
            [sources_text(knowledge, entries, language), *_territories(knowledge, entries, language)]
        ),
        partial_label=say("chart_partial_legend", language) if partial else "",
        tick_labels=ticks,
    )


def _bar_label(knowledge: Knowledge, entry: Entry, language: str) -> str:
    qualifier = entry.get("qualifier") or "exact"
    return knowledge.wording.say(f"qualifiers.{qualifier}", language, value=number(entry["value"], language))


def render_chart(knowledge: Knowledge, chart: Chart) -> bytes:
    """The PNG of `chart` (grouped bars, derived figures hatched, source and date under the plot).

    Drawn with matplotlib's Agg canvas on a Figure of its own (no pyplot, no global backend switch), so
    importing this module costs nothing and renders in threads do not share state.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    language = chart.spec.language
    years = chart.years
    figure = Figure(figsize=SIZE, dpi=DPI)
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    width = 0.8 / len(chart.series)
    top = max(float(e["value"]) for e in chart.entries)
    handles = []
    for index, series in enumerate(chart.series):
        colour = COLOURS[index % len(COLOURS)]
        offset = (index - (len(chart.series) - 1) / 2) * width
        for year in sorted(set(years) - {y for y, _ in series.points}):
            # An empty slot says so: a missing figure must not read as zero.
            axes.text(
                years.index(year) + offset,
                top * 0.01,
                chart.missing_label,
                rotation=90,
                ha="center",
                va="bottom",
                fontsize=8,
                color="#777777",
            )
        for year, entry in series.points:
            derived = bool(entry.get("derived"))
            partial = (entry.get("period") or "year") != "year"
            bar = axes.bar(
                years.index(year) + offset,
                float(entry["value"]),
                width * 0.92,
                color="white" if partial else colour,
                alpha=0.45 if derived else 1.0,
                hatch="///" if derived else ("..." if partial else None),
                edgecolor="#333333" if derived else colour,
                linewidth=1.5 if partial else 1.0,
                linestyle="--" if partial else "-",
            )
            axes.bar_label(bar, labels=[_bar_label(knowledge, entry, language)], padding=3, fontsize=9)
        handles.append(Patch(facecolor=colour, edgecolor=colour, label=series.label))
    if any(entry.get("derived") for entry in chart.entries):
        handles.append(Patch(facecolor="white", edgecolor="#333333", hatch="///", label=chart.derived_label))
    if chart.partial_label:
        handles.append(
            Patch(
                facecolor="white", edgecolor="#333333", hatch="...", linestyle="--", label=chart.partial_label
            )
        )
    axes.set_xticks(range(len(years)))
    axes.set_xticklabels(list(chart.tick_labels) or [str(y) for y in years])
    axes.set_xlim(-0.6, len(years) - 0.4)
    axes.set_ylim(0, top * 1.12)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: number(_tick(value), language)))
    axes.set_xlabel(chart.x_label)
    axes.set_ylabel(chart.y_label)
    axes.set_title(textwrap.fill(chart.title, TITLE_WIDTH), fontsize=13, fontweight="bold", pad=12)
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    columns = min(3, len(handles))
    rows = -(-len(handles) // columns)
    axes.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncol=columns,
        fontsize=9,
        frameon=False,
    )
    source = textwrap.fill(chart.source, SOURCE_WRAP)
    figure.text(0.01, 0.015, source, fontsize=8, color="#444444", va="bottom", ha="left")
    lines = source.count("\n") + 1
    figure.subplots_adjust(left=0.1, right=0.97, top=0.9, bottom=0.15 + 0.04 * rows + 0.025 * lines)
    buffer = io.BytesIO()
    canvas.print_png(buffer, metadata={"Software": None})
    return buffer.getvalue()


def _tick(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


# ---------------------------------------------------------------------------------------------- the answer


def _province(knowledge: Knowledge, question: Question, groups: Sequence[str]) -> str | None:
    province = question.explicit("province")
    if province is None:
        context = question.context.get("province")
        if context and any(figures(knowledge, g, context) for g in groups):
            province = context
    return province


def answer_chart(knowledge: Knowledge, question: Question) -> Reply:
    """A chart of tourism figures ('so sánh lượt khách 2021 và 2022', 'biểu đồ khách du lịch Quảng Ngãi').

    The metric asked picks the group (no metric: the first group with two figures or more); the years stated
    limit the chart, else it shows every year the knowledge has. With fewer than two figures there is no
    chart: the one figure, if any, is given as text with the reason, never a one-bar chart.
    """
    language = question.language
    say = knowledge.wording.say
    if question.unknown_place:
        return unknown_place_reply(knowledge, question)
    metric = question.value("metric")
    asked_group = group_of(metric)
    groups = [asked_group] if asked_group else list(CHART_GROUPS)
    extra = {"metric": metric} if asked_group else {}
    province = _province(knowledge, question, groups)
    provinces = [p for p in COVERED_PROVINCES if any(len(figures(knowledge, g, p)) >= 2 for g in groups)]
    if province is None and len(provinces) == 1:
        province = provinces[0]  # the only province with figures to compare (the chart title names it)
    if province is None:
        if not provinces:
            return no_data(knowledge, question)
        buttons = [
            button(province_name(knowledge, p, language), INTENT, province=p, **extra) for p in provinces
        ]
        return ask(knowledge, "ask_province", question, buttons)
    years = tuple(sorted(set(question.years)))[:MAX_YEARS]
    group = asked_group or next(
        (g for g in CHART_GROUPS if len(figures(knowledge, g, province, years)) >= 2),
        next((g for g in CHART_GROUPS if figures(knowledge, g, province, years)), "visitors"),
    )
    what = subject(knowledge, group, language)
    place = province_name(knowledge, province, language)
    shown = figures(knowledge, group, province, years)
    if not shown:
        return _no_figures(knowledge, question, group, province, years, extra)
    spec = ChartSpec(group, province, tuple(sorted({int(e["year"]) for e in shown})), language)
    chart = describe(knowledge, spec)
    slots = {"province": province, "last_intent": INTENT, **({"metric": metric} if asked_group else {})}
    reply = Reply(slots=slots, entry=f"{STATS}:{shown[0].id}")
    lines = [] if chart else [say("chart_too_few", language, what=what, province=place)]
    if chart:
        lines.append(say("chart_intro", language, title=chart.title))
        shown = chart.entries
    for entry in sorted(shown, key=lambda e: (int(e["year"]), CHART_GROUPS[group].index(e["metric"]))):
        item = f"• {name(entry, language)}: {quantity(knowledge, entry, language)}"
        lines.append(say("chart_item_derived", language, item=item) if entry.get("derived") else item)
    if metric and asked_group:
        for year in years:
            if not any(e["metric"] == metric and int(e["year"]) == year for e in shown):
                label = say(f"metrics.{metric}", language)
                lines.append(say("stat_no_data", language, what=label, province=place, year=year))
    derived = [e for e in shown if e.get("derived")]
    if derived:
        items = [
            say("chart_derived_item", language, what=say(f"metrics.{e['metric']}", language), year=e["year"])
            for e in derived
        ]
        lines.append(
            say("chart_derived", language, items=", ".join(items)) if chart else say("stat_derived", language)
        )
    lines += _source_lines(knowledge, shown, language)
    if chart:
        reply.messages.append(Message(image=spec.url))  # the chart first, then what it shows, in words
    reply.messages.append(Message(text="\n".join(lines)))
    return reply


def _source_lines(knowledge: Knowledge, entries: Sequence[Entry], language: str) -> list[str]:
    """One source line per source, dated with the newest figure taken from it."""
    newest: dict[str, Entry] = {}
    for entry in entries:
        title = str(entry["source"]["title"])
        if title not in newest or str(entry["as_of"]) > str(newest[title]["as_of"]):
            newest[title] = entry
    return [source_line(knowledge, e["source"], e["as_of"], language) for e in newest.values()]


def _no_figures(
    knowledge: Knowledge,
    question: Question,
    group: str,
    province: str,
    years: Sequence[int],
    extra: dict[str, str],
) -> Reply:
    """The honest reply when the province has no figure of the group (in the years asked)."""
    language = question.language
    say = knowledge.wording.say
    what = subject(knowledge, group, language)
    place = province_name(knowledge, province, language)
    available = figures(knowledge, group, province)
    if years and available:
        text = say("stat_no_data", language, what=what, province=place, year=years_text(years))
        reply = no_data(knowledge, question, text)
        all_years = years_text(sorted({int(e["year"]) for e in available}))
        reply.say(
            say("stat_years_available", language), [button(all_years, INTENT, province=province, **extra)]
        )
        return reply
    reply = no_data(knowledge, question, say("stat_no_data_province", language, what=what, province=place))
    others = [p for p in COVERED_PROVINCES if p != province and len(figures(knowledge, group, p)) >= 2]
    if others:
        reply.say(
            say("stat_provinces_available", language),
            [button(province_name(knowledge, p, language), INTENT, province=p, **extra) for p in others],
        )
    return reply
