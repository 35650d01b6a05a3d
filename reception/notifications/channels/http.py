"""Small JSON-over-HTTP helper with one overall deadline per call (http.client: no extra
dependency)."""

import contextlib
import http.client
import json
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

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


def call(
    method: str,
    url: str,
    body: dict | None = None,
    headers: dict | None = None,
    *,
    deadline: float | None = None,
) -> dict:
    """One request and its whole answer within `deadline` seconds (settings.CHANNEL_HTTP_TIMEOUT),
    however the time is spent: connecting, waiting, or an answer that drips in a byte at a time.

    A socket timeout alone applies to each read, so a dripping endpoint could hold the worker
    for minutes; here a timer closes the socket when the deadline passes, which ends any read
    in progress, and every read is given only the time that is left."""
    limit = settings.CHANNEL_HTTP_TIMEOUT if deadline is None else deadline
    ends = time.monotonic() + limit
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransportError("not an http(s) address")
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname, parts.port, timeout=limit)
    timer = threading.Timer(limit, _close, args=(connection,))
    timer.daemon = True
    timer.start()
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    try:
        connection.request(
            method,
            target,
            body=data,
            headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        )
        response = connection.getresponse()
        chunks = []
        while True:
            left = ends - time.monotonic()
            if left <= 0:
                raise TimeoutError("deadline")
            if connection.sock is not None:
                connection.sock.settimeout(left)
            chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
            if not chunk:
                break
            chunks.append(chunk)
        raw = b"".join(chunks)
        status = response.status
    except (http.client.HTTPException, TimeoutError, OSError, ValueError) as error:
        # The kind of trouble only: the URL may hold a robot key or an access token.
        if time.monotonic() >= ends:
            raise TransportError(f"no complete answer within {limit:g} s") from None
        raise TransportError(type(error).__name__) from None
    finally:
        timer.cancel()
        connection.close()
    try:
        return json.loads(raw)
    except ValueError:
        # Feishu answers errors with 4xx and a JSON body; anything else that is not JSON is
        # trouble with the transport.
        raise TransportError(f"HTTP {status}" if status >= 400 else "not JSON") from None


def _close(connection: http.client.HTTPConnection) -> None:
    """The deadline passed: end whatever read or write is in progress."""
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
