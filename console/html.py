"""The page frame and small HTML helpers. Every value is escaped unless it is Markup made here: what people
typed (questions, replies, knowledge texts) is always shown as text, never as markup."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from markupsafe import Markup, escape

from console.wording import has, say

# (path, wording key) of the main navigation, in order.
NAVIGATION = (
    ("/", "nav_overview"),
    ("/unanswered", "nav_unanswered"),
    ("/feedback", "nav_feedback"),
    ("/knowledge", "nav_knowledge"),
    ("/documents/new", "nav_document"),
    ("/try", "nav_try"),
    ("/audit", "nav_audit"),
)


@dataclass
class Page:
    """What every page needs: the reader's language, who is logged in, the form token, the current address."""

    language: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    user: str | None = None
    role: str | None = None
    csrf: str = ""
    flash: list[tuple[str, str]] = field(default_factory=list)

    def t(self, key: str, /, **values: object) -> str:
        return say(key, self.language, **values)

    @property
    def editor(self) -> bool:
        return self.role == "editor"

    def url(self, path: str, **query: str) -> str:
        """`path` with `query` (empty values left out)."""
        kept = {k: v for k, v in query.items() if v}
        return f"{path}?{urlencode(kept)}" if kept else path


def csrf_field(page: Page) -> Markup:
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(page.csrf)


def label_of(page: Page, name: str) -> str:
    """The label of a knowledge field (its name when the wording has none)."""
    key = f"field.{name}"
    return page.t(key) if has(key) else name


def join(parts: Iterable[Markup | str]) -> Markup:
    return Markup("").join(escape(p) for p in parts)


def table(
    caption: str, headers: Sequence[str], rows: Iterable[Sequence[Markup | str | int]], empty: str = ""
) -> Markup:
    """A table with a caption and column headers, scrollable on narrow screens."""
    body = [
        Markup("<tr>{}</tr>").format(
            join(
                Markup('<th scope="row">{}</th>').format(c) if i == 0 else Markup("<td>{}</td>").format(c)
                for i, c in enumerate(row)
            )
        )
        for row in rows
    ]
    if not body:
        return Markup('<p class="empty">{}</p>').format(empty) if empty else Markup("")
    head = join(Markup('<th scope="col">{}</th>').format(h) for h in headers)
    return Markup(
        '<div class="scroll" tabindex="0" role="region" aria-label="{}"><table><caption>{}</caption>'
        "<thead><tr>{}</tr></thead><tbody>{}</tbody></table></div>"
    ).format(caption, caption, head, join(body))


def layout(page: Page, title: str, body: Markup, heading: bool = True) -> str:
    """The whole page: skip link, header with navigation and account, the language switch, the main part."""
    other = "en" if page.language == "vi" else "vi"
    switch = Markup('<a class="lang" href="{}" lang="{}" hreflang="{}">{}</a>').format(
        page.url(page.path, **{**page.query, "lang": other}), other, other, say("language_name", other)
    )
    nav = Markup("")
    account = Markup("")
    if page.user:
        links = []
        for path, key in NAVIGATION:
            current = page.path == path or (path != "/" and page.path.startswith(path))
            links.append(
                Markup('<li><a href="{}"{}>{}</a></li>').format(
                    path, Markup(' aria-current="page"') if current else "", page.t(key)
                )
            )
        nav = Markup('<nav aria-label="{}"><ul>{}</ul></nav>').format(page.t("nav_label"), join(links))
        account = Markup(
            '<div class="account"><span>{}</span><form method="post" action="/logout">{}'
            '<button type="submit" class="link">{}</button></form></div>'
        ).format(
            page.t("signed_in_as", user=page.user, role=page.t(f"role.{page.role}")),
            csrf_field(page),
            page.t("logout"),
        )
    notes = join(
        Markup('<p class="flash {}" role="{}">{}</p>').format(
            kind, "alert" if kind == "error" else "status", text
        )
        for kind, text in page.flash
    )
    return str(
        Markup(
            '<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<title>{title} · {app}</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/static/console.css"></head>'
            '<body><a class="skip" href="#main">{skip}</a>'
            '<header class="top"><div class="bar"><p class="brand">{app}</p>{account}{switch}</div>{nav}</header>'
            '<main id="main" tabindex="-1">{h1}{notes}{body}</main></body></html>'
        ).format(
            lang=page.language,
            title=title,
            app=page.t("app_name"),
            skip=page.t("skip_to_main"),
            account=account,
            switch=switch,
            nav=nav,
            h1=Markup("<h1>{}</h1>").format(title) if heading else "",
            notes=notes,
            body=body,
        )
    )
