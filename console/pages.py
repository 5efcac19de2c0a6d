"""The console's pages, rendered on the server: each function takes what its page shows and returns HTML."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from markupsafe import Markup

from assistant.kb import schema
from assistant.kb.entry import Entry
from assistant.kb.errors import Problem
from assistant.kb.validate import parse_spec
from assistant.records import Activity, Group, RatedTurn, local_iso
from assistant.records.activity import ANSWERED_OUTCOMES
from console.charts import day_chart
from console.editing import entry_fields, sub_fields
from console.html import Page, csrf_field, join, label_of, layout, table
from console.store import AuditEntry
from console.tryit import Tried
from console.wording import has

# Text fields shown as a text area (the others are one line).
LONG_FIELDS = frozenset(
    {
        "description",
        "detail",
        "note",
        "location",
        "text",
        "fee",
        "processing_time",
        "theme",
        "venue",
        "format",
    }
)
DISABLED = Markup(" disabled")
YAML_CLASS = Markup(' class="yaml"')
_FIELD_IN_MESSAGE = re.compile(r"field '([^']+)'")


def when(moment: datetime) -> str:
    """A moment in Vietnam time, to the minute."""
    return local_iso(moment)[:16].replace("T", " ")


def topic_label(page: Page, topic: str) -> str:
    key = f"topic.{topic}"
    return page.t(key) if has(key) else topic


def entry_link(entry: str | None) -> Markup | str:
    """A link to edit the entry "topic:id" (a passage's document is named, not linked)."""
    if not entry:
        return ""
    topic, _, entry_id = entry.partition(":")
    if topic in schema.TOPIC_FILES:
        return Markup('<a href="/knowledge/{}/{}">{}</a>').format(topic, entry_id, entry)
    return entry


def _problems(page: Page, problems: Sequence[Problem], heading_key: str) -> Markup:
    if not problems:
        return Markup("")
    items = join(Markup("<li><code>{}</code></li>").format(str(p)) for p in problems)
    return Markup(
        '<section class="problems" role="alert" aria-labelledby="problems-h"><h2 id="problems-h">{}</h2><ul>{}</ul></section>'
    ).format(page.t(heading_key, count=len(problems)), items)


# ------------------------------------------------------------------------------------------------ login


def login_page(page: Page, username: str = "", error: str | None = None, next_path: str = "") -> str:
    error_html = (
        Markup('<p class="flash error" role="alert" id="login-error">{}</p>').format(error) if error else ""
    )
    described = Markup(' aria-describedby="login-error"') if error else ""
    body = Markup(
        '{error}<form method="post" action="/login" class="login">{csrf}'
        '<input type="hidden" name="next" value="{next}">'
        '<label for="username">{user_label}</label>'
        '<input id="username" name="username" autocomplete="username" required value="{username}"{described}>'
        '<label for="password">{password_label}</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password" required{described}>'
        '<button type="submit">{submit}</button></form>'
    ).format(
        error=error_html,
        csrf=csrf_field(page),
        next=next_path,
        user_label=page.t("username"),
        username=username,
        password_label=page.t("password"),
        submit=page.t("login"),
        described=described,
    )
    return layout(page, page.t("login_title"), body)


def error_page(page: Page, title_key: str, text_key: str) -> str:
    body = Markup('<p>{}</p><p><a href="/">{}</a></p>').format(page.t(text_key), page.t("back_home"))
    return layout(page, page.t(title_key), body)


# ------------------------------------------------------------------------------------------------ overview


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def overview_page(page: Page, data: Activity, names: Mapping[str, str]) -> str:
    t = page.t
    labels = {g: t(f"outcome_group.{g}") for g in ("answered", "did_you_mean", "declined", "unanswered")}
    shares = [
        (labels["answered"], _percent(data.share(*ANSWERED_OUTCOMES))),
        (labels["did_you_mean"], _percent(data.share("did_you_mean"))),
        (labels["declined"], _percent(data.share("declined"))),
        (labels["unanswered"], _percent(data.share("unanswered"))),
    ]
    conversations = sum(d.conversations for d in data.days)
    cards = [
        (t("messages"), str(data.messages)),
        (t("conversations"), str(conversations)),
        *shares,
        (t("feedback_up"), str(data.helpful)),
        (t("feedback_down"), str(data.wrong)),
    ]
    summary = Markup('<dl class="cards">{}</dl>').format(
        join(Markup("<div><dt>{}</dt><dd>{}</dd></div>").format(k, v) for k, v in cards)
    )
    period = t("period", first=data.first.strftime("%d/%m/%Y"), last=data.last.strftime("%d/%m/%Y"))
    chart = day_chart(
        data.days,
        t("chart_title", first=data.first.strftime("%d/%m"), last=data.last.strftime("%d/%m")),
        labels,
    )

    def split(values: Mapping[str, tuple[int, int]], keys: Iterable[str]) -> list[str]:
        return [f"{values.get(k, (0, 0))[0]} / {values.get(k, (0, 0))[1]}" for k in keys]

    headers = [t("day"), t("conversations"), t("messages")]
    headers += [t("by_channel", channel=c) for c in data.channels]
    headers += [t("by_language", language=lang) for lang in data.languages]
    rows: list[list[Markup | str | int]] = [
        [
            d.day.strftime("%d/%m/%Y"),
            d.conversations,
            d.messages,
            *split(d.by_channel, data.channels),
            *split(d.by_language, data.languages),
        ]
        for d in reversed(data.days)
    ]
    topics = table(
        t("top_topics"),
        [t("topic"), t("answers")],
        [(topic_label(page, topic), n) for topic, n in data.topics],
        t("nothing_yet"),
    )
    entries = table(
        t("top_entries"),
        [t("entry"), t("name"), t("answers")],
        [(entry_link(e), names.get(e, ""), n) for e, n in data.entries],
        t("nothing_yet"),
    )
    body = Markup(
        '<p>{period}</p>{summary}<section aria-labelledby="chart-h"><h2 id="chart-h">{chart_h}</h2>{chart}</section>'
        '<div class="columns"><section>{topics}</section><section>{entries}</section></div>'
        '<section aria-labelledby="days-h"><h2 id="days-h">{days_h}</h2><p>{days_note} '
        '<a href="/overview.csv" download>{csv}</a></p>{days}</section>'
    ).format(
        period=period,
        summary=summary,
        chart_h=t("chart_heading"),
        chart=chart,
        topics=topics,
        entries=entries,
        days_h=t("days_heading"),
        days_note=t("days_note"),
        csv=t("csv_export"),
        days=table(t("days_heading"), headers, rows),
    )
    return layout(page, t("overview_title"), body)


# --------------------------------------------------------------------------------------------- unanswered


@dataclass(frozen=True)
class GroupView:
    group: Group
    status: str  # open, handled, ignored
    marked_by: str | None = None


def unanswered_page(page: Page, groups: Sequence[GroupView], status: str, counts: Mapping[str, int]) -> str:
    t = page.t
    tabs = join(
        Markup('<li><a href="{}"{}>{} ({})</a></li>').format(
            page.url("/unanswered", status=s),
            Markup(' aria-current="true"') if s == status else "",
            t(f"status.{s}"),
            counts.get(s, 0),
        )
        for s in ("open", "handled", "ignored", "all")
    )
    items = []
    for view in groups:
        group = view.group
        variants = join(Markup("<li>{}</li>").format(v) for v in group.variants[1:])
        actions = Markup("")
        if page.editor:
            marks = join(
                Markup(
                    '<form method="post" action="/unanswered/mark">{}<input type="hidden" name="key" value="{}">'
                    '<input type="hidden" name="status" value="{}"><button type="submit" class="secondary">{}</button></form>'
                ).format(csrf_field(page), group.key, s, t(f"mark.{s}"))
                for s in ("handled", "ignored")
                if s != view.status
            )
            actions = Markup(
                '<div class="actions"><a class="button" href="{}">{}</a><a class="button secondary" href="{}">{}</a>{}</div>'
            ).format(
                page.url("/knowledge/new", q=group.example),
                t("add_knowledge"),
                page.url("/documents/new", q=group.example),
                t("add_document"),
                marks,
            )
        items.append(
            Markup(
                '<li class="group"><p class="question">{example}</p>'
                '<p class="meta">{asked} · {last} · {where}{status}</p>{variants}{actions}</li>'
            ).format(
                example=group.example,
                asked=t("asked_times", count=group.count),
                last=t("last_seen", when=when(group.last_at)),
                where=", ".join([*group.channels, *group.languages]),
                status=Markup(" · <strong>{}</strong>").format(t(f"status.{view.status}"))
                if view.status != "open"
                else "",
                variants=Markup("<details><summary>{}</summary><ul>{}</ul></details>").format(
                    t("other_wordings"), variants
                )
                if group.variants[1:]
                else "",
                actions=actions,
            )
        )
    listing = (
        Markup('<ol class="groups">{}</ol>').format(join(items))
        if items
        else Markup('<p class="empty">{}</p>').format(t("nothing_unanswered"))
    )
    body = Markup('<p>{}</p><nav aria-label="{}"><ul class="tabs">{}</ul></nav>{}').format(
        t("unanswered_intro"), t("filter_label"), tabs, listing
    )
    return layout(page, t("unanswered_title"), body)


# ---------------------------------------------------------------------------------------------- feedback


def feedback_page(
    page: Page, turns: Sequence[RatedTurn], summary: Sequence[Any], names: Mapping[str, str]
) -> str:
    t = page.t
    items = [
        Markup(
            '<li class="rated {cls}"><p class="meta"><strong>{value}</strong> · {when} · {channel}</p>'
            '<p><span class="label">{q_label}</span> {question}</p>'
            '<p class="label">{r_label}</p><pre class="reply">{reply}</pre>'
            '<p><span class="label">{e_label}</span> {entry} {name}</p></li>'
        ).format(
            cls=turn.feedback,
            value=t(f"feedback.{turn.feedback}"),
            when=when(turn.asked_at),
            channel=turn.channel or "",
            q_label=t("question"),
            question=turn.question,
            r_label=t("reply_given"),
            reply=turn.reply,
            e_label=t("entry_used"),
            entry=entry_link(turn.entry),
            name=names.get(turn.entry or "", ""),
        )
        for turn in turns
    ]
    listing = (
        Markup('<ol class="rated-list">{}</ol>').format(join(items))
        if items
        else Markup('<p class="empty">{}</p>').format(t("nothing_rated"))
    )
    per_entry = table(
        t("feedback_per_entry"),
        [t("entry"), t("name"), t("feedback.helpful"), t("feedback.wrong")],
        [(entry_link(r.entry), names.get(r.entry, ""), r.helpful, r.wrong) for r in summary],
        t("nothing_rated"),
    )
    body = Markup("<p>{}</p>{}<section><h2>{}</h2>{}</section>").format(
        t("feedback_intro"), listing, t("feedback_per_entry"), per_entry
    )
    return layout(page, t("feedback_title"), body)


# --------------------------------------------------------------------------------------------- knowledge


@dataclass(frozen=True)
class EntryView:
    entry: Entry
    review_by: date | None
    due: bool


def _source(entry: Entry) -> Markup | str:
    source = entry.get("source") or {}
    title = str(source.get("title", ""))
    url = source.get("url")
    if url and str(url).startswith(("http://", "https://")):
        return Markup('<a href="{}" rel="noopener noreferrer">{}</a>').format(url, title)
    return title


def knowledge_page(
    page: Page, views: Mapping[str, Sequence[EntryView]], problems: Sequence[Problem], query: str, topic: str
) -> str:
    t = page.t
    options = join(
        Markup('<option value="{}"{}>{}</option>').format(
            name,
            Markup(" selected") if name == topic else "",
            t(f"topic.{name}") if name else t("all_topics"),
        )
        for name in ("", *schema.TOPIC_FILES)
    )
    search = Markup(
        '<form method="get" action="/knowledge" class="search" role="search">'
        '<label for="q">{}</label><input id="q" name="q" type="search" value="{}">'
        '<label for="topic">{}</label><select id="topic" name="topic">{}</select>'
        '<button type="submit">{}</button></form>'
    ).format(t("search_label"), query, t("topic_label"), options, t("search"))
    sections = []
    for name, entries in views.items():
        if not entries:
            continue
        rows = []
        for view in entries:
            entry = view.entry
            due = (
                Markup('<strong class="due">{}</strong>').format(
                    t("due", when=view.review_by.strftime("%d/%m/%Y"))
                )
                if view.due and view.review_by
                else (view.review_by.strftime("%d/%m/%Y") if view.review_by else "")
            )
            label = t("edit") if page.editor else t("view")
            rows.append(
                (
                    Markup('<a href="/knowledge/{}/{}" aria-label="{} {}">{}</a>').format(
                        name, entry.id, label, entry.id, entry.id
                    ),
                    entry.name_vi if page.language == "vi" else entry.name_en,
                    entry.province,
                    str(entry.get("as_of", "")),
                    due,
                    _source(entry),
                )
            )
        add = (
            Markup(' <a class="button secondary" href="{}">{}</a>').format(
                page.url("/knowledge/new", topic=name), t("new_entry")
            )
            if page.editor
            else ""
        )
        sections.append(
            Markup("<section><h2>{} ({}){}</h2>{}</section>").format(
                t(f"topic.{name}"),
                len(entries),
                add,
                table(
                    t(f"topic.{name}"),
                    [t("id"), t("name"), t("province"), t("as_of"), t("review"), t("source")],
                    rows,
                ),
            )
        )
    found = join(sections) if sections else Markup('<p class="empty">{}</p>').format(t("no_match"))
    problems_html = (
        _problems(page, problems, "live_problems")
        if problems
        else Markup('<p class="ok">{}</p>').format(t("live_valid"))
    )
    body = Markup("{}{}{}").format(problems_html, search, found)
    return layout(page, t("knowledge_title"), body)


def _described(page: Page, name: str, spec_text: str) -> str:
    spec = parse_spec(spec_text)
    hint_key = f"hint.{spec.kind}"
    return page.t(hint_key, options=spec.arg.replace("|", ", ")) if spec.kind in HINTED else ""


HINTED = frozenset(
    {"date", "when", "time", "url", "id", "strlist", "idlist", "textlist", "list", "number", "int", "degrees"}
)


def _field_id(path: str) -> str:
    return "f-" + path.replace(".", "-")


def _input(
    page: Page,
    path: str,
    name: str,
    spec_text: str,
    values: Mapping[str, str],
    errors: Mapping[str, list[str]],
    readonly: bool = False,
    long: bool = False,
) -> Markup:
    spec = parse_spec(spec_text)
    field_id = _field_id(path)
    value = values.get(path, "")
    hint = _described(page, name, spec_text)
    messages = errors.get(path, [])
    described = " ".join(
        x for x in (f"{field_id}-hint" if hint else "", f"{field_id}-error" if messages else "") if x
    )
    attributes = Markup("")
    if described:
        attributes += Markup(' aria-describedby="{}"').format(described)
    if messages:
        attributes += Markup(' aria-invalid="true"')
    if not spec.optional:
        attributes += Markup(' aria-required="true"')
    if readonly:
        attributes += Markup(" readonly")
    label = Markup('<label for="{}">{}{}</label>').format(
        field_id,
        label_of(page, name),
        Markup(' <span class="required" aria-hidden="true">*</span>') if not spec.optional else "",
    )
    if spec.kind in ("enum", "province", "bool"):
        choices = (
            spec.arg.split("|")
            if spec.kind == "enum"
            else (list(schema.PROVINCES) if spec.kind == "province" else ["true", "false"])
        )
        options = join(
            Markup('<option value="{}"{}>{}</option>').format(
                c, Markup(" selected") if c == value else "", c or "—"
            )
            for c in ["", *choices]
        )
        control = Markup('<select id="{}" name="{}"{}>{}</select>').format(
            field_id, path, attributes, options
        )
    elif long or spec.kind in ("strlist", "idlist", "list") or name in LONG_FIELDS or len(value) > 80:
        rows = 6 if spec.kind == "list" else 3
        css = YAML_CLASS if spec.kind == "list" else Markup("")
        control = Markup('<textarea id="{}" name="{}" rows="{}"{}{}>{}</textarea>').format(
            field_id, path, rows, css, attributes, value
        )
    else:
        control = Markup('<input id="{}" name="{}" value="{}"{}>').format(field_id, path, value, attributes)
    hint_html = Markup('<p class="hint" id="{}-hint">{}</p>').format(field_id, hint) if hint else ""
    error_html = join(
        Markup('<p class="field-error" id="{}-error">{}</p>').format(field_id, m) for m in messages
    )
    return Markup('<div class="field">{}{}{}{}</div>').format(label, control, hint_html, error_html)


def render_field(
    page: Page,
    path: str,
    spec_text: str,
    values: Mapping[str, str],
    errors: Mapping[str, list[str]],
    readonly: bool = False,
) -> Markup:
    """The inputs of one field: two (vi, en) for a text, a group for a source or a record, else one."""
    name = path.rsplit(".", 1)[-1]
    spec = parse_spec(spec_text)
    fields = sub_fields(spec_text)
    legend = Markup("{}{}").format(
        label_of(page, name),
        Markup(' <span class="required" aria-hidden="true">*</span>') if not spec.optional else "",
    )
    if fields is not None:
        inner = join(render_field(page, f"{path}.{sub}", s, values, errors) for sub, s in fields.items())
        return Markup('<fieldset class="group"><legend>{}</legend>{}</fieldset>').format(legend, inner)
    if spec.kind in ("text", "textlist"):
        item = "strlist?" if spec.kind == "textlist" else "str?"
        long = name in LONG_FIELDS
        inner = join(
            _input(page, f"{path}.{language}", f"language.{language}", item, values, errors, long=long)
            for language in ("vi", "en")
        )
        return Markup('<fieldset class="text"><legend>{}</legend>{}</fieldset>').format(legend, inner)
    return _input(page, path, name, spec_text, values, errors, readonly)


def field_errors(problems: Sequence[Problem], paths: Iterable[str]) -> dict[str, list[str]]:
    """The problems that name a field of the form, by the field's form path."""
    known = set(paths)
    found: dict[str, list[str]] = {}
    for problem in problems:
        match = _FIELD_IN_MESSAGE.search(problem.message)
        if not match:
            continue
        path = re.sub(r"\[\d+\].*$", "", match[1])
        while path and path not in known:
            path = path.rpartition(".")[0]
        if path:
            found.setdefault(path, []).append(problem.message)
    return found


def form_paths(topic: str) -> list[str]:
    """Every form path of an entry of `topic` (a field, a text's vi and en, a record's fields)."""
    paths: list[str] = []

    def walk(path: str, spec_text: str) -> None:
        paths.append(path)
        fields = sub_fields(spec_text)
        if fields is not None:
            for sub, s in fields.items():
                walk(f"{path}.{sub}", s)
        elif parse_spec(spec_text).kind in ("text", "textlist"):
            paths.extend((f"{path}.vi", f"{path}.en"))

    for name, spec in entry_fields(topic).items():
        walk(name, spec)
    return paths


def _refusal_and_question(
    page: Page, refusal: str | None, question: str
) -> tuple[Markup | str, Markup | str]:
    """The alert of a refused save, and the user's question a form was opened for (each empty when none)."""
    refusal_html = (
        Markup('<p class="flash error" role="alert">{}</p>').format(page.t(f"refused.{refusal}"))
        if refusal
        else ""
    )
    context = (
        Markup('<p class="context">{}</p>').format(page.t("asked_question", question=question))
        if question
        else ""
    )
    return refusal_html, context


def entry_form_page(
    page: Page,
    topic: str,
    entry_id: str | None,
    values: Mapping[str, str],
    file_hash: str,
    problems: Sequence[Problem] = (),
    refusal: str | None = None,
    question: str = "",
) -> str:
    t = page.t
    errors = field_errors(problems, form_paths(topic))
    fields = join(
        render_field(page, name, spec, values, errors, readonly=(name == "id" and entry_id is not None))
        for name, spec in entry_fields(topic).items()
    )
    action = f"/knowledge/{topic}/{entry_id}" if entry_id else page.url("/knowledge/new", topic=topic)
    refusal_html, context = _refusal_and_question(page, refusal, question)
    disabled = Markup("") if page.editor else DISABLED
    submit = (
        Markup('<button type="submit">{}</button>').format(t("save"))
        if page.editor
        else Markup("<p>{}</p>").format(t("viewer_note"))
    )
    body = Markup(
        '{refusal}{problems}{context}<p>{intro}</p><form method="post" action="{action}" class="entry" novalidate>{csrf}'
        '<input type="hidden" name="file_hash" value="{hash}"><fieldset class="plain"{disabled}><legend class="visually-hidden">{title}</legend>{fields}</fieldset>{submit}</form>'
    ).format(
        refusal=refusal_html,
        problems=_problems(page, problems, "change_problems"),
        context=context,
        intro=t("form_intro", file=schema.TOPIC_FILES[topic]),
        action=action,
        csrf=csrf_field(page),
        hash=file_hash,
        disabled=disabled,
        title=t(f"topic.{topic}"),
        fields=fields,
        submit=submit,
    )
    title = t("edit_title", entry=entry_id) if entry_id else t("new_title", topic=t(f"topic.{topic}"))
    return layout(page, title, body)


def choose_topic_page(page: Page, question: str) -> str:
    t = page.t
    links = join(
        Markup('<li><a href="{}">{}</a></li>').format(
            page.url("/knowledge/new", topic=name, q=question), t(f"topic.{name}")
        )
        for name in schema.TOPIC_FILES
    )
    context = (
        Markup('<p class="context">{}</p>').format(t("asked_question", question=question)) if question else ""
    )
    body = Markup('{}<p>{}</p><ul class="topics">{}</ul><p><a href="{}">{}</a></p>').format(
        context, t("choose_topic"), links, page.url("/documents/new", q=question), t("or_add_document")
    )
    return layout(page, t("new_entry"), body)


# --------------------------------------------------------------------------------------------- documents


def document_page(
    page: Page,
    values: Mapping[str, str],
    provinces: Sequence[str],
    problems: Sequence[Problem] = (),
    refusal: str | None = None,
    question: str = "",
) -> str:
    t = page.t

    def line(name: str, key: str, required: bool = True, hint: str = "") -> Markup:
        hint_html = Markup('<p class="hint" id="d-{}-hint">{}</p>').format(name, hint) if hint else ""
        described = Markup(' aria-describedby="d-{}-hint"').format(name) if hint else ""
        return Markup(
            '<div class="field"><label for="d-{name}">{label}{req}</label><input id="d-{name}" name="{name}" value="{value}"{req_attr}{described}>{hint}</div>'
        ).format(
            name=name,
            label=t(key),
            req=Markup(' <span class="required" aria-hidden="true">*</span>') if required else "",
            value=values.get(name, ""),
            req_attr=Markup(' aria-required="true"') if required else "",
            described=described,
            hint=hint_html,
        )

    boxes = join(
        Markup(
            '<label class="check"><input type="checkbox" name="provinces" value="{}"{}> {}</label>'
        ).format(p, Markup(" checked") if p in provinces else "", p)
        for p in schema.PROVINCES
    )
    languages = join(
        Markup('<option value="{}"{}>{}</option>').format(
            code, Markup(" selected") if values.get("language", "vi") == code else "", t(f"language.{code}")
        )
        for code in ("vi", "en")
    )
    refusal_html, context = _refusal_and_question(page, refusal, question)
    submit = (
        Markup('<button type="submit">{}</button>').format(t("save_document"))
        if page.editor
        else Markup("<p>{}</p>").format(t("viewer_note"))
    )
    disabled = Markup("") if page.editor else DISABLED
    body = Markup(
        '{refusal}{problems}{context}<p>{intro}</p><form method="post" action="/documents/new" class="entry" novalidate>{csrf}'
        '<fieldset class="plain"{disabled}><legend class="visually-hidden">{title}</legend>'
        "{title_f}{id_f}{source_title}{source_url}{date}"
        '<fieldset class="group"><legend>{prov_label} <span class="required" aria-hidden="true">*</span></legend>{boxes}</fieldset>'
        '<div class="field"><label for="d-language">{lang_label}</label><select id="d-language" name="language">{languages}</select></div>'
        "{licence}"
        '<div class="field"><label for="d-text">{text_label} <span class="required" aria-hidden="true">*</span></label>'
        '<textarea id="d-text" name="text" rows="14" aria-required="true" aria-describedby="d-text-hint">{text}</textarea>'
        '<p class="hint" id="d-text-hint">{text_hint}</p></div></fieldset>{submit}</form>'
    ).format(
        refusal=refusal_html,
        problems=_problems(page, problems, "change_problems"),
        context=context,
        intro=t("document_intro"),
        csrf=csrf_field(page),
        disabled=disabled,
        title=t("document_title"),
        title_f=line("title", "doc.title"),
        id_f=line("id", "doc.id", required=False, hint=t("hint.document_id")),
        source_title=line("source_title", "doc.source_title", required=False),
        source_url=line("source_url", "doc.source_url", hint=t("hint.url")),
        date=line("date", "doc.date", hint=t("hint.when")),
        prov_label=t("doc.provinces"),
        boxes=boxes,
        lang_label=t("doc.language"),
        languages=languages,
        licence=line("licence", "doc.licence"),
        text_label=t("doc.text"),
        text=values.get("text", ""),
        text_hint=t("hint.document_text"),
        submit=submit,
    )
    return layout(page, t("document_title"), body)


# ------------------------------------------------------------------------------------------------ try it


def _reply_html(page: Page, reply: Mapping[str, Any]) -> Markup:
    parts = []
    if reply.get("text"):
        parts.append(Markup('<p class="bot-text">{}</p>').format(str(reply["text"])))
    if reply.get("image"):
        parts.append(Markup("<p>{} <code>{}</code></p>").format(page.t("image"), str(reply["image"])))
    if reply.get("custom"):
        parts.append(Markup("<p>{} <code>{}</code></p>").format(page.t("custom"), str(reply["custom"])[:300]))
    buttons = [b for b in reply.get("buttons") or [] if isinstance(b, dict)]
    if buttons:
        parts.append(
            Markup('<ul class="chips">{}</ul>').format(
                join(Markup("<li>{}</li>").format(str(b.get("title", ""))) for b in buttons)
            )
        )
    return Markup('<li class="bot">{}</li>').format(join(parts))


def try_page(page: Page, tried: Tried | None, question: str = "") -> str:
    t = page.t
    form = Markup(
        '<form method="post" action="/try" class="try">{csrf}<label for="question">{label}</label>'
        '<textarea id="question" name="question" rows="2" required>{question}</textarea>'
        '<button type="submit">{ask}</button></form>'
        '<form method="post" action="/try/restart">{csrf}<button type="submit" class="secondary">{restart}</button></form>'
    ).format(
        csrf=csrf_field(page), label=t("try_label"), question=question, ask=t("ask"), restart=t("restart")
    )
    result = Markup("")
    if tried is not None:
        if tried.error:
            result = Markup('<p class="flash error" role="alert">{}</p>').format(t(tried.error))
        else:
            facts = [
                (t("intent"), tried.intent or "—"),
                (t("confidence"), f"{tried.confidence:.2f}" if tried.confidence is not None else "—"),
                (
                    t("entities"),
                    ", ".join(f"{e.get('entity')}={e.get('value')}" for e in tried.entities) or "—",
                ),
                (t("entry_used"), entry_link(tried.entry) or "—"),
            ]
            reading = Markup('<dl class="facts">{}</dl>').format(
                join(Markup("<div><dt>{}</dt><dd>{}</dd></div>").format(k, v) for k, v in facts)
            )
            replies = join(_reply_html(page, r) for r in tried.replies) or Markup("<li>{}</li>").format(
                t("no_reply")
            )
            result = Markup(
                '<section aria-labelledby="result-h" role="status"><h2 id="result-h">{}</h2><p class="user-q">{}</p><ol class="chat">{}</ol>{}</section>'
            ).format(t("result"), tried.question, replies, reading)
    body = Markup("<p>{}</p>{}{}").format(t("try_intro"), form, result)
    return layout(page, t("try_title"), body)


# ------------------------------------------------------------------------------------------------- audit


def audit_page(page: Page, rows: Sequence[AuditEntry]) -> str:
    t = page.t
    items = []
    for row in rows:
        change = Markup("")
        if row.before or row.after:
            change = Markup(
                '<details><summary>{}</summary><div class="diff"><div><h3>{}</h3><pre>{}</pre></div><div><h3>{}</h3><pre>{}</pre></div></div></details>'
            ).format(t("show_change"), t("before"), row.before or "", t("after"), row.after or "")
        items.append(
            Markup("<li><p><strong>{}</strong> · {} · {} · {} {}</p>{}</li>").format(
                when(row.at), row.user, t(f"action.{row.action}"), row.file or "", row.entry or "", change
            )
        )
    listing = (
        Markup('<ol class="audit">{}</ol>').format(join(items))
        if items
        else Markup('<p class="empty">{}</p>').format(t("nothing_yet"))
    )
    return layout(page, t("audit_title"), Markup("<p>{}</p>{}").format(t("audit_intro"), listing))
