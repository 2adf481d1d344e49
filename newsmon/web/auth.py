"""Signing in and the one thing it allows: correcting an article's tags, as `newsmon label` does."""
from __future__ import annotations

import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from newsmon.accounts import authenticate
from newsmon.errors import NewsmonError
from newsmon.names import topic_problem
from newsmon.web.app import workbench
from newsmon.web.params import BadRequest
from storage.tagging import record_correction


def local_path(target: str | None, default: str = "/") -> str:
    """Only a path on this site may follow a sign-in or a correction (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def login_form(request: Request) -> Response:
    return workbench(request).page(request, "login.html", {"next": local_path(request.query_params.get("next")),
                                                          "failed": False})


async def login(request: Request) -> Response:
    bench = workbench(request)
    form = await request.form()
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    target = local_path(str(form.get("next", "")))

    def check():
        with bench.factory() as session:
            return authenticate(session, name, password)

    analyst = await run_in_threadpool(check)
    if analyst is None:
        return bench.page(request, "login.html", {"next": target, "failed": True, "name": name}, status=401)
    request.session.clear()  # a new session on sign-in: no fixation
    request.session["user"] = analyst.name
    request.session["csrf"] = secrets.token_urlsafe(32)
    return RedirectResponse(target, status_code=303)


async def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/", status_code=303)


async def label(request: Request) -> Response:
    """Add or remove topics, or mark not relevant; recorded with the analyst's name."""
    bench = workbench(request)
    article_id = request.path_params["article_id"]
    form = await request.form()
    target = local_path(str(form.get("next", "")), f"/articles/{article_id}")
    user = request.session.get("user")
    if not user:
        return RedirectResponse(f"/login?next={target}", status_code=303)
    add = [str(v) for v in form.getlist("add") if str(v)]
    remove = [str(v) for v in form.getlist("remove") if str(v)]
    irrelevant = str(form.get("irrelevant", "")) == "1"
    if not (add or remove or irrelevant):
        raise BadRequest("say what to correct: add a topic, remove one, or mark the article not relevant")
    problem = topic_problem(add + remove)
    if problem:
        raise BadRequest(problem)
    def write() -> None:
        with bench.factory() as session, session.begin():
            try:
                record_correction(session, article_id, add=add, remove=remove, irrelevant=irrelevant, analyst=user)
            except NewsmonError as exc:
                raise BadRequest(str(exc), status=404 if "no article" in str(exc) else 400) from exc

    await run_in_threadpool(write)
    return RedirectResponse(target, status_code=303)
