"""The console's web application: routes, the login, the guard every request passes, and the handlers.

Every page but /login and /health needs a session (a random token in an HttpOnly, SameSite=Strict cookie,
Secure when CONSOLE_SECURE_COOKIES says the console is behind https; it ends after CONSOLE_IDLE_MINUTES
unused). Every POST carries the session's form token (csrf_token), or, for the login form, the token of the
login cookie; anything else is refused with 403 before a handler runs. Editors change the knowledge,
viewers only read. Handlers read the request, call plain functions (database work and file checks run in a
thread) and render a page; each change is written to the audit log.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import io
import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp
from aiohttp import web
from multidict import MultiDictProxy
from sqlalchemy.orm import Session, sessionmaker

from assistant.kb import schema
from assistant.kb.errors import Problem
from assistant.kb.models import make_sessionmaker
from assistant.kb.provenance import reviews
from assistant.records import (
    activity,
    feedback_report,
    purge_records,
    rated_turns,
    unanswered_report,
    write_activity_csv,
)
from assistant.records.reports import LOCAL_TIME_ZONE
from assistant.settings import Settings
from bot.rasa_client import RasaClient
from console import pages, store
from console.auth import LoginThrottle, Sessions, StaffSession, check_login
from console.documents import DocumentForm, save_document
from console.editing import (
    MISSING,
    FormProblem,
    KnowledgeFolder,
    Refused,
    Saved,
    entries_matching,
    form_values,
    read_entry,
)
from console.html import Page
from console.tryit import CHANNEL, try_question
from console.wording import LANGUAGES

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")
SESSION_COOKIE = "console_session"
LOGIN_COOKIE = "console_login"
LANGUAGE_COOKIE = "console_lang"
MAX_BODY_BYTES = 2 * 1024 * 1024  # a pasted document
MAX_SESSION_SECONDS = 12 * 3600
MAX_NAME_CHARS = 64
RELOAD_TIMEOUT = 120.0
PURGE_EVERY_SECONDS = 24 * 3600
PUBLIC_PATHS = frozenset({"/login", "/health", "/static/console.css"})

T = TypeVar("T")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Console:
    """The running console's parts (the HTTP clients and the database are opened when the app starts)."""

    settings: Settings
    staff: Sessions
    throttle: LoginThrottle
    folder: KnowledgeFolder
    clock: Callable[[], float]
    sessions: sessionmaker | None = None
    http: aiohttp.ClientSession | None = None
    rasa: RasaClient | None = None
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """Run blocking work (files, validation) in a thread."""
        return await asyncio.get_running_loop().run_in_executor(None, functools.partial(work, *args))

    async def db(self, work: Callable[[Session], T]) -> T:
        """Run `work` in one transaction of the database, in a thread."""
        assert self.sessions is not None
        sessions = self.sessions

        def unit() -> T:
            with sessions.begin() as session:
                return work(session)

        return await self.run(unit)


CONSOLE = web.AppKey("console", Console)
STAFF = "staff"
LANGUAGE = "language"
FORM = "form"


def create_app(settings: Settings, clock: Callable[[], float] = time.time) -> web.Application:
    """The console for `settings`; `clock` (seconds) times sessions and the login throttle."""
    app = web.Application(middlewares=[_guard], client_max_size=MAX_BODY_BYTES)
    app[CONSOLE] = Console(
        settings=settings,
        staff=Sessions(settings.console_idle_minutes * 60, MAX_SESSION_SECONDS, clock),
        throttle=LoginThrottle(
            settings.console_login_slow_after,
            settings.console_login_max_failures,
            settings.console_lock_minutes * 60,
            clock,
        ),
        folder=KnowledgeFolder(settings.knowledge_dir),
        clock=clock,
    )
    app.cleanup_ctx.append(_lifecycle)
    app.on_response_prepare.append(_security_headers)  # type: ignore[arg-type]  # aiohttp's Signal typing
    routes = [
        web.get("/health", health),
        web.get("/static/console.css", stylesheet),
        web.get("/login", login_form),
        web.post("/login", login),
        web.post("/logout", logout),
        web.get("/", overview),
        web.get("/overview.csv", overview_csv),
        web.get("/unanswered", unanswered),
        web.post("/unanswered/mark", mark_unanswered),
        web.get("/feedback", feedback),
        web.get("/knowledge", knowledge),
        web.get("/knowledge/new", new_entry_form),
        web.post("/knowledge/new", new_entry),
        web.get("/knowledge/{topic}/{entry_id}", entry_form),
        web.post("/knowledge/{topic}/{entry_id}", save_entry),
        web.get("/documents/new", document_form),
        web.post("/documents/new", new_document),
        web.get("/try", try_form),
        web.post("/try", try_ask),
        web.post("/try/restart", try_restart),
        web.get("/audit", audit_log),
    ]
    app.add_routes(routes)
    return app


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    console = app[CONSOLE]
    settings = console.settings
    console.sessions = make_sessionmaker(settings.database_url)
    await console.run(_create_tables, console.sessions)
    console.http = aiohttp.ClientSession()
    console.rasa = RasaClient(settings.rasa_urls, timeout=settings.rasa_timeout, token=settings.rasa_token)
    purge = asyncio.create_task(_purge_daily(console))
    yield
    purge.cancel()
    for task in list(console.tasks):
        task.cancel()
    await console.http.close()
    await console.rasa.close()
    console.sessions.kw["bind"].dispose()


def _create_tables(sessions: sessionmaker) -> None:
    with sessions.begin() as session:
        store.create_console_schema(session.connection())


async def _purge_daily(console: Console) -> None:
    """Delete the records older than RECORDS_RETENTION_DAYS now, then once a day."""
    days = console.settings.records_retention_days
    while True:
        try:
            deleted = await console.db(lambda s: purge_records(s, days))
            if any(deleted.values()):
                logger.info("records older than %d days purged: %s", days, deleted)
        except Exception:  # a failed purge is tried again tomorrow; the console keeps serving
            logger.exception("could not purge the records")
        await asyncio.sleep(PURGE_EVERY_SECONDS)


# ----------------------------------------------------------------------------------------- every request


# No script at all, styles from our own file, forms only to ourselves, never in a frame.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")


def _language(request: web.Request) -> str:
    asked = request.query.get("lang") or request.cookies.get(LANGUAGE_COOKIE, "")
    return asked if asked in LANGUAGES else "vi"


@web.middleware
async def _guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Pages need a session, every POST its form token; the reader's language comes along."""
    console = request.app[CONSOLE]
    request[LANGUAGE] = _language(request)
    staff = console.staff.get(request.cookies.get(SESSION_COOKIE))
    request[STAFF] = staff
    if staff is None and request.path not in PUBLIC_PATHS:
        if request.method in ("GET", "HEAD"):
            raise web.HTTPSeeOther(f"/login?next={quote(request.path_qs, safe='')}")
        return _error(request, 403, "error_login_title", "error_login")
    if request.method == "POST":
        form = await request.post()
        request[FORM] = form
        expected = staff.csrf if staff is not None else request.cookies.get(LOGIN_COOKIE, "")
        given = form.get("csrf_token")
        if not expected or not isinstance(given, str) or not hmac.compare_digest(given, expected):
            return _error(request, 403, "error_csrf_title", "error_csrf")
    response = await handler(request)
    if request.query.get("lang") in LANGUAGES:
        _cookie(request, response, LANGUAGE_COOKIE, request[LANGUAGE], max_age=365 * 24 * 3600)
    return response


def _cookie(
    request: web.Request, response: web.StreamResponse, name: str, value: str, max_age: int | None = None
) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="Strict",
        secure=request.app[CONSOLE].settings.console_secure_cookies,
        path="/",
        max_age=max_age,
    )


def _page(request: web.Request) -> Page:
    staff: StaffSession | None = request[STAFF]
    query = {k: v for k, v in request.query.items() if k != "lang"}
    page = Page(request[LANGUAGE], request.path, query)
    if staff is not None:
        page.user, page.role, page.csrf = staff.user, staff.role, staff.csrf
        page.flash, staff.flash = staff.flash, []
    return page


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def _error(request: web.Request, status: int, title_key: str, text_key: str) -> web.Response:
    page = (
        _page(request) if request.get(STAFF) is not None else Page(request.get(LANGUAGE, "vi"), request.path)
    )
    return _html(pages.error_page(page, title_key, text_key), status)


def _form(request: web.Request) -> MultiDictProxy[Any]:
    form: MultiDictProxy[Any] = request[FORM]
    return form


def _text(form: MultiDictProxy[Any], name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def _editor(request: web.Request) -> StaffSession:
    """The session of an editor; 403 for a viewer."""
    staff: StaffSession = request[STAFF]
    if staff.role != store.EDITOR:
        raise web.HTTPForbidden(
            text=pages.error_page(_page(request), "error_viewer_title", "error_viewer"),
            content_type="text/html",
        )
    return staff


def _flash(request: web.Request, kind: str, key: str, **values: object) -> None:
    staff: StaffSession = request[STAFF]
    staff.flash.append((kind, Page(request[LANGUAGE], request.path).t(key, **values)))


def _today(settings: Settings) -> date:
    return date.fromisoformat(settings.today) if settings.today else datetime.now(LOCAL_TIME_ZONE).date()


# ------------------------------------------------------------------------------------------------- login


async def health(request: web.Request) -> web.Response:
    """Liveness for the supervisor (no data)."""
    return web.json_response({"ok": True})


async def stylesheet(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "console.css", headers={"Content-Type": "text/css; charset=utf-8"})


def _next(value: str) -> str:
    """Where to go after logging in: a path of this console only."""
    return value if value.startswith("/") and not value.startswith("//") and "\\" not in value else "/"


async def login_form(request: web.Request) -> web.Response:
    if request[STAFF] is not None:
        raise web.HTTPSeeOther("/")
    return _login_page(request, next_path=_next(request.query.get("next", "/")))


def _login_page(
    request: web.Request,
    username: str = "",
    error: str | None = None,
    next_path: str = "/",
    status: int = 200,
) -> web.Response:
    # The same token for every login page of this browser: two tabs (or a favicon's redirect) keep working.
    kept = request.cookies.get(LOGIN_COOKIE, "")
    token = (
        kept
        if len(kept) == 43 and kept.replace("-", "").replace("_", "").isalnum()
        else secrets.token_urlsafe(32)
    )
    page = Page(request[LANGUAGE], request.path, csrf=token)
    response = _html(pages.login_page(page, username, error, next_path), status)
    _cookie(request, response, LOGIN_COOKIE, token)
    return response


async def login(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    form = _form(request)
    name = _text(form, "username").strip()[:MAX_NAME_CHARS]
    password = _text(form, "password")
    next_path = _next(_text(form, "next"))
    t = Page(request[LANGUAGE], request.path).t
    keys = [f"user:{name.lower()}", f"ip:{request.remote or 'unknown'}"]
    verdict = console.throttle.check(keys)
    if not verdict.allowed:
        key = "login_locked" if verdict.locked else "login_wait"
        wait = max(1, round(verdict.wait_seconds / 60 if verdict.locked else verdict.wait_seconds))
        return _login_page(request, name, t(key, wait=wait), next_path, status=429)
    user = await console.db(lambda s: store.get_user(s, name))
    if not await console.run(check_login, password, user.password_hash if user else None) or user is None:
        console.throttle.failed(keys)
        logger.warning("console: failed login for %r from %s", name, request.remote)
        after = console.throttle.check(keys)
        message = (
            t("login_locked", wait=round(after.wait_seconds / 60) or 1) if after.locked else t("login_failed")
        )
        return _login_page(request, name, message, next_path, status=401)
    console.throttle.succeeded(keys)
    token, _ = console.staff.create(user.name, user.role)
    response = web.HTTPSeeOther(next_path)
    _cookie(request, response, SESSION_COOKIE, token)
    response.del_cookie(LOGIN_COOKIE, path="/")
    logger.info("console: %s logged in", user.name)
    raise response


async def logout(request: web.Request) -> web.Response:
    request.app[CONSOLE].staff.drop(request.cookies.get(SESSION_COOKIE))
    response = web.HTTPSeeOther("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


# ---------------------------------------------------------------------------------------------- overview


def _names(console: Console, language: str) -> dict[str, str]:
    """ "topic:id" -> the entry's name in `language`, from the live folder."""
    topics, _ = console.folder.validated()
    return {
        f"{topic}:{e.id}": (e.name_vi if language == "vi" else e.name_en) or e.name_vi
        for topic, entries in topics.items()
        for e in entries
    }


async def overview(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    today = _today(console.settings)
    data = await console.db(lambda s: activity(s, today, exclude_channels=(CHANNEL,)))
    names = await console.run(_names, console, request[LANGUAGE])
    return _html(pages.overview_page(_page(request), data, names))


async def overview_csv(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    today = _today(console.settings)
    data = await console.db(lambda s: activity(s, today, exclude_channels=(CHANNEL,)))
    out = io.StringIO()
    write_activity_csv(data, out)
    return web.Response(
        body=out.getvalue().encode("utf-8-sig"),  # Excel reads Vietnamese from UTF-8 with a BOM
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="overview-{today.isoformat()}.csv"'},
    )


# -------------------------------------------------------------------------------------------- unanswered


STATUSES = ("open", "handled", "ignored", "all")


def _group_views(session: Session) -> list[pages.GroupView]:
    marks = store.marks(session)
    views = []
    for group in unanswered_report(session):
        mark = marks.get(group.key)
        if mark is not None and mark.at >= group.last_at:  # asked again after the mark: open again
            views.append(pages.GroupView(group, mark.status, mark.user))
        else:
            views.append(pages.GroupView(group, "open"))
    return views


async def unanswered(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    status = request.query.get("status", "open")
    status = status if status in STATUSES else "open"
    views = await console.db(_group_views)
    counts = {s: sum(1 for v in views if v.status == s) for s in STATUSES[:-1]}
    counts["all"] = len(views)
    shown = [v for v in views if status == "all" or v.status == status]
    return _html(pages.unanswered_page(_page(request), shown, status, counts))


async def mark_unanswered(request: web.Request) -> web.Response:
    staff = _editor(request)
    form = _form(request)
    key, status = _text(form, "key"), _text(form, "status")
    if status not in store.MARKS or not key or len(key) > 1000:
        return _error(request, 400, "error_form_title", "error_form")

    def mark(session: Session) -> None:
        store.set_mark(session, key, status, staff.user)
        store.audit(session, staff.user, "mark_unanswered", entry=key, after=status)

    await request.app[CONSOLE].db(mark)
    _flash(request, "ok", f"marked.{status}")
    raise web.HTTPSeeOther("/unanswered")


# ---------------------------------------------------------------------------------------------- feedback


async def feedback(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    turns = await console.db(rated_turns)
    summary = await console.db(feedback_report)
    names = await console.run(_names, console, request[LANGUAGE])
    return _html(pages.feedback_page(_page(request), turns, summary, names))


# --------------------------------------------------------------------------------------------- knowledge


def _knowledge_views(
    console: Console, query: str, topic: str
) -> tuple[dict[str, list[pages.EntryView]], list[Problem]]:
    topics, problems = console.folder.validated()
    today = _today(console.settings)
    due: dict[tuple[str, str], date] = {}
    for name, entries in topics.items():
        for review in reviews({name: entries}, console.folder.folder.name):
            key = (name, review.entry)
            due[key] = min(due.get(key, review.review_by), review.review_by)
    wanted = {topic: topics[topic]} if topic in topics else topics
    views: dict[str, list[pages.EntryView]] = {name: [] for name in wanted}
    for entry in entries_matching(wanted, query):
        when = due.get((entry.topic, entry.id))
        views[entry.topic].append(pages.EntryView(entry, when, when is not None and when <= today))
    return views, problems


async def knowledge(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    query = request.query.get("q", "")[:200]
    topic = request.query.get("topic", "")
    views, problems = await console.run(_knowledge_views, console, query, topic)
    return _html(pages.knowledge_page(_page(request), views, problems, query, topic))


def _topic(request: web.Request, name: str) -> str:
    if name not in schema.TOPIC_FILES:
        raise web.HTTPNotFound(
            text=pages.error_page(_page(request), "error_missing_title", "error_missing"),
            content_type="text/html",
        )
    return name


async def entry_form(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    topic = _topic(request, request.match_info["topic"])
    entry_id = request.match_info["entry_id"]
    current = await console.run(console.folder.shown, topic)
    mapping = current.entry(entry_id)
    if mapping is None:
        return _error(request, 404, "error_missing_title", "error_missing")
    values = form_values(mapping, topic)
    return _html(pages.entry_form_page(_page(request), topic, entry_id, values, current.hash))


async def new_entry_form(request: web.Request) -> web.Response:
    _editor(request)
    console = request.app[CONSOLE]
    question = request.query.get("q", "")[:1000]
    topic = request.query.get("topic", "")
    if topic not in schema.TOPIC_FILES:
        return _html(pages.choose_topic_page(_page(request), question))
    current = await console.run(console.folder.shown, topic)
    values = form_values(None, topic)
    if question:
        values["aliases"] = question
    return _html(pages.entry_form_page(_page(request), topic, None, values, current.hash, question=question))


async def _save(request: web.Request, topic: str, entry_id: str | None) -> web.Response:
    staff = _editor(request)
    console = request.app[CONSOLE]
    form = _form(request)
    submitted = {k: v for k, v in form.items() if isinstance(v, str) and k not in ("csrf_token", "file_hash")}
    expected = _text(form, "file_hash")
    page = _page(request)
    try:
        values = read_entry(submitted, topic)
        if entry_id is None and values.get("id", MISSING) is MISSING:
            raise Refused("id_missing")
        saved: Saved = await console.run(console.folder.save_entry, topic, entry_id, values, expected)
    except FormProblem as problem:
        label = f"{console.folder.folder.name}/{schema.TOPIC_FILES[topic]}"
        refused = Refused("invalid", [Problem(label, 0, str(problem))])
        return _refused(page, topic, entry_id, submitted, expected, refused)
    except Refused as refused:
        return _refused(page, topic, entry_id, submitted, expected, refused)
    await console.db(
        lambda s: store.audit(
            s,
            staff.user,
            "add_entry" if entry_id is None else "edit_entry",
            file=saved.file,
            entry=saved.entry,
            before=saved.before,
            after=saved.after,
        )
    )
    _reload(console)
    _flash(request, "ok", "saved", entry=saved.entry, file=saved.file)
    raise web.HTTPSeeOther(f"/knowledge/{topic}/{saved.entry.partition(':')[2]}")


def _refused(
    page: Page, topic: str, entry_id: str | None, submitted: dict[str, str], expected: str, refused: Refused
) -> web.Response:
    status = 409 if refused.reason in ("conflict", "id_exists", "document_exists") else 422
    text = pages.entry_form_page(page, topic, entry_id, submitted, expected, refused.problems, refused.reason)
    return _html(text, status)


async def save_entry(request: web.Request) -> web.Response:
    topic = _topic(request, request.match_info["topic"])
    return await _save(request, topic, request.match_info["entry_id"])


async def new_entry(request: web.Request) -> web.Response:
    topic = request.query.get("topic", "")
    if topic not in schema.TOPIC_FILES:
        return _error(request, 400, "error_form_title", "error_form")
    return await _save(request, topic, None)


def _reload(console: Console) -> None:
    """Ask the action server to reload now (its watcher would within KNOWLEDGE_POLL_SECONDS anyway)."""

    async def reload() -> None:
        assert console.http is not None
        url = f"{console.settings.actions_url}/knowledge/reload"
        try:
            async with console.http.post(
                url, timeout=aiohttp.ClientTimeout(total=RELOAD_TIMEOUT)
            ) as response:
                body = await response.json(content_type=None)
                logger.info("knowledge reload: HTTP %s, ok=%s", response.status, (body or {}).get("ok"))
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            logger.info(
                "knowledge reload not requested (%s): the watcher picks the change up", type(error).__name__
            )

    task = asyncio.get_running_loop().create_task(reload())
    console.tasks.add(task)
    task.add_done_callback(console.tasks.discard)


# --------------------------------------------------------------------------------------------- documents


async def document_form(request: web.Request) -> web.Response:
    question = request.query.get("q", "")[:1000]
    return _html(pages.document_page(_page(request), {"language": "vi"}, [], question=question))


async def new_document(request: web.Request) -> web.Response:
    staff = _editor(request)
    console = request.app[CONSOLE]
    form = _form(request)
    provinces = [p for p in form.getall("provinces", []) if isinstance(p, str)]
    submitted = {k: v for k, v in form.items() if isinstance(v, str) and k not in ("csrf_token", "provinces")}
    document = DocumentForm.read(submitted, provinces)
    try:
        saved = await console.run(save_document, console.folder, document)
    except Refused as refused:
        status = 409 if refused.reason == "document_exists" else 422
        page = _page(request)
        return _html(
            pages.document_page(page, submitted, provinces, refused.problems, refused.reason), status
        )
    await console.db(
        lambda s: store.audit(
            s, staff.user, "add_document", file=saved.file, entry=document.id, after=saved.after
        )
    )
    _reload(console)
    _flash(request, "ok", "document_saved", file=saved.file)
    raise web.HTTPSeeOther("/knowledge")


# -------------------------------------------------------------------------------------------- try it


async def try_form(request: web.Request) -> web.Response:
    return _html(pages.try_page(_page(request), None))


async def try_ask(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    staff: StaffSession = request[STAFF]
    question = " ".join(_text(_form(request), "question").split())[:1000]
    if not question:
        return _html(pages.try_page(_page(request), None), 400)
    assert console.http is not None and console.rasa is not None
    tried = await try_question(console.http, console.rasa, console.settings, staff.try_sender, question)
    return _html(pages.try_page(_page(request), tried, question))


async def try_restart(request: web.Request) -> web.Response:
    staff: StaffSession = request[STAFF]
    staff.try_sender = "console-" + secrets.token_hex(8)
    raise web.HTTPSeeOther("/try")


# --------------------------------------------------------------------------------------------- audit log


async def audit_log(request: web.Request) -> web.Response:
    rows = await request.app[CONSOLE].db(store.recent_audit)
    return _html(pages.audit_page(_page(request), rows))
