"""DingTalk (钉钉): `action_card` through the company app, `actionCard` through group robots.

App: GET /gettoken?appkey&appsecret, POST /topapi/message/corpconversation/asyncsend_v2.
Robot: POST https://oapi.dingtalk.com/robot/send?access_token=…&timestamp=…&sign=…, signed
as documented: sign = urlencode(base64(HmacSHA256(key=secret, msg=f"{timestamp}\\n{secret}")))
with the timestamp in milliseconds. 130101 is the robot's rate limit (20 a minute).
"""

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus, urlencode

from django.conf import settings

from . import tokens
from .cards import Card
from .http import Answer, call, errcode_answer, errcode_token

PLATFORM = "dingtalk"
RATE_LIMITED = {130101, 90018, 90002}
TOKEN_EXPIRED = {40014, 42001, 88}


def _app() -> dict:
    return settings.CHANNEL_APPS.get(PLATFORM, {})


def _base() -> str:
    return settings.CHANNEL_API_BASE[PLATFORM].rstrip("/")


def app_configured() -> bool:
    app = _app()
    return bool(app.get("app_key") and app.get("app_secret") and app.get("agent_id"))


def _markdown(card: Card) -> str:
    text = card.text.replace("\n", "  \n")
    return f"### {card.title}\n\n{text}"


def direct_payload(card: Card, user_id: str) -> dict:
    return {
        "agent_id": int(_app().get("agent_id") or 0),
        "userid_list": user_id,
        "msg": {
            "msgtype": "action_card",
            "action_card": {
                "title": card.title,
                "markdown": _markdown(card),
                "single_title": card.button,
                "single_url": card.link,
            },
        },
    }


def robot_payload(card: Card) -> dict:
    return {
        "msgtype": "actionCard",
        "actionCard": {
            "title": card.title,
            "text": _markdown(card),
            "singleTitle": card.button,
            "singleURL": card.link,
        },
    }


def sign(secret: str, timestamp: int) -> str:
    digest = hmac.new(
        secret.encode(), f"{timestamp}\n{secret}".encode(), digestmod=hashlib.sha256
    ).digest()
    return quote_plus(base64.b64encode(digest))


def signed_url(webhook_url: str, secret: str, timestamp: int | None = None) -> str:
    if not secret:
        return webhook_url
    timestamp = timestamp or int(time.time() * 1000)
    joiner = "&" if "?" in webhook_url else "?"
    return f"{webhook_url}{joiner}timestamp={timestamp}&sign={sign(secret, timestamp)}"


def answer(raw: dict) -> Answer:
    return errcode_answer(raw, rate_limited=RATE_LIMITED, token_expired=TOKEN_EXPIRED)


def _fetch_token() -> tuple[str, int]:
    app = _app()
    query = urlencode({"appkey": app["app_key"], "appsecret": app["app_secret"]})
    raw = call("GET", f"{_base()}/gettoken?{query}")
    return errcode_token(raw)


def send_direct(payload: dict) -> Answer:
    token = tokens.get_token(PLATFORM, _fetch_token)
    url = f"{_base()}/topapi/message/corpconversation/asyncsend_v2?access_token={token}"
    return answer(call("POST", url, payload))


def send_robot(webhook_url: str, secret: str, payload: dict) -> Answer:
    return answer(call("POST", signed_url(webhook_url, secret), payload))
