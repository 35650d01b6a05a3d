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
from .base import JSON, ErrcodeAdapter
from .cards import Card
from .http import TransportError, call


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


def _markdown(card: Card) -> str:
    text = card.text.replace("\n", "  \n")
    return f"### {card.title}\n\n{text}"


class DingTalk(ErrcodeAdapter):
    platform = "dingtalk"
    app_keys = ("app_key", "app_secret", "agent_id")
    rate_limited = frozenset({130101, 90018, 90002})
    token_expired = frozenset({40014, 42001, 88})
    token_path = "/gettoken"
    token_query = (("appkey", "app_key"), ("appsecret", "app_secret"))
    message_path = "/topapi/message/corpconversation/asyncsend_v2"

    def direct_payload(self, card: Card, user_id: str) -> JSON:
        return {
            "agent_id": int(self.app().get("agent_id") or 0),
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

    def robot_payload(self, card: Card) -> JSON:
        return {
            "msgtype": "actionCard",
            "actionCard": {
                "title": card.title,
                "text": _markdown(card),
                "singleTitle": card.button,
                "singleURL": card.link,
            },
        }

    def code_param(self) -> str:
        return "authCode"

    def login_url(self, redirect_uri: str, state: str, *, in_app: bool) -> str:
        query = urlencode(
            {
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "client_id": self.app().get("app_key", ""),
                "scope": "openid",
                "state": state,
                "prompt": "consent",
            }
        )
        return f"{self.login_base()}/oauth2/auth?{query}"

    def user_id_for_code(self, code: str, redirect_uri: str) -> str | None:
        app, api = self.app(), settings.CHANNEL_API_BASE["dingtalk_api"].rstrip("/")
        raw = call(
            "POST",
            f"{api}/v1.0/oauth2/userAccessToken",
            {
                "clientId": app["app_key"],
                "clientSecret": app["app_secret"],
                "code": code,
                "grantType": "authorization_code",
            },
        )
        if not raw.get("accessToken"):
            raise TransportError(f"userAccessToken: {raw.get('code')} {raw.get('message', '')}")
        me = call(
            "GET",
            f"{api}/v1.0/contact/users/me",
            headers={"x-acs-dingtalk-access-token": raw["accessToken"]},
        )
        if not me.get("unionId"):
            raise TransportError(f"users/me: {me.get('code')} {me.get('message', '')}")
        token = tokens.get_token(self.platform, self.fetch_token)
        found = call(
            "POST",
            f"{self.base()}/topapi/user/getbyunionid?{urlencode({'access_token': token})}",
            {"unionid": me["unionId"]},
        )
        if found.get("errcode") == 60121:  # no such member of the company
            return None
        if found.get("errcode", -1) != 0:
            raise TransportError(f"getbyunionid: {found.get('errcode')} {found.get('errmsg')}")
        return found.get("result", {}).get("userid") or None

    def signed_robot_request(self, webhook: str, secret: str, payload: JSON) -> tuple[str, JSON]:
        return signed_url(webhook, secret), payload

    def update_card(self, out_track_id: str, text: str) -> None:
        """After a button on an interactive card (互动卡片): its `decided` field says what
        happened and who did it, and its `done` field hides the buttons (PUT /v1.0/card/instances,
        updating only those keys)."""
        token = tokens.get_token(self.platform, self.fetch_token)
        api = settings.CHANNEL_API_BASE["dingtalk_api"].rstrip("/")
        call(
            "PUT",
            f"{api}/v1.0/card/instances",
            {
                "outTrackId": out_track_id,
                "cardData": {"cardParamMap": {"decided": text[:200], "done": "true"}},
                "cardUpdateOptions": {"updateCardDataByKey": True},
            },
            headers={"x-acs-dingtalk-access-token": token},
        )
