"""Signed-cookie sessions for pages (HttpOnly, SameSite=Lax, Secure when the request is https).

Like Starlette's SessionMiddleware, but the Secure flag follows the request's scheme (behind a
TLS proxy uvicorn's ``--proxy-headers`` makes that https), so one configuration serves local
http and production https alike.
"""

from __future__ import annotations

import json
from base64 import b64decode, b64encode
from typing import Any

import itsdangerous
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "komplekt_session"
MAX_AGE = 12 * 60 * 60  # a working day and a half; then log in again


class SessionMiddleware:
    """Puts ``scope["session"]`` (a dict) from a signed cookie and writes it back when changed."""

    def __init__(self, app: ASGIApp, secret_key: str, max_age: int = MAX_AGE) -> None:
        self.app = app
        self.signer = itsdangerous.TimestampSigner(secret_key, salt="komplekt.session")
        self.max_age = max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        scope["session"] = self._load(connection.cookies.get(COOKIE))
        had_session = bool(scope["session"])
        original = json.dumps(scope["session"], sort_keys=True)
        secure = "; secure" if scope.get("scheme") in ("https", "wss") else ""

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                session = scope["session"]
                headers = MutableHeaders(scope=message)
                if session and json.dumps(session, sort_keys=True) != original:
                    data = b64encode(json.dumps(session).encode("utf-8"))
                    value = self.signer.sign(data).decode("utf-8")
                    headers.append(
                        "Set-Cookie",
                        f"{COOKIE}={value}; path=/; Max-Age={self.max_age}; httponly;"
                        f" samesite=lax{secure}",
                    )
                elif not session and had_session:
                    headers.append(
                        "Set-Cookie",
                        f"{COOKIE}=null; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT;"
                        f" httponly; samesite=lax{secure}",
                    )
            await send(message)

        await self.app(scope, receive, send_wrapper)

    def _load(self, cookie: str | None) -> dict[str, Any]:
        if not cookie:
            return {}
        try:
            data = self.signer.unsign(cookie.encode("utf-8"), max_age=self.max_age)
            loaded = json.loads(b64decode(data))
        except (itsdangerous.BadSignature, ValueError):
            return {}
        return loaded if isinstance(loaded, dict) else {}
