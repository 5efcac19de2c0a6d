"""Answers about tourism statistics and DTI rankings: one figure for one province, one year, one metric.

The rule that keeps answers honest: a province or year the user states is never swapped for another. A value
carried over from earlier in the conversation is used only when the knowledge has a figure for it; otherwise
the assistant asks, offering the years or provinces it has.
"""

from __future__ import annotations

from typing import Any

from assistant.answering.charts import answer_chart, period_rank
from assistant.answering.common import (
    COVERED_PROVINCES,
    Knowledge,
    ask,
    button,
    entry_source,
    name,
    no_data,
    number,
    province_name,
    quantity,
    text_of,
    unknown_place_reply,
)
from assistant.answering.model import Question, Reply
from assistant.kb.entry import Entry
from assistant.text import words

STATS = "tourism_statistics"
DT = "digital_transformation"


def _choose(
    knowledge: Knowledge,
    question: Question,
    pool: list[Entry],
    intent: str,
    extra: dict[str, Any],
    what: str,
    no_data_keys: tuple[str, str],
) -> Entry | Reply:
    """Pick the one entry of `pool` for the question's province and year, or the reply that asks/declines."""
    language = question.language
    say = knowledge.wording.say
    if question.unknown_place:
        return unknown_place_reply(knowledge, question)
    province = question.explicit("province")
    if province is None:
        context_province = question.context.get("province")
        if context_province and any(e.province == context_province for e in pool):
            province = context_province
    provinces = [p for p in COVERED_PROVINCES if any(e.province == p for e in pool)]
    if province is None:
        if not provinces:
            return no_data(knowledge, question)
        else:
            buttons = [
                button(province_name(knowledge, p, language), intent, province=p, **extra) for p in provinces
            ]
            return ask(knowledge, "ask_province", question, buttons)
    in_province = [e for e in pool if e.province == province]
    if not in_province:
        text = say(
            no_data_keys[1], language, what=what, province=province_name(knowledge, province, language)
        )
        reply = no_data(knowledge, question, text)
        if provinces:
            reply.say(
                say("stat_provinces_available", language),
                [
                    button(province_name(knowledge, p, language), intent, province=p, **extra)
                    for p in provinces
                ],
            )
        return reply
    years = sorted({int(e["year"]) for e in in_province if e.get("year") is not None})
    year = question.explicit("year")
    if year is None:
        context_year = question.value("year")
        year = context_year if context_year in years else None
        if year is None and context_year is not None and question.explicit("province") and years:
            # "Còn Huế thì sao?" after a 2022 figure: the same year, which this province lacks
            year = context_year
        elif year is None and len(years) == 1:
            year = years[0]
        elif year is None and years:
            year = years[-1]  # the latest the knowledge has; the reply says so and offers the others
    chosen = [e for e in in_province if e.get("year") == year] if years else in_province
    chosen = sorted(chosen, key=lambda e: _period_order(e, asked_period(question.text)))
    if not chosen:
        province_text = province_name(knowledge, province, language)
        reply = no_data(
            knowledge, question, say(no_data_keys[0], language, what=what, province=province_text, year=year)
        )
        reply.say(
            say("stat_years_available", language),
            [button(str(y), intent, province=province, year=y, **extra) for y in years],
        )
        return reply
    return chosen[0]


# How people name a part of a year (folded words); a figure for a part of a year answers only when it is asked
# for, or when the year has no whole-year figure.
PERIOD_PHRASES = (
    ("first_quarter", ("quy 1", "quy i", "q1", "first quarter", "3 thang dau")),
    (
        "first_half",
        ("6 thang", "sau thang", "nua dau nam", "nua nam", "first half", "h1", "six months", "half"),
    ),
    ("nine_months", ("9 thang", "chin thang", "nine months", "9 months")),
    ("ten_months", ("10 thang", "muoi thang", "ten months", "10 months")),
    ("eleven_months", ("11 thang", "eleven months", "11 months")),
)


def asked_period(text: str) -> str | None:
    """The part of a year a question names ('6 tháng đầu năm' -> 'first_half'), if any."""
    padded = f" {' '.join(words(text))} "
    return next(
        (period for period, phrases in PERIOD_PHRASES if any(f" {p} " in padded for p in phrases)), None
    )


def _period_order(entry: Entry, asked: str | None) -> tuple[int, int]:
    """Sort key: the period asked first, then the whole year, then the longest partial period."""
    period = entry.get("period") or "year"
    return (0 if period == asked else 1, period_rank(entry))


def one_per_metric(entries: list[Entry], question: Question) -> list[Entry]:
    """One figure per metric (the period asked, else the whole year, else the longest part of the year)."""
    asked = asked_period(question.text)
    best: dict[str, Entry] = {}
    for entry in sorted(entries, key=lambda e: _period_order(e, asked)):
        best.setdefault(entry["metric"], entry)
    return list(best.values())


def with_other_years(
    knowledge: Knowledge,
    question: Question,
    reply: Reply,
    pool: list[Entry],
    picked: Entry,
    intent: str,
    **extra: Any,
) -> Reply:
    """When the question named no year and the knowledge has several: say the figure is the latest, with
    buttons for the other years."""
    if question.explicit("year") is not None or question.context.get("year"):
        return reply
    years = sorted(
        {int(e["year"]) for e in pool if e.province == picked.province and e.get("year") is not None}
    )
    others = [y for y in years if y != picked.get("year")]
    if not others:
        return reply
    reply.say(
        knowledge.wording.say("stat_latest_year", question.language, year=picked["year"]),
        [button(str(y), intent, province=picked.province, year=y, **extra) for y in others],
    )
    return reply


def _metric_label(knowledge: Knowledge, metric: str | None, language: str) -> str:
    if metric and knowledge.wording.has(f"metrics.{metric}"):
        return knowledge.wording.say(f"metrics.{metric}", language)
    return knowledge.wording.say("metrics.any", language)


# A question that names no metric the NLU knows is read against the figures' names: the metrics whose names hold
# its words clearly best ("Huế có bao nhiêu di tích": the relic counts) are those asked, when one holds at least
# NAMED_METRIC of them and the others are within NAMED_MARGIN of it; otherwise every metric is.
NAMED_METRIC = 0.5
NAMED_MARGIN = 0.15


def _named_metrics(knowledge: Knowledge, question: Question) -> set[str]:
    """The metrics the question's own words name (none when no figure's name holds them clearly)."""
    query = knowledge.index.query(
        question.text, knowledge.language.equivalents(question.text.split()), question.language
    )
    best: dict[str, float] = {}
    for entry in knowledge.kb.entries(STATS):
        terms = knowledge.index.name_terms(entry)
        best[entry["metric"]] = max(best.get(entry["metric"], 0.0), knowledge.index.coverage(query, terms))
    top = max(best.values(), default=0.0)
    if top < NAMED_METRIC:
        return set()
    return {m for m, c in best.items() if c >= top - NAMED_MARGIN}


def answer_stat(knowledge: Knowledge, question: Question) -> Reply:
    """A tourism figure (visitors, revenue, relic counts ...) for a province and year."""
    if len(set(question.years)) >= 2:  # 'lượt khách 2021 và 2022': a comparison, answered with a chart
        return answer_chart(knowledge, question)
    language = question.language
    named = _named_metrics(knowledge, question)
    metric = question.explicit("metric")
    if metric is None and (not named or question.value("metric") in named):
        metric = question.value("metric")  # carried over, unless the message names another ("còn cấp tỉnh")
    if metric is None and len(named) == 1:
        metric = next(iter(named))
    pool = (
        knowledge.kb.entries(STATS, metric=metric)
        if metric
        else [e for e in knowledge.kb.entries(STATS) if not named or e["metric"] in named]
    )
    extra = {"metric": metric} if metric else {}
    label = _metric_label(knowledge, metric, language)
    picked = _choose(
        knowledge, question, pool, "ask_tourism_stat", extra, label, ("stat_no_data", "stat_no_data_province")
    )
    if isinstance(picked, Reply):
        return picked
    slots = {"province": picked.province, "year": str(picked["year"]), "last_intent": "ask_tourism_stat"}
    if metric is None:
        figures = one_per_metric(
            [e for e in pool if e.province == picked.province and e.get("year") == picked.get("year")],
            question,
        )
        header = knowledge.wording.say(
            "stat_overview",
            language,
            province=province_name(knowledge, picked.province, language),
            year=picked["year"],
        )
        lines = [header, *[f"• {name(e, language)}: {quantity(knowledge, e, language)}" for e in figures]]
        newest = max(figures, key=lambda e: e["as_of"])
        reply = Reply(slots=slots, entry=f"{STATS}:{picked.id}")
        reply.say("\n".join([*lines, entry_source(knowledge, newest, language)]))
        return with_other_years(knowledge, question, reply, pool, picked, "ask_tourism_stat")
    slots["metric"] = metric
    lines = [_stat_line(knowledge, picked, language)]
    detail = text_of(picked.get("detail"), language)
    if detail:
        lines.append(detail)
    territory = text_of(picked.get("territory"), language)
    if territory:  # after the 2025 merger of provinces a figure says which territory it covers
        lines.append(knowledge.wording.say("stat_territory", language, territory=territory))
    if picked.get("derived"):
        lines.append(knowledge.wording.say("stat_derived", language))
    reply = Reply(slots=slots, entry=f"{STATS}:{picked.id}")
    reply.say("\n".join([*lines, entry_source(knowledge, picked, language, "value")]))
    return with_other_years(knowledge, question, reply, pool, picked, "ask_tourism_stat", **extra)


def _stat_line(knowledge: Knowledge, entry: Entry, language: str) -> str:
    growth = ""
    if entry.get("growth_percent") is not None and not entry.get("detail"):
        growth = knowledge.wording.say(
            "stat_growth", language, percent=number(entry["growth_percent"], language)
        )
    return knowledge.wording.say(
        "stat_value",
        language,
        name=name(entry, language),
        value=quantity(knowledge, entry, language),
        growth=growth,
    )


def answer_dti(knowledge: Knowledge, question: Question) -> Reply:
    """The DTI rank of a province for a year (overall unless a pillar is asked)."""
    language = question.language
    # A follow-up that names only a new year or province ("And in 2020?") asks of the same pillar.
    pillar = (
        question.explicit("pillar") or (question.follows_up() and question.context.get("pillar")) or "overall"
    )
    pool = knowledge.kb.entries(DT, kind="dti_ranking", pillar=pillar)
    pillar_text = knowledge.wording.say(f"dti_pillars.{pillar}", language)
    extra = {"pillar": pillar}
    picked = _choose(
        knowledge, question, pool, "ask_dti_rank", extra, pillar_text, ("dti_no_data", "dti_no_data_province")
    )
    if isinstance(picked, Reply):
        return picked
    out_of = ""
    if picked.get("out_of"):
        out_of = knowledge.wording.say("dti_out_of", language, out_of=picked["out_of"])
    line = knowledge.wording.say(
        "dti_rank", language, name=name(picked, language), rank=picked["rank"], out_of=out_of
    )
    lines = [line]
    description = text_of(picked.get("description"), language)
    if description:
        lines.append(description)
    reply = Reply(
        slots={
            "province": picked.province,
            "year": str(picked["year"]),
            "pillar": pillar,
            "last_intent": "ask_dti_rank",
        },
        entry=f"{DT}:{picked.id}",
    )
    reply.say("\n".join([*lines, entry_source(knowledge, picked, language)]))
    return with_other_years(knowledge, question, reply, pool, picked, "ask_dti_rank", **extra)
