"""Verifying bearer JWTs into Principals.

The accepted algorithm follows from the configured key, never from the token:
a shared secret means HS256 only, a public key means RS256 (RSA) or ES256
(P-256) only. A token therefore cannot choose how it is checked, which is what
``alg: none`` and HS256 "signed" with the public key text (algorithm
confusion) rely on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from jwt.exceptions import InvalidSubjectError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers

from server.auth.claims import namespaced_claims
from server.auth.jwks_url import RemoteKeys
from server.auth.principal import Principal, Role
from server.auth.verified_tokens import VerifiedTokens
from server.config import ConfigError, Settings
from server.errors import Unauthenticated

ISSUER = "insights"
AUDIENCE = "insights-api"
LEEWAY_SECONDS = 30
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud")
_TIME_CLAIMS = ("exp", "iat", "nbf")

# Far above any real token; stops a huge header from being parsed at all.
_MAX_TOKEN_CHARS = 8192
_SETTING = "INSIGHTS_JWT_PUBLIC_KEY"

# Most specific first: InvalidSignatureError is a DecodeError.
_MESSAGES: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "token expired"),
    (jwt.InvalidAudienceError, "wrong audience"),
    (jwt.InvalidIssuerError, "wrong issuer"),
    (jwt.ImmatureSignatureError, "token not yet valid"),
    (jwt.InvalidSignatureError, "bad signature"),
    (jwt.InvalidIssuedAtError, "iat claim must be a number"),
    (InvalidSubjectError, "sub claim must be a non-empty string"),
    (jwt.InvalidAlgorithmError, "algorithm not accepted"),
    (jwt.DecodeError, "malformed token"),
)
_TIME_CLAIM = re.compile(r"\((exp|nbf)\) must be an integer")

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


@dataclass(frozen=True)
class _Key:
    """One way to check a signature: the key, the single algorithm it allows,
    and the ``kid`` it answers to (None for a lone secret or PEM key)."""

    key: str | PublicKey
    algorithm: str
    kid: str | None = None


def authorization_of(headers: Headers) -> str | None:
    """The one ``Authorization`` header of a request (None if absent).

    Raises:
        Unauthenticated: the header is sent more than once; which one a proxy or
            this server would pick differs, so neither is trusted.
    """
    values = headers.getlist("authorization")
    if len(values) > 1:
        raise Unauthenticated("several Authorization headers: send exactly one")
    return values[0] if values else None


def bearer_token(authorization_header: str | None) -> str:
    """The JWT of an ``Authorization: Bearer <jwt>`` header.

    Raises:
        Unauthenticated: the header is absent, empty or not a single Bearer token.
    """
    parts = (authorization_header or "").split()
    if not parts:
        raise Unauthenticated("missing bearer token: send 'Authorization: Bearer <jwt>'")
    if len(parts) != 2 or parts[0].lower() != "bearer":
        raise Unauthenticated(
            "missing bearer token: the Authorization header must be 'Bearer <jwt>'"
        )
    return parts[1]


class TokenVerifier:
    """Checks signature, algorithm, iss, aud, exp/iat (30 s leeway) and the
    role claims of a token. Build one per process: keys are loaded here, so a
    bad ``INSIGHTS_JWT_PUBLIC_KEY`` raises ConfigError at start-up.

    Example:
        >>> verifier = TokenVerifier(settings)
        >>> principal = verifier.verify(bearer_token(request.headers.get("authorization")))
    """

    def __init__(self, settings: Settings) -> None:
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._namespace = settings.jwt_claims_namespace
        self._remote: RemoteKeys | None = None
        self.verified = VerifiedTokens()
        if settings.jwt_jwks_url and settings.jwt_public_key:
            raise ConfigError("set INSIGHTS_JWT_JWKS_URL or INSIGHTS_JWT_PUBLIC_KEY, not both")
        if settings.jwt_jwks_url:
            self._remote = RemoteKeys(settings.jwt_jwks_url, settings.jwt_jwks_cooldown_seconds)
            self._keys: tuple[_Key, ...] = ()
            self._algorithms = ["ES256", "RS256"]
            return
        if settings.jwt_public_key:
            self._keys = load_public_keys(settings.jwt_public_key)
        else:
            self._keys = (_Key(settings.hs256_secret(), "HS256"),)
        self._algorithms = sorted({key.algorithm for key in self._keys})

    async def verify_async(self, token: str) -> Principal:
        """``verify``, off the event loop when keys may have to be fetched."""
        if self._remote is None:
            return self.verify(token)
        return await run_in_threadpool(self.verify, token)

    def verify(self, token: str) -> Principal:
        """The Principal a token stands for.

        Raises:
            Unauthenticated: with a short message naming what is wrong.
        """
        if len(token) > _MAX_TOKEN_CHARS:
            raise Unauthenticated("token too long")
        known = self.verified.principal(token)
        if known is not None:
            return known
        key = self._key_for(_unverified_header(token))
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[key.algorithm],
                audience=self._audience,
                issuer=self._issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.PyJWTError as exc:
            raise Unauthenticated(_describe(exc)) from None
        _numeric_times(claims)
        principal = principal_from_claims(namespaced_claims(claims, self._namespace))
        if self._remote is None:  # a JWKS key may be withdrawn: check those every time
            # Expired from exp + leeway on, as PyJWT's own check says.
            self.verified.remember(token, principal, float(claims["exp"]) + LEEWAY_SECONDS)
        return principal

    def _key_for(self, header: Mapping[str, Any]) -> _Key:
        algorithm = header.get("alg")
        if algorithm not in self._algorithms:
            expected = " or ".join(self._algorithms)
            raise Unauthenticated(
                f"algorithm {_shown(algorithm)} is not accepted (expected {expected})"
            )
        kid = header.get("kid")
        if self._remote is not None:
            return self._remote_key(kid, algorithm)
        candidates = [key for key in self._keys if key.algorithm == algorithm]
        if kid is not None:
            # A key without an id (a lone PEM key) accepts any kid.
            candidates = [key for key in candidates if key.kid in (kid, None)]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise Unauthenticated("unknown key id")
        raise Unauthenticated("token has no kid header and several keys could verify it")

    def _remote_key(self, kid: object, algorithm: str) -> _Key:
        """The identity provider's key for ``kid``; its type fixes the algorithm."""
        if kid is not None and not isinstance(kid, str):
            raise Unauthenticated("kid header must be a string")
        assert self._remote is not None
        try:
            public = _supported(self._remote.public_key(kid))
        except ConfigError:
            raise Unauthenticated("the key for this kid is not an accepted type") from None
        if _algorithm_of(public) != algorithm:
            raise Unauthenticated(f"algorithm {_shown(algorithm)} does not match the key")
        return _Key(public, algorithm, kid)


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    """Check the role claims of an already verified token.

    A scope claim on the wrong role is refused rather than ignored: an importer
    token listing workshops is ambiguous, and guessing wide would leak data.

    Raises:
        Unauthenticated: a claim is missing, has the wrong type or the wrong role.
    """
    sub = _text(claims, "sub")
    importer = _text(claims, "importer")
    if "role" not in claims:
        raise Unauthenticated("token has no role claim")
    try:
        role = Role(claims["role"])
    except ValueError:
        known = ", ".join(member.value for member in Role)
        raise Unauthenticated(f"unknown role (expected one of {known})") from None
    workshops = _workshops(claims, role)
    partner = _partner(claims, role)
    return Principal(sub=sub, role=role, importer=importer, workshops=workshops, partner=partner)


def _numeric_times(claims: Mapping[str, Any]) -> None:
    """RFC 7519 times are JSON numbers. PyJWT converts with ``int()`` and so
    accepts ``"exp": "9999999999"``; such a token was not made by a careful issuer."""
    for name in _TIME_CLAIMS:
        value = claims.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise Unauthenticated(f"{name} claim must be a number")


def _text(claims: Mapping[str, Any], name: str) -> str:
    if name not in claims:
        raise Unauthenticated(f"token has no {name} claim")
    value = claims[name]
    if not isinstance(value, str) or not value:
        raise Unauthenticated(f"{name} claim must be a non-empty string")
    return value


def _workshops(claims: Mapping[str, Any], role: Role) -> tuple[str, ...]:
    value = claims.get("workshops")
    if role is not Role.WORKSHOP:
        if value is not None:
            raise Unauthenticated("workshops claim is only allowed for role workshop")
        return ()
    if value is None:
        raise Unauthenticated("role workshop needs a workshops claim")
    if not (isinstance(value, list) and value and all(isinstance(v, str) and v for v in value)):
        raise Unauthenticated("workshops claim must be a non-empty list of strings")
    return tuple(dict.fromkeys(value))


def _partner(claims: Mapping[str, Any], role: Role) -> str | None:
    if role is not Role.SALES_PARTNER:
        if claims.get("partner") is not None:
            raise Unauthenticated("partner claim is only allowed for role sales_partner")
        return None
    if claims.get("partner") is None:
        raise Unauthenticated("role sales_partner needs a partner claim")
    return _text(claims, "partner")


def _unverified_header(token: str) -> Mapping[str, Any]:
    try:
        return jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise Unauthenticated("malformed token") from None


def _describe(exc: jwt.PyJWTError) -> str:
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return f"token has no {exc.claim} claim"
    if type(exc) is jwt.DecodeError and (match := _TIME_CLAIM.search(str(exc))):
        return f"{match.group(1)} claim must be a number"
    for kind, message in _MESSAGES:
        if isinstance(exc, kind):
            return message
    return "invalid token"


def _shown(value: object) -> str:
    """An attacker-chosen header value, cut short before it goes into a message."""
    text = repr(value)
    return text if len(text) <= 16 else text[:13] + "..."


# --- public keys -------------------------------------------------------------


def load_public_keys(value: str) -> tuple[_Key, ...]:
    """Keys from ``INSIGHTS_JWT_PUBLIC_KEY``: a PEM string, or the path of a PEM
    file or of a JWKS JSON file.

    Raises:
        ConfigError: unreadable file, private key, or an unsupported key type.
    """
    text = value.strip()
    if not text.startswith(("-----BEGIN", "{")):
        text = _read_key_file(Path(text).expanduser())
    if text.startswith("{"):
        return _keys_from_jwks(text)
    if "\n" not in text:
        # Env files often carry a PEM on one line with literal "\n".
        text = text.replace("\\n", "\n")
    return (_pem_key(text),)


def _read_key_file(path: Path) -> str:
    try:
        text = path.read_text().strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not a text file"
        raise ConfigError(f"{_SETTING}: cannot read key file {path}: {reason}") from None
    if not text.startswith(("-----BEGIN", "{")):
        raise ConfigError(f"{_SETTING}: {path} holds neither a PEM public key nor a JWKS")
    return text


def _pem_key(text: str) -> _Key:
    if "PRIVATE KEY" in text:
        raise ConfigError(f"{_SETTING} holds a private key; give the public key only")
    try:
        if "CERTIFICATE" in text:
            key: object = x509.load_pem_x509_certificate(text.encode()).public_key()
        else:
            key = serialization.load_pem_public_key(text.encode())
    except ValueError:
        raise ConfigError(f"{_SETTING} is not a valid PEM public key") from None
    public = _supported(key)
    return _Key(public, _algorithm_of(public))


def _keys_from_jwks(text: str) -> tuple[_Key, ...]:
    try:
        data = json.loads(text)
    except ValueError:
        raise ConfigError(f"{_SETTING}: the JWKS is not valid JSON") from None
    entries = data.get("keys") if isinstance(data, dict) and "keys" in data else [data]
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(f"{_SETTING}: the JWKS 'keys' must be a list of JSON objects")
    keys = tuple(_jwk_key(entry) for entry in entries if entry.get("use", "sig") == "sig")
    if not keys:
        raise ConfigError(f"{_SETTING}: the JWKS holds no signing key")
    kids = [key.kid for key in keys]
    if len(keys) > 1 and (None in kids or len(set(kids)) != len(kids)):
        raise ConfigError(f"{_SETTING}: every key of a JWKS with several keys needs its own kid")
    return keys


def _jwk_key(entry: dict[str, Any]) -> _Key:
    if "d" in entry:
        raise ConfigError(f"{_SETTING}: the JWKS holds a private key; give public keys only")
    kty = entry.get("kty")
    try:
        if kty == "RSA":
            key: object = RSAAlgorithm.from_jwk(entry)
        elif kty == "EC":
            key = ECAlgorithm.from_jwk(entry)
        else:
            raise ConfigError(f"{_SETTING}: JWKS key type {_shown(kty)} is not RSA or EC")
    except (jwt.InvalidKeyError, ValueError):
        raise ConfigError(f"{_SETTING}: the JWKS holds a key that cannot be read") from None
    public = _supported(key)
    algorithm = _algorithm_of(public)
    if entry.get("alg", algorithm) != algorithm:
        raise ConfigError(f"{_SETTING}: a JWKS key declares alg {_shown(entry['alg'])}")
    kid = entry.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise ConfigError(f"{_SETTING}: a JWKS kid must be a string")
    return _Key(public, algorithm, kid)


def _supported(key: object) -> PublicKey:
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048:
            raise ConfigError(f"{_SETTING}: RSA keys need at least 2048 bits")
        return key
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return key
    raise ConfigError(f"{_SETTING} must be an RSA key (RS256) or a P-256 EC key (ES256)")


def _algorithm_of(key: PublicKey) -> str:
    return "RS256" if isinstance(key, rsa.RSAPublicKey) else "ES256"
