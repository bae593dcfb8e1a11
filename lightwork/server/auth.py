"""Who may use a running app: its token (`--token`) and its basic-auth credentials (`--enable-basic-auth`).

The server accepts a request that carries either; clients (AppState, `lightwork command`) send what the
environment gives them: LIGHTWORK_TOKEN as a Bearer token, else LIGHTWORK_BASIC_AUTH ("user:password").
"""
from __future__ import annotations

import base64
import binascii
import hmac
import os

TOKEN_VARIABLE = "LIGHTWORK_TOKEN"
BASIC_AUTH_VARIABLE = "LIGHTWORK_BASIC_AUTH"


def parse_basic_auth(text: str) -> tuple[str, str]:
    """`user:password` as (user, password); ValueError saying what is wrong (the password may hold colons)."""
    user, colon, password = text.partition(":")
    if not colon or not user or not password:
        raise ValueError(f"expected USER:PASSWORD with a non-empty user and password, got {text!r}")
    return user, password


def client_headers(token: str | None = None, basic_auth: str | None = None) -> dict:
    """The header a client sends: the token or credentials given, else LIGHTWORK_TOKEN, else
    LIGHTWORK_BASIC_AUTH; none when nothing is set. ValueError for malformed credentials."""
    if not (token or basic_auth):
        token, basic_auth = os.environ.get(TOKEN_VARIABLE), os.environ.get(BASIC_AUTH_VARIABLE)
    if token:
        return {"Authorization": f"Bearer {token}"}
    if basic_auth:
        parse_basic_auth(basic_auth)
        return {"Authorization": "Basic " + base64.b64encode(basic_auth.encode()).decode()}
    return {}


class Guard:
    """The server's check: `Guard(token, basic_auth)`; `allows(headers, query)` says whether a request may pass."""

    def __init__(self, token: str | None, basic_auth: str | None) -> None:
        self.token = token or None
        self.credentials = parse_basic_auth(basic_auth) if basic_auth else None

    @property
    def active(self) -> bool:
        return bool(self.token or self.credentials)

    def allows(self, headers, query) -> bool:
        given = headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        if self.credentials and scheme.lower() == "basic" and _same_credentials(value.strip(), self.credentials):
            return True
        if not self.token:
            return False
        if scheme.lower() == "bearer":
            candidate = value.strip()
        else:
            candidate = headers.get("x-lightwork-token") or query.get("token") or ""
        return hmac.compare_digest(candidate.encode(), self.token.encode())

    def refusal(self) -> str:
        """What a refused client should send."""
        if self.credentials and self.token:
            return "credentials are needed: basic auth (USER:PASSWORD), or the token as 'Authorization: Bearer TOKEN'"
        if self.credentials:
            return "credentials are needed: send them as basic auth (USER:PASSWORD)"
        return "a token is needed: send it as 'Authorization: Bearer TOKEN'"


def _same_credentials(encoded: str, expected: tuple[str, str]) -> bool:
    try:
        user, colon, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return False
    user_ok = hmac.compare_digest(user.encode(), expected[0].encode())
    password_ok = hmac.compare_digest(password.encode(), expected[1].encode())
    return bool(colon) and user_ok and password_ok
