"""Small JSON-over-HTTP helper with short timeouts (urllib: no extra dependency)."""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings


@dataclass
class Answer:
    """What a platform said: ok, its error code and message, whether to slow down."""

    ok: bool
    code: str = ""
    message: str = ""
    rate_limited: bool = False
    token_expired: bool = False
    raw: dict | None = None


class TransportError(Exception):
    """The platform could not be reached or answered with something that is not JSON."""


def errcode_answer(raw: dict, *, rate_limited: set[int], token_expired: set[int]) -> Answer:
    """An answer in WeCom's and DingTalk's shape: {"errcode": 0, "errmsg": "ok", …}."""
    code = raw.get("errcode", -1)
    return Answer(
        ok=code == 0,
        code="" if code == 0 else str(code),
        message=str(raw.get("errmsg", "")),
        rate_limited=code in rate_limited,
        token_expired=code in token_expired,
        raw=raw,
    )


def errcode_token(raw: dict) -> tuple[str, int]:
    """The access token and its lifetime from a WeCom or DingTalk gettoken answer."""
    if raw.get("errcode", 0) != 0 or not raw.get("access_token"):
        raise TransportError(f"token: {raw.get('errcode')} {raw.get('errmsg', '')}")
    return raw["access_token"], int(raw.get("expires_in", 7200))


def call(method: str, url: str, body: dict | None = None, headers: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json; charset=utf-8")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=settings.CHANNEL_HTTP_TIMEOUT) as response:
            raw = response.read()
    except urllib.error.HTTPError as error:  # Feishu answers errors with 4xx and a JSON body
        raw = error.read()
        try:
            return json.loads(raw)
        except ValueError:
            raise TransportError(f"HTTP {error.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        # The reason only: the URL may hold a robot key or an access token.
        raise TransportError(
            type(error).__name__ + ": " + str(getattr(error, "reason", ""))
        ) from None
    try:
        return json.loads(raw)
    except ValueError:
        raise TransportError("not JSON") from None
