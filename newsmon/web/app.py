"""The analysts' workbench: a Starlette app over the same query code as `newsmon query`.

``create_app(db_url)`` builds it; `newsmon serve` runs it with uvicorn. Reading is open; corrections
need a signed-in analyst (accounts from `newsmon users add`). Sessions are signed cookies
(NEWSMON_SECRET_KEY, or a random key per process: sign-ins then end at restart).
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from newsmon.errors import NewsmonError
from newsmon.settings import SECRET_KEY
from newsmon.web.params import BadRequest
from newsmon.web.security import CSRFMiddleware, SecurityHeaders, csrf_token
from storage.db import open_database

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
SESSION_COOKIE = "newsmon_session"
SESSION_MAX_AGE = 12 * 3600


@dataclass
class Workbench:
    """What every endpoint needs: the session factory, the templates, the taxonomy, the model."""

    factory: sessionmaker[Session]
    model_path: Path | None = None
    subscriptions_path: str | None = None
    templates: Environment = field(init=False)

    def __post_init__(self) -> None:
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
            trim_blocks=True, lstrip_blocks=True,
        )
        from newsmon.web import render

        render.install_filters(self.templates)

    @cached_property
    def topics(self) -> list[str]:
        from classifier.taxonomy import topic_names

        return topic_names()

    @cached_property
    def model(self) -> Any:
        """The classifier model, loaded on first need (review queue, evidence); None when absent."""
        from classifier import load_default_model

        return load_default_model(self.model_path)

    def page(self, request: Request, name: str, context: dict, status: int = 200) -> HTMLResponse:
        template = self.templates.get_template(name)
        has_session = "session" in request.scope  # not on errors caught outside the middleware
        html = template.render(
            request=request, user=request.session.get("user") if has_session else None,
            csrf_token=csrf_token(request) if has_session else "", topics=self.topics, **context,
        )
        return HTMLResponse(html, status_code=status)


def workbench(request: Request) -> Workbench:
    return request.app.state.workbench


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def error_response(request: Request, status: int, message: str) -> Response:
    if wants_json(request):
        return JSONResponse({"error": message, "status": status}, status_code=status)
    return workbench(request).page(request, "error.html", {"status": status, "message": message}, status)


async def bad_request(request: Request, exc: Exception) -> Response:
    status = exc.status if isinstance(exc, BadRequest) else 400
    return error_response(request, status, getattr(exc, "message", str(exc)))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = exc.detail if exc.status_code != 404 or exc.detail != "Not Found" else "There is no such page."
    return error_response(request, exc.status_code, message)


async def database_error(request: Request, exc: Exception) -> Response:
    log.error("database error on %s: %s", request.url.path, exc)
    return error_response(request, 503, "The database is not answering; try again in a moment.")


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("error on %s", request.url.path, exc_info=exc)
    return error_response(request, 500, "Something went wrong on our side; the error was logged.")


def create_app(db_url: str | None = None, factory: sessionmaker[Session] | None = None,
               secret_key: str | None = None, model_path: Path | None = None,
               subscriptions_path: str | None = None) -> Starlette:
    """The workbench over ``db_url`` (migrated to head) or an existing session ``factory``."""
    from newsmon.web import api, auth, pages, subscriptions

    key = secret_key or SECRET_KEY.value()
    if not key:
        log.warning("%s is not set: using a random key, so sign-ins end when the server restarts", SECRET_KEY.env)
        key = secrets.token_urlsafe(32)
    routes = [
        Route("/healthz", api.healthz),
        Route("/api/articles", api.articles),
        Route("/api/stories", api.stories),
        Route("/api/review", api.review),
        Route("/", pages.search),
        Route("/search.csv", pages.download_csv),
        Route("/stories/{story_id:int}", pages.story),
        Route("/articles/{article_id:int}", pages.article),
        Route("/review", pages.review),
        Route("/sources", pages.sources),
        Route("/subscriptions", subscriptions.subscriptions),
        Route("/login", auth.login_form, methods=["GET"]),
        Route("/login", auth.login, methods=["POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/articles/{article_id:int}/label", auth.label, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(SessionMiddleware, secret_key=key, session_cookie=SESSION_COOKIE, max_age=SESSION_MAX_AGE,
                   same_site="strict", https_only=False),
        Middleware(CSRFMiddleware),
    ]
    handlers = {
        BadRequest: bad_request, NewsmonError: bad_request, HTTPException: http_error,
        SQLAlchemyError: database_error, Exception: server_error,
    }
    app = Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)
    app.state.workbench = Workbench(factory or open_database(db_url), model_path, subscriptions_path)
    return app
