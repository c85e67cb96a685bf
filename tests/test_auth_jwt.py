"""TokenVerifier, bearer_token and mint_token at unit level: every way a token
can be right or wrong, for the HS256 secret and for RS256/ES256 public keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from server.auth.jwt import TokenVerifier, bearer_token
from server.auth.principal import Principal, Role
from server.auth.tokens import mint_token
from server.config import ConfigError, Settings
from server.errors import Unauthenticated

SECRET = "s" * 32
OTHER_SECRET = "o" * 32
_DROP = object()  # a claim override that removes the claim


def _settings(tmp_path: Path, secret: str | None = SECRET, public_key: str | None = None):
    return Settings(
        jwt_secret=secret,
        jwt_public_key=public_key,
        data_dir=tmp_path,
        environment="development",
    )


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "u1",
        "role": "importer",
        "importer": "IMP1",
        "iss": "insights",
        "aud": "insights-api",
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not _DROP}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hand_token(header: dict[str, Any], claims: dict[str, Any], hmac_key: bytes | None) -> str:
    """A token built without PyJWT, which refuses to make the malicious ones."""
    head = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
    if hmac_key is None:
        return head + "."
    return head + "." + _b64(hmac.new(hmac_key, head.encode(), hashlib.sha256).digest())


def _refused(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(Unauthenticated) as info:
        verifier.verify(token)
    assert info.value.code == "UNAUTHENTICATED"
    return info.value.message


@pytest.fixture
def hs256(tmp_path: Path) -> TokenVerifier:
    return TokenVerifier(_settings(tmp_path))


def _hs(claims: dict[str, Any], secret: str = SECRET) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


# --- bearer header -----------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "token"),
    [("Bearer abc.def.ghi", "abc.def.ghi"), ("bearer  abc.def.ghi ", "abc.def.ghi")],
)
def test_bearer_token_parses(header: str, token: str) -> None:
    assert bearer_token(header) == token


@pytest.mark.parametrize(
    "header", [None, "", "   ", "Bearer", "Bearer ", "Basic dXNlcjpwdw==", "Bearer a b", "abc"]
)
def test_bearer_token_refuses(header: str | None) -> None:
    with pytest.raises(Unauthenticated) as info:
        bearer_token(header)
    assert info.value.message.startswith("missing bearer token")


# --- HS256: valid tokens -----------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"role": Role.IMPORTER, "importer": "IMP1"},
            Principal(sub="dev-importer", role=Role.IMPORTER, importer="IMP1"),
        ),
        (
            {"role": Role.WORKSHOP, "importer": "IMP1", "workshops": ["W1", "W2", "W1"]},
            Principal(
                sub="dev-workshop", role=Role.WORKSHOP, importer="IMP1", workshops=("W1", "W2")
            ),
        ),
        (
            {"role": Role.PARTNER_MANAGER, "importer": "IMP2", "sub": "pm@x"},
            Principal(sub="pm@x", role=Role.PARTNER_MANAGER, importer="IMP2"),
        ),
        (
            {"role": Role.SALES_PARTNER, "importer": "IMP1", "partner": "P7"},
            Principal(
                sub="dev-sales_partner", role=Role.SALES_PARTNER, importer="IMP1", partner="P7"
            ),
        ),
        (
            {"role": Role.INTEGRATION, "importer": "IMP1", "sub": "etl"},
            Principal(sub="etl", role=Role.INTEGRATION, importer="IMP1"),
        ),
    ],
)
def test_minted_token_per_role(hs256: TokenVerifier, tmp_path: Path, kwargs, expected) -> None:
    token = mint_token(_settings(tmp_path), **kwargs)
    assert hs256.verify(token) == expected


def test_minted_claims_are_exact(tmp_path: Path) -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    token = mint_token(
        _settings(tmp_path), role=Role.IMPORTER, importer="IMP1", sub="u9", ttl_seconds=60, now=now
    )
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    assert jwt.decode(token, options={"verify_signature": False}) == {
        "sub": "u9",
        "role": "importer",
        "importer": "IMP1",
        "iss": "insights",
        "aud": "insights-api",
        "iat": 1714564800,
        "exp": 1714564860,
    }


def test_mint_uses_generated_dev_secret(tmp_path: Path) -> None:
    settings = _settings(tmp_path, secret=None)
    token = mint_token(settings, role=Role.IMPORTER, importer="IMP1")
    assert (tmp_path / "jwt_secret").exists()
    assert TokenVerifier(settings).verify(token).importer == "IMP1"


def test_audience_list_containing_ours_is_accepted(hs256: TokenVerifier) -> None:
    token = _hs(_claims(aud=["other", "insights-api"]))
    assert hs256.verify(token) == Principal(sub="u1", role=Role.IMPORTER, importer="IMP1")


# --- HS256: refused tokens ---------------------------------------------------


def test_expiry_with_leeway(hs256: TokenVerifier, tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    start = datetime.now(UTC) - timedelta(seconds=100)
    within = mint_token(settings, role=Role.IMPORTER, importer="IMP1", ttl_seconds=80, now=start)
    beyond = mint_token(settings, role=Role.IMPORTER, importer="IMP1", ttl_seconds=60, now=start)
    assert hs256.verify(within).role is Role.IMPORTER  # expired 20 s ago: within 30 s
    assert _refused(hs256, beyond) == "token expired"  # expired 40 s ago


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        (_claims(aud="someone-else"), "wrong audience"),
        (_claims(iss="evil"), "wrong issuer"),
        (_claims(iat=int(time.time()) + 3600), "token not yet valid"),
        (_claims(exp=_DROP), "token has no exp claim"),
        (_claims(iat=_DROP), "token has no iat claim"),
        (_claims(iss=_DROP), "token has no iss claim"),
        (_claims(aud=_DROP), "token has no aud claim"),
        (_claims(sub=_DROP), "token has no sub claim"),
        (_claims(importer=_DROP), "token has no importer claim"),
        (_claims(role=_DROP), "token has no role claim"),
        (
            _claims(role="admin"),
            "unknown role (expected one of importer, workshop, partner_manager, "
            "sales_partner, integration)",
        ),
        (_claims(role="workshop"), "role workshop needs a workshops claim"),
        (
            _claims(role="workshop", workshops=[]),
            "workshops claim must be a non-empty list of strings",
        ),
        (
            _claims(role="workshop", workshops="W1"),
            "workshops claim must be a non-empty list of strings",
        ),
        (
            _claims(role="workshop", workshops=["W1", 2]),
            "workshops claim must be a non-empty list of strings",
        ),
        (_claims(role="sales_partner"), "role sales_partner needs a partner claim"),
        (
            _claims(role="sales_partner", partner=["P1"]),
            "partner claim must be a non-empty string",
        ),
        (
            _claims(workshops=["W1"]),
            "workshops claim is only allowed for role workshop",
        ),
        (
            _claims(role="partner_manager", partner="P1"),
            "partner claim is only allowed for role sales_partner",
        ),
        (_claims(importer=7), "importer claim must be a non-empty string"),
        (_claims(importer=""), "importer claim must be a non-empty string"),
        (_claims(sub=12), "sub claim must be a non-empty string"),
        (_claims(exp="soon"), "exp claim must be a number"),
        (_claims(iat="then"), "iat claim must be a number"),
    ],
)
def test_refused_claims(hs256: TokenVerifier, claims: dict[str, Any], message: str) -> None:
    assert _refused(hs256, _hs(claims)) == message


def test_wrong_secret(hs256: TokenVerifier) -> None:
    assert _refused(hs256, _hs(_claims(), OTHER_SECRET)) == "bad signature"


def test_tampered_payload(hs256: TokenVerifier) -> None:
    head, _, signature = _hs(_claims()).split(".")
    forged = _b64(json.dumps(_claims(role="importer", importer="IMP2")).encode())
    assert _refused(hs256, f"{head}.{forged}.{signature}") == "bad signature"


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none(hs256: TokenVerifier, alg: str) -> None:
    token = _hand_token({"alg": alg, "typ": "JWT"}, _claims(), hmac_key=None)
    assert _refused(hs256, token) == f"algorithm '{alg}' is not accepted (expected HS256)"


def test_other_hmac_algorithm(hs256: TokenVerifier) -> None:
    token = jwt.encode(_claims(), SECRET * 2, algorithm="HS512")
    assert _refused(hs256, token) == "algorithm 'HS512' is not accepted (expected HS256)"


def test_long_alg_is_cut_short(hs256: TokenVerifier) -> None:
    token = _hand_token({"alg": "A" * 100}, _claims(), hmac_key=None)
    assert _refused(hs256, token) == "algorithm 'AAAAAAAAAAAA... is not accepted (expected HS256)"


@pytest.mark.parametrize(
    "token", ["", "garbage", "a.b.c", "a.b", "....", "eyJhbGciOiJIUzI1NiJ9.!!!.x"]
)
def test_garbage(hs256: TokenVerifier, token: str) -> None:
    assert _refused(hs256, token) == "malformed token"


def test_oversized_token(hs256: TokenVerifier) -> None:
    assert _refused(hs256, "a" * 9000) == "token too long"


def test_message_does_not_echo_secret(hs256: TokenVerifier) -> None:
    for token in (_hs(_claims(), OTHER_SECRET), _hs(_claims(aud="x"))):
        message = _refused(hs256, token)
        assert SECRET not in message and OTHER_SECRET not in message


# --- mint_token refusals -----------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"role": Role.WORKSHOP}, "role workshop needs a workshops claim"),
        ({"role": Role.SALES_PARTNER}, "role sales_partner needs a partner claim"),
        (
            {"role": Role.IMPORTER, "workshops": ["W1"]},
            "workshops claim is only allowed for role workshop",
        ),
        (
            {"role": Role.INTEGRATION, "partner": "P1"},
            "partner claim is only allowed for role sales_partner",
        ),
        (
            {"role": Role.WORKSHOP, "workshops": "W1"},
            "workshops must be a list of workshop refs, not a single string",
        ),
        ({"role": Role.IMPORTER, "ttl_seconds": 0}, "ttl_seconds must be positive"),
    ],
)
def test_mint_refuses(tmp_path: Path, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as info:
        mint_token(_settings(tmp_path), importer="IMP1", **kwargs)
    assert str(info.value) == message


def test_mint_refuses_empty_importer(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^importer claim must be a non-empty string$"):
        mint_token(_settings(tmp_path), role=Role.IMPORTER, importer="")


def test_mint_refuses_when_public_key_configured(tmp_path: Path, rsa_key) -> None:
    settings = _settings(tmp_path, public_key=_public_pem(rsa_key))
    with pytest.raises(ValueError, match=r"^INSIGHTS_JWT_PUBLIC_KEY is set"):
        mint_token(settings, role=Role.IMPORTER, importer="IMP1")


# --- RS256 / ES256 -----------------------------------------------------------


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _public_pem(private_key: Any) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _private_pem(private_key: Any) -> str:
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _jwk(private_key: Any, kid: str | None, **extra: Any) -> dict[str, Any]:
    codec = RSAAlgorithm if isinstance(private_key, rsa.RSAPrivateKey) else ECAlgorithm
    entry = codec.to_jwk(private_key.public_key(), as_dict=True)
    if kid is not None:
        entry["kid"] = kid
    entry.update(extra)
    return entry


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _public_key_setting(kind: str, private_key: Any, tmp_path: Path) -> str:
    if kind == "pem string":
        return _public_pem(private_key)
    if kind == "pem file":
        return _write(tmp_path, "key.pem", _public_pem(private_key))
    return _write(tmp_path, "jwks.json", json.dumps({"keys": [_jwk(private_key, "k1")]}))


SOURCES = ["pem string", "pem file", "jwks file"]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_asymmetric_valid(tmp_path: Path, rsa_key, ec_key, source: str, alg: str) -> None:
    private_key = rsa_key if alg == "RS256" else ec_key
    setting = _public_key_setting(source, private_key, tmp_path)
    # The secret is set too: a public key takes precedence over it.
    verifier = TokenVerifier(_settings(tmp_path, public_key=setting))
    claims = _claims(role="sales_partner", partner="P3", sub="sp1")
    token = jwt.encode(claims, private_key, algorithm=alg, headers={"kid": "k1"})
    assert verifier.verify(token) == Principal(
        sub="sp1", role=Role.SALES_PARTNER, importer="IMP1", partner="P3"
    )


@pytest.mark.parametrize("source", SOURCES)
def test_algorithm_confusion(tmp_path: Path, rsa_key, source: str) -> None:
    """HS256 with the public key text as secret: what a verifier that trusted
    the header's alg would accept."""
    setting = _public_key_setting(source, rsa_key, tmp_path)
    verifier = TokenVerifier(_settings(tmp_path, secret=None, public_key=setting))
    pem = _public_pem(rsa_key).encode()
    token = _hand_token({"alg": "HS256", "typ": "JWT", "kid": "k1"}, _claims(), hmac_key=pem)
    assert _refused(verifier, token) == "algorithm 'HS256' is not accepted (expected RS256)"


@pytest.mark.parametrize("source", SOURCES)
def test_asymmetric_wrong_key(tmp_path: Path, rsa_key, other_rsa_key, source: str) -> None:
    setting = _public_key_setting(source, rsa_key, tmp_path)
    verifier = TokenVerifier(_settings(tmp_path, public_key=setting))
    token = jwt.encode(_claims(), other_rsa_key, algorithm="RS256", headers={"kid": "k1"})
    assert _refused(verifier, token) == "bad signature"


def test_asymmetric_alg_none_and_other_family(tmp_path: Path, rsa_key, ec_key) -> None:
    verifier = TokenVerifier(_settings(tmp_path, public_key=_public_pem(rsa_key)))
    unsigned = _hand_token({"alg": "none"}, _claims(), hmac_key=None)
    es256 = jwt.encode(_claims(), ec_key, algorithm="ES256")
    rs512 = jwt.encode(_claims(), rsa_key, algorithm="RS512")
    assert _refused(verifier, unsigned) == "algorithm 'none' is not accepted (expected RS256)"
    assert _refused(verifier, es256) == "algorithm 'ES256' is not accepted (expected RS256)"
    assert _refused(verifier, rs512) == "algorithm 'RS512' is not accepted (expected RS256)"


def test_asymmetric_checks_claims_too(tmp_path: Path, ec_key) -> None:
    verifier = TokenVerifier(_settings(tmp_path, public_key=_public_pem(ec_key)))
    expired = _claims(iat=int(time.time()) - 3600, exp=int(time.time()) - 60)
    token = jwt.encode(expired, ec_key, algorithm="ES256")
    assert _refused(verifier, token) == "token expired"
    token = jwt.encode(_claims(role="workshop"), ec_key, algorithm="ES256")
    assert _refused(verifier, token) == "role workshop needs a workshops claim"


def test_pem_with_escaped_newlines(tmp_path: Path, rsa_key) -> None:
    one_line = _public_pem(rsa_key).strip().replace("\n", "\\n")
    verifier = TokenVerifier(_settings(tmp_path, public_key=one_line))
    token = jwt.encode(_claims(), rsa_key, algorithm="RS256")
    assert verifier.verify(token).sub == "u1"


def test_pem_certificate(tmp_path: Path, ec_key) -> None:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "issuer")])
    start = datetime(2024, 1, 1, tzinfo=UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(ec_key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3650))
        .sign(ec_key, hashes.SHA256())
    )
    path = _write(tmp_path, "cert.pem", cert.public_bytes(serialization.Encoding.PEM).decode())
    verifier = TokenVerifier(_settings(tmp_path, public_key=path))
    token = jwt.encode(_claims(), ec_key, algorithm="ES256")
    assert verifier.verify(token) == Principal(sub="u1", role=Role.IMPORTER, importer="IMP1")


@pytest.fixture
def mixed_jwks(tmp_path: Path, rsa_key, ec_key) -> TokenVerifier:
    keys = [_jwk(rsa_key, "r1"), _jwk(ec_key, "e1", alg="ES256", use="sig")]
    path = _write(tmp_path, "jwks.json", json.dumps({"keys": keys}))
    return TokenVerifier(_settings(tmp_path, secret=None, public_key=path))


def test_jwks_picks_key_by_kid(mixed_jwks: TokenVerifier, rsa_key, ec_key) -> None:
    rs = jwt.encode(_claims(sub="r"), rsa_key, algorithm="RS256", headers={"kid": "r1"})
    es = jwt.encode(_claims(sub="e"), ec_key, algorithm="ES256", headers={"kid": "e1"})
    assert mixed_jwks.verify(rs).sub == "r"
    assert mixed_jwks.verify(es).sub == "e"


def test_jwks_kid_problems(mixed_jwks: TokenVerifier, rsa_key) -> None:
    unknown = jwt.encode(_claims(), rsa_key, algorithm="RS256", headers={"kid": "r9"})
    # kid e1 names the EC key, which cannot verify RS256.
    wrong_kind = jwt.encode(_claims(), rsa_key, algorithm="RS256", headers={"kid": "e1"})
    assert _refused(mixed_jwks, unknown) == "unknown key id"
    assert _refused(mixed_jwks, wrong_kind) == "unknown key id"
    assert (
        _refused(mixed_jwks, _hand_token({"alg": "HS256"}, _claims(), b"x"))
        == "algorithm 'HS256' is not accepted (expected ES256 or RS256)"
    )


def test_jwks_token_without_kid(tmp_path: Path, rsa_key, other_rsa_key) -> None:
    single = _write(tmp_path, "one.json", json.dumps({"keys": [_jwk(rsa_key, "k1")]}))
    both = [_jwk(rsa_key, "k1"), _jwk(other_rsa_key, "k2")]
    several = _write(tmp_path, "two.json", json.dumps({"keys": both}))
    token = jwt.encode(_claims(), rsa_key, algorithm="RS256")
    assert TokenVerifier(_settings(tmp_path, public_key=single)).verify(token).sub == "u1"
    assert (
        _refused(TokenVerifier(_settings(tmp_path, public_key=several)), token)
        == "token has no kid header and several keys could verify it"
    )


def test_jwks_skips_encryption_keys(tmp_path: Path, rsa_key, other_rsa_key) -> None:
    keys = [_jwk(other_rsa_key, "enc", use="enc"), _jwk(rsa_key, "k1")]
    path = _write(tmp_path, "jwks.json", json.dumps({"keys": keys}))
    verifier = TokenVerifier(_settings(tmp_path, public_key=path))
    token = jwt.encode(_claims(), other_rsa_key, algorithm="RS256", headers={"kid": "enc"})
    assert _refused(verifier, token) == "unknown key id"


# --- configuration errors ----------------------------------------------------


def _config_error(tmp_path: Path, setting: str) -> str:
    with pytest.raises(ConfigError) as info:
        TokenVerifier(_settings(tmp_path, public_key=setting))
    return str(info.value)


def test_config_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    assert _config_error(tmp_path, str(missing)) == (
        f"INSIGHTS_JWT_PUBLIC_KEY: cannot read key file {missing}: No such file or directory"
    )


def test_config_refuses_private_keys(tmp_path: Path, rsa_key) -> None:
    assert _config_error(tmp_path, _private_pem(rsa_key)) == (
        "INSIGHTS_JWT_PUBLIC_KEY holds a private key; give the public key only"
    )
    private_jwk = RSAAlgorithm.to_jwk(rsa_key, as_dict=True)
    path = _write(tmp_path, "jwks.json", json.dumps({"keys": [private_jwk]}))
    assert _config_error(tmp_path, path) == (
        "INSIGHTS_JWT_PUBLIC_KEY: the JWKS holds a private key; give public keys only"
    )


def test_config_refuses_symmetric_jwk(tmp_path: Path) -> None:
    path = _write(tmp_path, "jwks.json", json.dumps({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}))
    assert _config_error(tmp_path, path) == (
        "INSIGHTS_JWT_PUBLIC_KEY: JWKS key type 'oct' is not RSA or EC"
    )


def test_config_refuses_other_curves_and_weak_rsa(tmp_path: Path) -> None:
    p384 = ec.generate_private_key(ec.SECP384R1())
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    assert _config_error(tmp_path, _public_pem(p384)) == (
        "INSIGHTS_JWT_PUBLIC_KEY must be an RSA key (RS256) or a P-256 EC key (ES256)"
    )
    assert _config_error(tmp_path, _public_pem(weak)) == (
        "INSIGHTS_JWT_PUBLIC_KEY: RSA keys need at least 2048 bits"
    )


def test_config_refuses_bad_jwks(tmp_path: Path, rsa_key) -> None:
    no_kids = [_jwk(rsa_key, None), _jwk(rsa_key, None)]
    cases = {
        "{not json": "INSIGHTS_JWT_PUBLIC_KEY: the JWKS is not valid JSON",
        json.dumps({"keys": []}): "INSIGHTS_JWT_PUBLIC_KEY: the JWKS holds no signing key",
        json.dumps({"keys": "x"}): (
            "INSIGHTS_JWT_PUBLIC_KEY: the JWKS 'keys' must be a list of JSON objects"
        ),
        json.dumps({"keys": no_kids}): (
            "INSIGHTS_JWT_PUBLIC_KEY: every key of a JWKS with several keys needs its own kid"
        ),
        json.dumps({"keys": [_jwk(rsa_key, "k", alg="RS512")]}): (
            "INSIGHTS_JWT_PUBLIC_KEY: a JWKS key declares alg 'RS512'"
        ),
        json.dumps({"keys": [{"kty": "RSA", "n": "AQAB"}]}): (
            "INSIGHTS_JWT_PUBLIC_KEY: the JWKS holds a key that cannot be read"
        ),
    }
    for index, (text, message) in enumerate(cases.items()):
        assert _config_error(tmp_path, _write(tmp_path, f"{index}.json", text)) == message


def test_config_refuses_non_key_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "notes.txt", "hello")
    assert _config_error(tmp_path, path) == (
        f"INSIGHTS_JWT_PUBLIC_KEY: {path} holds neither a PEM public key nor a JWKS"
    )
    broken = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
    assert _config_error(tmp_path, broken) == (
        "INSIGHTS_JWT_PUBLIC_KEY is not a valid PEM public key"
    )
