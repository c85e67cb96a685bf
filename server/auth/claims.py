"""Custom claims under a namespace (``INSIGHTS_JWT_CLAIMS_NAMESPACE``).

Identity providers keep their own claim names and make applications namespace
theirs. Two spellings are read, as their users write them:

- Hasura style, one object: ``{"https://insights.example.com/claims": {"role": …}}``
- Auth0 style, prefixed keys: ``{"https://insights.example.com/role": …}``

Only the API's own claims are looked up there (``role``, ``importer``,
``workshops``, ``partner``); registered ones (``sub``, ``exp``, ``iss``, ``aud``,
``iat``) stay at the top level, where the provider puts them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CUSTOM_CLAIMS = ("role", "importer", "workshops", "partner")


def namespaced_claims(claims: Mapping[str, Any], namespace: str | None) -> dict[str, Any]:
    """The claims with the API's own taken from ``namespace`` (unchanged without one)."""
    if not namespace:
        return dict(claims)
    registered = {k: v for k, v in claims.items() if k not in CUSTOM_CLAIMS}
    nested = claims.get(namespace)
    if isinstance(nested, Mapping):
        custom = {k: nested[k] for k in CUSTOM_CLAIMS if k in nested}
    else:
        custom = {k: claims[namespace + k] for k in CUSTOM_CLAIMS if namespace + k in claims}
    registered.pop(namespace, None)
    return {**registered, **custom}


def wrap_claims(custom: Mapping[str, Any], namespace: str | None) -> dict[str, Any]:
    """The inverse, for development tokens: custom claims as one namespaced object."""
    if not namespace:
        return dict(custom)
    return {namespace: dict(custom)}
