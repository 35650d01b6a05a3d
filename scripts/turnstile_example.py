#!/usr/bin/env python3
"""A turnstile controller against Jiedai's API (docs/access-control.md): a QR pass is read,
checked (`POST /api/v1/passes/check`), the gate opens when it is valid, and the passage is
reported back (`POST /api/v1/passes/passage`), which checks the visitor in.

Python's standard library only. Against the demo (`make run`):

    python manage.py api_token frontdesk --name "South gate" --scope passes   # last line
    JIEDAI_TOKEN=jd_… python scripts/turnstile_example.py --site main --gate "South gate 2" CODE

CODE is the pass's short code or the QR's text as scanned (`JDPASS:…`). Exit status: 0 the
gate opened and the passage was reported, 1 the pass does not open here, 2 the API failed.
"""

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Callable

# transport(url, body, headers) -> (status, answer body): urllib here, the test client in tests
Transport = Callable[[str, bytes, dict[str, str]], tuple[int, bytes]]


def urllib_transport(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310  # http(s) only
            return response.status, response.read()
    except urllib.error.HTTPError as error:  # 4xx/5xx: the API's JSON answer
        return error.code, error.read()


class ApiError(Exception):
    pass


class Turnstile:
    def __init__(self, base_url: str, token: str, site: str, gate: str, *, language: str = "en",
                 transport: Transport = urllib_transport) -> None:  # fmt: skip
        self.base_url = base_url.rstrip("/") + "/api/v1"
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept-Language": language,
        }
        self.site, self.gate, self.transport = site, gate, transport

    def call(self, path: str, code: str) -> dict:
        body = json.dumps({"code": code, "site": self.site, "gate": self.gate}).encode()
        try:
            status, answer = self.transport(self.base_url + path, body, self.headers)
        except OSError as error:  # no network, refused, timed out: keep the gate shut
            raise ApiError(str(error)) from error
        data = json.loads(answer or b"{}")
        if status != 200:
            raise ApiError(f"{status}: {data.get('detail', '')} {data.get('errors') or ''}".strip())
        return data

    def check(self, code: str) -> dict:
        """Is the pass valid here now? Nobody is checked in by asking."""
        return self.call("/passes/check", code)

    def passed(self, code: str) -> dict:
        """The visitor went through: checked in (once; a repeat report changes nothing)."""
        return self.call("/passes/passage", code)


def open_gate(out) -> bool:
    """Here a real controller pulses the turnstile's relay and waits for its rotation sensor;
    the example says so and takes the passage as made."""
    print("→ gate open", file=out)
    return True


def main(argv: list[str] | None = None, *, transport: Transport = urllib_transport,
         out=None) -> int:  # fmt: skip
    out = out or sys.stdout
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("code", help="the pass's short code or the QR's text")
    parser.add_argument("--url", default=os.environ.get("JIEDAI_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--token", default=os.environ.get("JIEDAI_TOKEN", ""))
    parser.add_argument("--site", default="main", help="the site's code")
    parser.add_argument("--gate", default="", help="this gate's name, for the timeline")
    parser.add_argument("--language", default="en", help="the reason's language: en, zh-hans")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("give --token or set JIEDAI_TOKEN (manage.py api_token … --scope passes)")
    turnstile = Turnstile(
        args.url, args.token, args.site, args.gate, language=args.language, transport=transport
    )
    try:
        answer = turnstile.check(args.code)
        print(f"check: {answer['outcome']} · {answer['reason']}", file=out)
        if not answer["valid"]:
            return 1
        print(
            f"visitor {answer['visitor']} · visit {answer['visit_reference']} · "
            f"host {answer['host']} · valid until {answer['valid_until']}",
            file=out,
        )
        if open_gate(out):
            report = turnstile.passed(args.code)
            print(f"passage: {report['outcome']} · {report['reason']}", file=out)
    except ApiError as error:
        print(f"API: {error}", file=out)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
