"""Development tokens: HS256 JWTs signed with the service's own secret.

Real deployments get tokens from their identity provider; these serve local
work, tests and ``insights token``. They pass through the same claim checks as
verification, so a token that would be refused is never handed out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import jwt

from server.auth.claims import wrap_claims
from server.auth.jwt import principal_from_claims
from server.auth.principal import Role
from server.config import Settings
from server.errors import Unauthenticated


def mint_token(
    settings: Settings,
    *,
    role: Role,
    importer: str,
    workshops: Sequence[str] = (),
    partner: str | None = None,
    sub: str | None = None,
    ttl_seconds: int = 8 * 3600,
    now: datetime | None = None,
) -> str:
    """An HS256 token the service's TokenVerifier accepts.

    Args:
        role: the principal's role (a Role or its string value).
        importer: importer_ref, required for every role.
        workshops: workshop_refs; required for, and only allowed with, role workshop.
        partner: partner_ref; required for, and only allowed with, role sales_partner.
        sub: subject; defaults to ``dev-<role>``.
        ttl_seconds: lifetime from ``now``.
        now: issue time (a naive value is taken as UTC); defaults to the current time.

    Returns:
        The encoded JWT.

    Raises:
        ValueError: a role without its scope claim, a scope claim on the wrong
            role, or a public key configured (HS256 tokens would be refused).

    Example:
        >>> mint_token(settings, role=Role.WORKSHOP, importer="IMP1", workshops=["W1"])
    """
    configured = [
        name
        for name, value in (
            ("INSIGHTS_JWT_PUBLIC_KEY", settings.jwt_public_key),
            ("INSIGHTS_JWT_JWKS_URL", settings.jwt_jwks_url),
        )
        if value
    ]
    if configured:
        raise ValueError(
            f"{configured[0]} is set, so only tokens from the issuer are accepted; "
            "unset it to use development tokens"
        )
    if isinstance(workshops, str):
        raise ValueError("workshops must be a list of workshop refs, not a single string")
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    role = Role(role)
    issued = _epoch_seconds(now)
    custom: dict[str, Any] = {"role": role.value, "importer": importer}
    if workshops:
        custom["workshops"] = list(workshops)
    if partner is not None:
        custom["partner"] = partner
    claims: dict[str, Any] = {
        "sub": sub if sub is not None else f"dev-{role.value}",
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": issued,
        "exp": issued + ttl_seconds,
    }
    try:
        principal_from_claims({**claims, **custom})
    except Unauthenticated as exc:
        raise ValueError(exc.message) from None
    claims.update(wrap_claims(custom, settings.jwt_claims_namespace))
    return jwt.encode(claims, settings.hs256_secret(), algorithm="HS256")


def _epoch_seconds(now: datetime | None) -> int:
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())
