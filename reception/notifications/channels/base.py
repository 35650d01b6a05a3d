"""One shape for every messaging platform: a `ChannelAdapter` does what delivery asks of it.

    app_configured()                 are the company app's credentials all set?
    direct_payload(card, user_id)    the JSON of a direct message through the company app
    robot_payload(card)              the JSON of a group robot's message
    send_direct(payload)             send through the app, with its cached access token
    send_robot(webhook, secret, payload)   send through a robot, signed if it has a secret

A platform module (wecom.py, dingtalk.py, feishu.py) subclasses it and says only what differs:
its card's JSON, where the app's token and messages go, how a robot request is signed, and
how its answers read. WeCom and DingTalk answer in the same shape ({"errcode", "errmsg"}):
`ErrcodeAdapter` reads it and fetches their tokens alike.
"""

from typing import Any, ClassVar
from urllib.parse import urlencode

from django.conf import settings

from . import tokens
from .cards import Card
from .http import Answer, call, errcode_answer, errcode_token

JSON = dict[str, Any]


class ChannelAdapter:
    platform: ClassVar[str]
    # The keys of settings.CHANNEL_APPS[platform] the company app needs, all of them set.
    app_keys: ClassVar[tuple[str, ...]]
    # The platform's error codes for "slow down" and for "this access token is no good".
    rate_limited: ClassVar[frozenset[int]]
    token_expired: ClassVar[frozenset[int]]

    # ---- the company app's configuration -------------------------------------------------

    def app(self) -> dict[str, str]:
        return settings.CHANNEL_APPS.get(self.platform, {})

    def base(self) -> str:
        return settings.CHANNEL_API_BASE[self.platform].rstrip("/")

    def app_configured(self) -> bool:
        app = self.app()
        return all(app.get(key) for key in self.app_keys)

    # ---- what each platform says differently ---------------------------------------------

    def direct_payload(self, card: Card, user_id: str) -> JSON:
        raise NotImplementedError

    def robot_payload(self, card: Card) -> JSON:
        raise NotImplementedError

    def answer(self, raw: JSON) -> Answer:
        """What the platform's JSON answer means."""
        raise NotImplementedError

    def fetch_token(self) -> tuple[str, int]:
        """A new access token for the company app and its lifetime in seconds."""
        raise NotImplementedError

    def direct_request(self, token: str) -> tuple[str, dict[str, str]]:
        """Where a direct message goes with this token: (url, extra headers)."""
        raise NotImplementedError

    def deduplicated(self, payload: JSON, key: str) -> JSON:
        """The direct message with the platform's own de-duplication, where it has one: a
        message sent again after a sender died (its answer never recorded) is dropped by the
        platform. `key` is stable per outbox row. By default: none (DingTalk)."""
        return payload

    def signed_robot_request(self, webhook: str, secret: str, payload: JSON) -> tuple[str, JSON]:
        """A robot request (url, body), signed with the robot's secret where the platform
        signs; by default sent as it is."""
        return webhook, payload

    # ---- signing staff in (免登): OAuth 2.0 authorization codes -----------------------------

    def login_base(self, name: str = "") -> str:
        return settings.CHANNEL_LOGIN_BASE[name or self.platform].rstrip("/")

    def login_url(self, redirect_uri: str, state: str, *, in_app: bool) -> str:
        """Where to send a person to sign in: the platform asks who they are (inside the
        app without a question) and comes back to `redirect_uri` with a code and `state`."""
        raise NotImplementedError

    def code_param(self) -> str:
        """The name of the code the platform comes back with."""
        return "code"

    def user_id_for_code(self, code: str, redirect_uri: str) -> str | None:
        """The person's user id on the platform (the one messaging accounts hold) for a code,
        or None when the platform says it is no member of the company."""
        raise NotImplementedError

    # ---- sending, the same for all -------------------------------------------------------

    def send_direct(self, payload: JSON) -> Answer:
        token = tokens.get_token(self.platform, self.fetch_token)
        url, headers = self.direct_request(token)
        return self.answer(call("POST", url, payload, headers=headers))

    def send_robot(self, webhook_url: str, secret: str, payload: JSON) -> Answer:
        url, body = self.signed_robot_request(webhook_url, secret, payload)
        return self.answer(call("POST", url, body))


class ErrcodeAdapter(ChannelAdapter):
    """WeCom's and DingTalk's shape: answers {"errcode": 0, "errmsg": "ok", …}, and the app's
    token from GET <token_path>?<credentials> as {"access_token", "expires_in"}."""

    token_path: ClassVar[str]
    # (query parameter, key in CHANNEL_APPS) of the token request's credentials
    token_query: ClassVar[tuple[tuple[str, str], ...]]
    message_path: ClassVar[str]

    def answer(self, raw: JSON) -> Answer:
        return errcode_answer(
            raw, rate_limited=set(self.rate_limited), token_expired=set(self.token_expired)
        )

    def fetch_token(self) -> tuple[str, int]:
        app = self.app()
        query = urlencode({param: app[key] for param, key in self.token_query})
        return errcode_token(call("GET", f"{self.base()}{self.token_path}?{query}"))

    def direct_request(self, token: str) -> tuple[str, dict[str, str]]:
        return f"{self.base()}{self.message_path}?access_token={token}", {}
