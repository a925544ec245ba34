"""The one place that turns errors into HTTP answers: JSON under /api, pages elsewhere.

Domain errors (``CollectionError`` and its subclasses, which ``DistributionError`` and the
account errors share) carry a ``kind``; ``STATUS_BY_KIND`` maps it to a status code.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from api.access import Forbidden  # the access rules raise it; mapped here
from api.auth.csrf import CsrfError
from api.auth.ratelimit import TooManyAttempts
from api.i18n import translator_for
from api.rendering import render
from collection.errors import N_, CollectionError

STATUS_BY_KIND = {"invalid": 422, "not_found": 404, "conflict": 409, "forbidden": 403}


class NotAuthenticated(Exception):
    """REST call without a valid bearer token."""


class LoginRequired(Exception):
    """A page needs a logged-in user; the answer is a redirect to the login page."""


class PageNotFound(Exception):
    """A page for something that does not exist (or is not visible to the user)."""


def is_api(request: Request) -> bool:
    """Whether the request is for the REST API (JSON errors) rather than a page."""
    return request.url.path.startswith("/api/")


def error_payload(request: Request, error: CollectionError) -> dict[str, object]:
    """REST body for a domain error: a message, and one entry per field it is about."""
    t = translator_for(request)
    return {
        "detail": t.gettext(error.message, **error.params),
        "errors": [
            {"field": field, "message": t.gettext(message, **error.params)}
            for field, message in error.errors.items()
        ],
    }


def _page_error(request: Request, status: int, message: str, **params: object) -> Response:
    return render(
        request, "error.html", {"status": status, "message": message, "params": params},
        status_code=status,
    )  # fmt: skip


def install_error_handlers(app: FastAPI) -> None:
    """Register every mapping on ``app``."""

    @app.exception_handler(CollectionError)
    async def domain_error(request: Request, error: CollectionError) -> Response:
        status = STATUS_BY_KIND.get(error.kind, 400)
        if is_api(request):
            return JSONResponse(error_payload(request, error), status_code=status)
        return _page_error(request, status, error.message, **error.params)

    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, _error: NotAuthenticated) -> Response:
        return JSONResponse(
            {"detail": "Not authenticated: send Authorization: Bearer <token>"},
            status_code=401, headers={"WWW-Authenticate": "Bearer"},
        )  # fmt: skip

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, _error: Forbidden) -> Response:
        if is_api(request):
            return JSONResponse({"detail": "Your role does not allow this"}, status_code=403)
        return _page_error(request, 403, N_("Ваша роль не дає доступу до цієї сторінки"))

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _error: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(PageNotFound)
    async def page_not_found(request: Request, _error: PageNotFound) -> Response:
        return _page_error(request, 404, N_("Сторінку не знайдено"))

    @app.exception_handler(CsrfError)
    async def csrf_failed(request: Request, _error: CsrfError) -> Response:
        return _page_error(
            request, 403, N_("Форма застаріла або надіслана не з komplekt. Оновіть сторінку.")
        )

    @app.exception_handler(TooManyAttempts)
    async def too_many(request: Request, error: TooManyAttempts) -> Response:
        headers = {"Retry-After": str(error.retry_after)}
        if is_api(request):
            return JSONResponse(
                {"detail": f"Too many failed logins; retry after {error.retry_after} s"},
                status_code=429, headers=headers,
            )  # fmt: skip
        response = _page_error(
            request, 429, N_("Забагато невдалих спроб входу. Спробуйте через {seconds} с."),
            seconds=error.retry_after,
        )  # fmt: skip
        response.headers.update(headers)
        return response
