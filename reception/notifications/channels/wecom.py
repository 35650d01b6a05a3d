"""WeCom (企业微信): `textcard` through the company app, `template_card` through group robots.

App: GET /cgi-bin/gettoken?corpid&corpsecret, POST /cgi-bin/message/send?access_token=…
App messages ask WeCom to drop a repeat (`enable_duplicate_check`, `duplicate_check_interval`).
Robot: POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… (no signing; the key is
the secret). Errors: errcode ≠ 0; 45009 is the rate limit; 40014/42001 a bad or old token.
"""

import uuid
from urllib.parse import urlencode

from django.conf import settings

from . import tokens
from .base import JSON, ErrcodeAdapter
from .cards import Card
from .http import TransportError, call


def button_key(value: dict) -> str:
    return f"{value.get('action', '')}:{value.get('target', 0)}:{value.get('choice', '')}"


def button_value(key: str) -> dict:
    action, _sep, rest = key.partition(":")
    target, _sep, choice = rest.partition(":")
    return {"action": action, "target": target, "choice": choice}


class WeCom(ErrcodeAdapter):
    platform = "wecom"
    app_keys = ("corp_id", "secret", "agent_id")
    rate_limited = frozenset({45009, 45033})
    token_expired = frozenset({40014, 42001})
    token_path = "/cgi-bin/gettoken"
    token_query = (("corpid", "corp_id"), ("corpsecret", "secret"))
    message_path = "/cgi-bin/message/send"

    def direct_payload(self, card: Card, user_id: str) -> JSON:
        if any(action.value for action in card.actions):
            return self._button_card(card, user_id)
        return {
            "touser": user_id,
            "msgtype": "textcard",
            "agentid": int(self.app().get("agent_id") or 0),
            "textcard": {
                "title": card.title,
                "description": card.text,
                "url": card.link,
                "btntxt": card.button,
            },
        }

    def _button_card(self, card: Card, user_id: str) -> JSON:
        """A template card whose buttons call back the app's receive URL (callbacks.py); a
        button's key is "action:target:choice"; buttons that open a page go in jump_list."""
        acting = [a for a in card.actions if a.value]
        jumps = [{"type": 1, "title": a.label, "url": a.link} for a in card.actions if a.link]
        return {
            "touser": user_id,
            "msgtype": "template_card",
            "agentid": int(self.app().get("agent_id") or 0),
            "template_card": {
                "card_type": "button_interaction",
                "main_title": {"title": card.title},
                "sub_title_text": card.text,
                "card_action": {"type": 1, "url": card.link},
                "task_id": f"jiedai-{uuid.uuid4().hex}",
                "button_list": [
                    {
                        "text": a.label,
                        "style": 1 if a.primary else 2,
                        "key": button_key(a.value or {}),
                    }
                    for a in acting
                ],
                "jump_list": [*jumps, {"type": 1, "title": card.button, "url": card.link}][:3],
            },
        }

    def update_card(self, user_id: str, response_code: str, text: str) -> None:
        """After a button: the card's button now says what happened and who did it."""
        token = tokens.get_token(self.platform, self.fetch_token)
        query = urlencode({"access_token": token})
        call(
            "POST",
            f"{self.base()}/cgi-bin/message/update_template_card?{query}",
            {
                "userids": [user_id],
                "agentid": int(self.app().get("agent_id") or 0),
                "response_code": response_code,
                "button": {"replace_name": text[:40]},
            },
        )

    def deduplicated(self, payload: JSON, key: str) -> JSON:
        # WeCom drops a message whose request JSON repeats one sent within the interval
        # (default 1800 s, at most 4 hours).
        # It compares the whole request, so the card's link names the outbox row: two
        # notifications with the same text are not taken for one sent twice.
        interval = min(settings.WECOM_DUPLICATE_CHECK_SECONDS, 4 * 3600)
        if payload.get("msgtype") != "textcard":
            return {**payload, "enable_duplicate_check": 1, "duplicate_check_interval": interval}
        card = dict(payload.get("textcard", {}))
        if card.get("url"):
            joiner = "&" if "?" in card["url"] else "?"
            card["url"] = f"{card['url']}{joiner}{urlencode({'m': key})}"
        return {
            **payload,
            "textcard": card,
            "enable_duplicate_check": 1,
            "duplicate_check_interval": interval,
        }

    def login_url(self, redirect_uri: str, state: str, *, in_app: bool) -> str:
        app = self.app()
        if in_app:  # inside WeCom: web OAuth, snsapi_base (no question asked)
            query = urlencode(
                {
                    "appid": app.get("corp_id", ""),
                    "redirect_uri": redirect_uri,
                    "response_type": "code",
                    "scope": "snsapi_base",
                    "state": state,
                    "agentid": app.get("agent_id", ""),
                }
            )
            return f"{self.login_base()}/connect/oauth2/authorize?{query}#wechat_redirect"
        query = urlencode(  # a desktop browser: scan the QR code with WeCom
            {
                "login_type": "CorpApp",
                "appid": app.get("corp_id", ""),
                "agentid": app.get("agent_id", ""),
                "redirect_uri": redirect_uri,
                "state": state,
            }
        )
        return f"{self.login_base('wecom_qr')}/wwlogin/sso/login?{query}"

    def user_id_for_code(self, code: str, redirect_uri: str) -> str | None:
        token = tokens.get_token(self.platform, self.fetch_token)
        query = urlencode({"access_token": token, "code": code})
        raw = call("GET", f"{self.base()}/cgi-bin/auth/getuserinfo?{query}")
        if raw.get("errcode", -1) != 0:
            raise TransportError(f"getuserinfo: {raw.get('errcode')} {raw.get('errmsg', '')}")
        return raw.get("userid") or None  # a non-member has an openid only

    def robot_payload(self, card: Card) -> JSON:
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
