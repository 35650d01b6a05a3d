"""Feishu (飞书) / Lark: interactive cards through the company app and custom bots.

App: POST /open-apis/auth/v3/tenant_access_token/internal {app_id, app_secret}, then
POST /open-apis/im/v1/messages?receive_id_type=user_id with "Authorization: Bearer …".
Custom bot: POST https://open.feishu.cn/open-apis/bot/v2/hook/…, signed as documented:
sign = base64(HmacSHA256(key=f"{timestamp}\\n{secret}", msg=b"")) in the JSON body with the
timestamp in seconds. 11232 (bot) and 99991400 (app) are rate limits, as is 9499 "too many
request".
"""

import base64
import hashlib
import hmac
import json
import time

from django.conf import settings

from . import tokens
from .cards import Card
from .http import Answer, TransportError, call

PLATFORM = "feishu"
RATE_LIMITED = {11232, 99991400}
TOKEN_EXPIRED = {99991663, 99991668, 99991661}


def _app() -> dict:
    return settings.CHANNEL_APPS.get(PLATFORM, {})


def _base() -> str:
    return settings.CHANNEL_API_BASE[PLATFORM].rstrip("/")


def app_configured() -> bool:
    app = _app()
    return bool(app.get("app_id") and app.get("app_secret"))


def card_json(card: Card) -> dict:
    return {
        "config": {"wide_screen_mode": True},
        "header": {"title": {"tag": "plain_text", "content": card.title}, "template": "blue"},
        "elements": [
            {"tag": "div", "text": {"tag": "lark_md", "content": card.text}},
            {
                "tag": "action",
                "actions": [
                    {
                        "tag": "button",
                        "text": {"tag": "plain_text", "content": card.button},
                        "type": "primary",
                        "url": card.link,
                    }
                ],
            },
        ],
    }


def direct_payload(card: Card, user_id: str) -> dict:
    return {
        "receive_id": user_id,
        "msg_type": "interactive",
        "content": json.dumps(card_json(card), ensure_ascii=False),
    }


def robot_payload(card: Card) -> dict:
    return {"msg_type": "interactive", "card": card_json(card)}


def sign(secret: str, timestamp: int) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", digestmod=hashlib.sha256).digest()).decode()


def answer(raw: dict) -> Answer:
    code = raw.get("code", raw.get("StatusCode", -1))
    message = str(raw.get("msg", ""))
    rate_limited = code in RATE_LIMITED or (code == 9499 and "too many" in message.lower())
    return Answer(
        ok=code == 0,
        code="" if code == 0 else str(code),
        message=message,
        rate_limited=rate_limited,
        token_expired=code in TOKEN_EXPIRED,
        raw=raw,
    )


def _fetch_token() -> tuple[str, int]:
    app = _app()
    raw = call(
        "POST",
        f"{_base()}/open-apis/auth/v3/tenant_access_token/internal",
        {"app_id": app["app_id"], "app_secret": app["app_secret"]},
    )
    if raw.get("code", 0) != 0 or not raw.get("tenant_access_token"):
        raise TransportError(f"token: {raw.get('code')} {raw.get('msg', '')}")
    return raw["tenant_access_token"], int(raw.get("expire", 7200))


def send_direct(payload: dict) -> Answer:
    token = tokens.get_token(PLATFORM, _fetch_token)
    url = f"{_base()}/open-apis/im/v1/messages?receive_id_type=user_id"
    return answer(call("POST", url, payload, headers={"Authorization": f"Bearer {token}"}))


def send_robot(webhook_url: str, secret: str, payload: dict) -> Answer:
    body = dict(payload)
    if secret:
        timestamp = int(time.time())
        body.update(timestamp=str(timestamp), sign=sign(secret, timestamp))
    return answer(call("POST", webhook_url, body))
