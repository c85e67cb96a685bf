"""Signed report links: ``reportUrl`` on the partner dashboard.

A frontend offers "Print / save as PDF" as a plain link, which a browser opens
without an ``Authorization`` header. The link therefore carries its own proof:

    /reports/partners/{id}.pdf?<filters>&p=<caller>&exp=<unix time>&sig=<HMAC-SHA256>

``p`` is the caller's scope (sub, role, importer, workshops, partner); ``sig``
covers the path, every other parameter (so filters cannot be changed) and the
expiry (``INSIGHTS_REPORT_LINK_TTL_SECONDS``, default 5 minutes). The PDF route
then runs exactly as for that caller. The key is ``INSIGHTS_REPORT_LINK_SECRET``,
else ``INSIGHTS_JWT_SECRET``, else the development secret; in production without
either, one random key per process (links then only open on the process that
made them: set the secret when running several).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urlencode

import orjson
from starlette.requests import HTTPConnection

from server.auth.principal import Principal, Role
from server.config import Settings
from server.errors import Unauthenticated

log = logging.getLogger(__name__)

SIGNATURE_PARAM = "sig"
_PROCESS_KEY = secrets.token_bytes(32)


def report_path(partner_ref: str) -> str:
    """The URL path of a partner's report (percent-encoded)."""
    return f"/reports/partners/{quote(partner_ref, safe='')}.pdf"


def _signed_path(partner_ref: str) -> str:
    # Signed decoded, as the server sees it in scope["path"].
    return f"/reports/partners/{partner_ref}.pdf"


def link_key(settings: Settings) -> bytes:
    secret = settings.report_link_secret or settings.jwt_secret
    if secret is None and settings.environment == "development":
        secret = settings.hs256_secret()
    if secret is None:
        return _PROCESS_KEY
    return hashlib.sha256(b"insights report link\0" + secret.encode()).digest()


def signed_report_query(
    settings: Settings,
    principal: Principal,
    partner_ref: str,
    filters: Mapping[str, str],
    *,
    now: float | None = None,
) -> str:
    """The query string of a signed link to ``partner_ref``'s report under ``filters``."""
    expires = int(now if now is not None else time.time()) + settings.report_link_ttl_seconds
    params = {**filters, "p": _encode_principal(principal), "exp": str(expires)}
    signature = _sign(link_key(settings), _signed_path(partner_ref), params)
    return urlencode({**params, SIGNATURE_PARAM: signature})


def principal_from_link(
    settings: Settings, path: str, params: Mapping[str, str], *, now: float | None = None
) -> Principal:
    """The caller a signed link was made for.

    Raises:
        Unauthenticated: a bad or missing signature, or an expired link.
    """
    signed = {k: v for k, v in params.items() if k != SIGNATURE_PARAM}
    expected = _sign(link_key(settings), path, signed)
    if not hmac.compare_digest(expected, params.get(SIGNATURE_PARAM, "")):
        raise Unauthenticated("report link signature does not match")
    try:
        expires = int(signed["exp"])
    except (KeyError, ValueError):
        raise Unauthenticated("report link has no expiry") from None
    if (now if now is not None else time.time()) > expires:
        raise Unauthenticated("report link expired: ask the dashboard for a new one")
    return _decode_principal(signed.get("p", ""))


def _sign(key: bytes, path: str, params: Mapping[str, str]) -> str:
    message = orjson.dumps([path, sorted(params.items())])
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _encode_principal(principal: Principal) -> str:
    data = [
        principal.sub,
        principal.role.value,
        principal.importer,
        list(principal.workshops),
        principal.partner,
    ]
    return base64.urlsafe_b64encode(orjson.dumps(data)).decode().rstrip("=")


def _decode_principal(text: str) -> Principal:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        sub, role, importer, workshops, partner = orjson.loads(raw)
        return Principal(
            sub=sub, role=Role(role), importer=importer, workshops=tuple(workshops), partner=partner
        )
    except (ValueError, TypeError):
        raise Unauthenticated("report link is malformed") from None


def filter_params(filter_: Any) -> dict[str, str]:
    """A ``PartnerFilterInput`` as the PDF route's query parameters."""
    period = filter_.period
    params: dict[str, str] = {}
    if period.preset is not None:
        params["preset"] = _name(period.preset)
    if period.from_ is not None:
        params["from"] = period.from_.isoformat()
    if period.to is not None:
        params["to"] = period.to.isoformat()
    params["source"] = _name(filter_.source)
    params["exclusivity"] = _name(filter_.exclusivity)
    if filter_.marketplace_id is not None:
        params["marketplaceId"] = str(filter_.marketplace_id)
    return params


def _name(member: object) -> str:
    return str(getattr(member, "name", member))


def link_authenticator(settings: Settings) -> Callable[[HTTPConnection], Principal | None]:
    """For the authentication middleware: the caller of a signed report link
    (None when the request carries no signature)."""

    def authenticate(conn: HTTPConnection) -> Principal | None:
        if not conn.url.path.startswith("/reports/") or SIGNATURE_PARAM not in conn.query_params:
            return None
        return principal_from_link(settings, conn.scope["path"], dict(conn.query_params))

    return authenticate
