"""Persisted queries: Apollo's automatic persisted queries (APQ) and trusted documents.

A request may name its document by hash, ``extensions.persistedQuery =
{"version": 1, "sha256Hash": "<hex>"}``, over POST or GET:

- hash only: the document comes from the trusted manifest or the APQ store;
  unknown → ``PERSISTED_QUERY_NOT_FOUND`` (the client then sends it with the hash);
- document + hash: the hash must be the document's SHA-256 (else 400), the
  document is stored (PostgreSQL, shared by every API process, bounded: the least
  recently used are evicted) and executed.

Roles in ``INSIGHTS_TRUSTED_ONLY_ROLES`` run only documents of the trusted
manifest: anything else is ``FORBIDDEN`` (403) before it is parsed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.responses import Response
from starlette.types import Message, Receive, Scope

from server.auth.principal import Principal
from server.http.errors import error_response
from server.trusted_documents import sha256_of

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")

# One statement: the document, and a refresh of its last use at most hourly
# (not a write per request).
_LOOKUP = text(
    """WITH hit AS (SELECT sha256, document, last_used_at FROM persisted_queries
                    WHERE sha256 = :h),
            touched AS (UPDATE persisted_queries p SET last_used_at = now() FROM hit
                        WHERE p.sha256 = hit.sha256
                          AND hit.last_used_at < now() - interval '1 hour')
       SELECT document FROM hit"""
)
_STORE = text(
    """INSERT INTO persisted_queries (sha256, document) VALUES (:h, :d)
       ON CONFLICT (sha256) DO UPDATE SET last_used_at = now()"""
)
_EVICT = text(
    """DELETE FROM persisted_queries WHERE sha256 IN (
           SELECT sha256 FROM persisted_queries ORDER BY last_used_at DESC OFFSET :keep)"""
)


class PersistedQueries:
    """Resolves hashes to documents for one app.

    Args:
        manifest: the trusted documents, hash -> document.
        trusted_only_roles: roles that may run manifest documents only.
        max_stored: how many APQ documents PostgreSQL keeps.
    """

    def __init__(
        self, manifest: Mapping[str, str], trusted_only_roles: frozenset[str], max_stored: int
    ) -> None:
        self.manifest = dict(manifest)
        self.trusted_only_roles = trusted_only_roles
        self.max_stored = max_stored

    async def resolve(
        self, params: dict[str, Any], principal: Principal, engine: AsyncEngine
    ) -> dict[str, Any] | Response:
        """``params`` (query, variables, extensions, …) with ``query`` filled in
        from its hash, or the error answer."""
        persisted = _persisted_query(params.get("extensions"))
        query = params.get("query")
        trusted_only = principal.role.value in self.trusted_only_roles
        if isinstance(persisted, Response):
            return persisted
        if persisted is None:
            if trusted_only and not (isinstance(query, str) and sha256_of(query) in self.manifest):
                return _forbidden()
            return params
        digest = persisted.lower()
        if isinstance(query, str) and query:
            if sha256_of(query) != digest:
                return error_response(400, "BAD_REQUEST", "provided sha does not match query")
            if trusted_only and digest not in self.manifest:
                return _forbidden()
            if digest not in self.manifest:
                await self._store(engine, digest, query)
            return params
        if digest in self.manifest:
            return {**params, "query": self.manifest[digest]}
        if trusted_only:
            return _forbidden()
        stored = await self._lookup(engine, digest)
        if stored is None:
            return error_response(200, NOT_FOUND, "PersistedQueryNotFound")
        return {**params, "query": stored}

    async def _lookup(self, engine: AsyncEngine, digest: str) -> str | None:
        async with engine.begin() as conn:
            value = (await conn.execute(_LOOKUP, {"h": digest})).scalar_one_or_none()
        return value if isinstance(value, str) else None

    async def _store(self, engine: AsyncEngine, digest: str, document: str) -> None:
        async with engine.begin() as conn:
            await conn.execute(_STORE, {"h": digest, "d": document})
            await conn.execute(_EVICT, {"keep": self.max_stored})


def _persisted_query(extensions: object) -> str | Response | None:
    """The requested hash, None without one, or the error answer for a bad one."""
    if not isinstance(extensions, dict) or "persistedQuery" not in extensions:
        return None
    persisted = extensions["persistedQuery"]
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        return error_response(400, "BAD_REQUEST", "persistedQuery: only version 1 is supported")
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not _HEX64.fullmatch(digest):
        return error_response(400, "BAD_REQUEST", "persistedQuery.sha256Hash must be 64 hex digits")
    return digest


def _forbidden() -> Response:
    return error_response(
        403, "FORBIDDEN", "this role may only run trusted documents: send a known sha256Hash"
    )


async def apply_persisted(
    queries: PersistedQueries,
    scope: Scope,
    body: bytes | None,
    principal: Principal,
    engine: AsyncEngine,
) -> tuple[Scope, Receive] | Response:
    """The request with its document resolved (POST body or GET query string
    rewritten), ready for the GraphQL app; or the error answer. Bodies that are not
    a JSON object pass unchanged: the GraphQL app refuses them itself."""
    if body is None:
        params: dict[str, Any] = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        raw_extensions = params.get("extensions")
        if raw_extensions:
            try:
                params["extensions"] = orjson.loads(raw_extensions)
            except orjson.JSONDecodeError:
                params["extensions"] = None
        resolved = await queries.resolve(params, principal, engine)
        if isinstance(resolved, Response):
            return resolved
        if resolved.get("query") != params.get("query"):
            rebuilt = {**resolved, "extensions": raw_extensions}
            query_string = urlencode({k: v for k, v in rebuilt.items() if v is not None})
            scope = {**scope, "query_string": query_string.encode()}
        return scope, _replay(b"")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        data = None
    if isinstance(data, dict):
        resolved = await queries.resolve(data, principal, engine)
        if isinstance(resolved, Response):
            return resolved
        if resolved is not data:
            body = orjson.dumps(resolved)
    elif principal.role.value in queries.trusted_only_roles:
        return _forbidden()
    return scope, _replay(body)


def _replay(body: bytes) -> Receive:
    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
