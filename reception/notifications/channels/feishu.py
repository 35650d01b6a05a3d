"""Feishu (飞书) / Lark: interactive cards through the company app and custom bots.

App: POST /open-apis/auth/v3/tenant_access_token/internal {app_id, app_secret}, then
POST /open-apis/im/v1/messages?receive_id_type=user_id with "Authorization: Bearer …".
App messages carry a request `uuid`: Feishu sends one message per uuid within an hour.
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
from urllib.parse import urlencode

from .base import JSON, ChannelAdapter
from .cards import Card
from .http import Answer, TransportError, call


def sign(secret: str, timestamp: int) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", digestmod=hashlib.sha256).digest()).decode()


def card_json(card: Card, *, template: str = "blue") -> JSON:
    """The interactive card: its text, the buttons that act (their `value` comes back in the
    card action callback, callbacks.py) or open a page, and the button to the page."""
    buttons: list[JSON] = []
    for action in card.actions:
        button: JSON = {
            "tag": "button",
            "text": {"tag": "plain_text", "content": action.label},
            "type": "primary" if action.primary else "default",
        }
        if action.value is not None:
            button["value"] = action.value
        else:
            button["url"] = action.link
        buttons.append(button)
    buttons.append(
        {
            "tag": "button",
            "text": {"tag": "plain_text", "content": card.button},
            "type": "default" if card.actions else "primary",
            "url": card.link,
        }
    )
    return {
        "config": {"wide_screen_mode": True, "update_multi": True},
        "header": {"title": {"tag": "plain_text", "content": card.title}, "template": template},
        "elements": [
            {"tag": "div", "text": {"tag": "lark_md", "content": card.text}},
            {"tag": "action", "actions": buttons},
        ],
    }


class Feishu(ChannelAdapter):
    platform = "feishu"
    app_keys = ("app_id", "app_secret")
    rate_limited = frozenset({11232, 99991400})
    token_expired = frozenset({99991663, 99991668, 99991661})

    def direct_payload(self, card: Card, user_id: str) -> JSON:
        return {
            "receive_id": user_id,
            "msg_type": "interactive",
            "content": json.dumps(card_json(card), ensure_ascii=False),
        }

    def deduplicated(self, payload: JSON, key: str) -> JSON:
        # Requests with the same uuid (at most 50 characters) send one message within an hour.
        return {**payload, "uuid": key[:50]}

    def login_url(self, redirect_uri: str, state: str, *, in_app: bool) -> str:
        query = urlencode(
            {
                "client_id": self.app().get("app_id", ""),
                "redirect_uri": redirect_uri,
                "state": state,
            }
        )
        return f"{self.login_base()}/open-apis/authen/v1/authorize?{query}"

    def user_id_for_code(self, code: str, redirect_uri: str) -> str | None:
        app = self.app()
        raw = call(
            "POST",
            f"{self.base()}/open-apis/authen/v2/oauth/token",
            {
                "grant_type": "authorization_code",
                "client_id": app["app_id"],
                "client_secret": app["app_secret"],
                "code": code,
                "redirect_uri": redirect_uri,
            },
        )
        if raw.get("code", -1) != 0 or not raw.get("access_token"):
            raise TransportError(f"oauth/token: {raw.get('code')} {raw.get('error', '')}")
        me = call(
            "GET",
            f"{self.base()}/open-apis/authen/v1/user_info",
            headers={"Authorization": f"Bearer {raw['access_token']}"},
        )
        if me.get("code", -1) != 0:
            raise TransportError(f"user_info: {me.get('code')} {me.get('msg', '')}")
        # user_id: the id messages are sent to (receive_id_type=user_id); only a member of the
        # company has one.
        return me.get("data", {}).get("user_id") or None

    def robot_payload(self, card: Card) -> JSON:
        return {"msg_type": "interactive", "card": card_json(card)}

    def answer(self, raw: JSON) -> Answer:
        code = raw.get("code", raw.get("StatusCode", -1))
        message = str(raw.get("msg", ""))
        rate_limited = code in self.rate_limited or (code == 9499 and "too many" in message.lower())
        return Answer(
            ok=code == 0,
            code="" if code == 0 else str(code),
            message=message,
            rate_limited=rate_limited,
            token_expired=code in self.token_expired,
            raw=raw,
        )

    def fetch_token(self) -> tuple[str, int]:
        app = self.app()
        raw = call(
            "POST",
            f"{self.base()}/open-apis/auth/v3/tenant_access_token/internal",
            {"app_id": app["app_id"], "app_secret": app["app_secret"]},
        )
        if raw.get("code", 0) != 0 or not raw.get("tenant_access_token"):
            raise TransportError(f"token: {raw.get('code')} {raw.get('msg', '')}")
        return raw["tenant_access_token"], int(raw.get("expire", 7200))

    def direct_request(self, token: str) -> tuple[str, dict[str, str]]:
        url = f"{self.base()}/open-apis/im/v1/messages?receive_id_type=user_id"
        return url, {"Authorization": f"Bearer {token}"}

    def signed_robot_request(self, webhook: str, secret: str, payload: JSON) -> tuple[str, JSON]:
        body = dict(payload)
        if secret:
            timestamp = int(time.time())
            body.update(timestamp=str(timestamp), sign=sign(secret, timestamp))
        return webhook, body
