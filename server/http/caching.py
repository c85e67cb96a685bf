"""HTTP caching of GraphQL GET answers: ``ETag``, ``Cache-Control`` and 304.

The tag of a GET answer hashes everything the answer depends on: the caller's
scope (sub, role, importer, workshops, partner), the role's schema, the
document, the variables, the operation name, the importer's data version (see
``server.data_version``: bumped by every ingest, processing run and mutation)
and "today" (presets are relative to it). ``If-None-Match`` with the current
tag answers 304 after one version lookup, without running the query. POST
answers are ``no-store``: they may be mutations, and are not addressable.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.auth.principal import Principal
from server.config import Settings
from server.data_version import read_versions

log = logging.getLogger(__name__)

NO_STORE = "no-store"
# Without a pinned INSIGHTS_TODAY, tags also turn over every 15 minutes, so that a
# day boundary in any importer's timezone (some are off by 30 or 45 minutes) is seen.
_TODAY_BUCKET_SECONDS = 900


def no_store(send: Send) -> Send:
    """``send`` with ``Cache-Control: no-store`` on the response."""
    return _with_headers(send, {"Cache-Control": NO_STORE}, only_ok=False)


class GetCaching:
    """Conditional GET for one app's role schemas (build once per app)."""

    def __init__(self, settings: Settings, schema_texts: Mapping[str, str]) -> None:
        self.settings = settings
        self.schema_ids = {
            role: hashlib.sha256(sdl.encode()).hexdigest()[:16]
            for role, sdl in schema_texts.items()
        }

    async def serve(
        self, app: ASGIApp, scope: Scope, receive: Receive, send: Send, principal: Principal
    ) -> None:
        """Answer a GET: 304 when ``If-None-Match`` holds the current tag, else run
        ``app`` and tag its 200 answer."""
        request = Request(scope, receive)
        engine: AsyncEngine = request.app.state.insights.engine
        tag = await self._tag(request, engine, principal)
        if tag is None:
            await app(scope, receive, no_store(send))
            return
        headers = {
            "ETag": tag,
            "Cache-Control": f"private, max-age={self.settings.http_max_age}",
            "Vary": "Authorization, Accept",
        }
        if _matches(request.headers.get("if-none-match"), tag):
            await Response(status_code=304, headers=headers)(scope, receive, send)
            return
        await app(scope, receive, _with_headers(send, headers, only_ok=True))

    async def _tag(self, request: Request, engine: AsyncEngine, principal: Principal) -> str | None:
        params = request.query_params
        query = params.get("query")
        if not query:
            return None
        try:
            versions = await read_versions(engine, principal.importer)
        except Exception as exc:  # the query itself will report the outage
            log.warning("no ETag: data version unreadable: %s", exc)
            return None
        key = [
            principal.sub,
            principal.role.value,
            principal.importer,
            list(principal.workshops),
            principal.partner,
            self.schema_ids.get(principal.role.value, ""),
            query,
            _canonical(params.get("variables")),
            params.get("operationName"),
            params.get("extensions"),
            request.headers.get("accept", ""),
            list(versions),
            self._today_key(),
        ]
        return '"' + hashlib.sha256(orjson.dumps(key)).hexdigest()[:32] + '"'

    def _today_key(self) -> str:
        if self.settings.today is not None:
            return self.settings.today.isoformat()
        return str(int(time.time()) // _TODAY_BUCKET_SECONDS)


def _canonical(variables: str | None) -> str | None:
    """Variables as sorted JSON, so that key order does not change the tag."""
    if not variables:
        return None
    try:
        return orjson.dumps(orjson.loads(variables), option=orjson.OPT_SORT_KEYS).decode()
    except orjson.JSONDecodeError:
        return variables


def _matches(if_none_match: str | None, tag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in candidates or tag in candidates


def _with_headers(send: Send, headers: Mapping[str, str], *, only_ok: bool) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            status = message["status"]
            extra = headers if (status == 200 or not only_ok) else {"Cache-Control": NO_STORE}
            target = MutableHeaders(scope=message)
            for name, value in extra.items():
                target[name] = value
        await send(message)

    return sending
