"""WeCom (企业微信): `textcard` through the company app, `template_card` through group robots.

App: GET /cgi-bin/gettoken?corpid&corpsecret, POST /cgi-bin/message/send?access_token=…
Robot: POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… (no signing; the key is
the secret). Errors: errcode ≠ 0; 45009 is the rate limit; 40014/42001 a bad or old token.
"""

from urllib.parse import urlencode

from django.conf import settings

from . import tokens
from .cards import Card
from .http import Answer, call, errcode_answer, errcode_token

PLATFORM = "wecom"
RATE_LIMITED = {45009, 45033}
TOKEN_EXPIRED = {40014, 42001}


def _app() -> dict:
    return settings.CHANNEL_APPS.get(PLATFORM, {})


def _base() -> str:
    return settings.CHANNEL_API_BASE[PLATFORM].rstrip("/")


def app_configured() -> bool:
    app = _app()
    return bool(app.get("corp_id") and app.get("secret") and app.get("agent_id"))


def direct_payload(card: Card, user_id: str) -> dict:
    return {
        "touser": user_id,
        "msgtype": "textcard",
        "agentid": int(_app().get("agent_id") or 0),
        "textcard": {
            "title": card.title,
            "description": card.text,
            "url": card.link,
            "btntxt": card.button,
        },
    }


def robot_payload(card: Card) -> dict:
    return {
        "msgtype": "template_card",
        "template_card": {
            "card_type": "text_notice",
            "main_title": {"title": card.title},
            "sub_title_text": card.text,
            "card_action": {"type": 1, "url": card.link},
            "jump_list": [{"type": 1, "title": card.button, "url": card.link}],
        },
    }


def answer(raw: dict) -> Answer:
    return errcode_answer(raw, rate_limited=RATE_LIMITED, token_expired=TOKEN_EXPIRED)


def _fetch_token() -> tuple[str, int]:
    app = _app()
    query = urlencode({"corpid": app["corp_id"], "corpsecret": app["secret"]})
    raw = call("GET", f"{_base()}/cgi-bin/gettoken?{query}")
    return errcode_token(raw)


def send_direct(payload: dict) -> Answer:
    token = tokens.get_token(PLATFORM, _fetch_token)
    return answer(call("POST", f"{_base()}/cgi-bin/message/send?access_token={token}", payload))


def send_robot(webhook_url: str, secret: str, payload: dict) -> Answer:
    return answer(call("POST", webhook_url, payload))
