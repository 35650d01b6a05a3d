"""WeCom (企业微信): `textcard` through the company app, `template_card` through group robots.

App: GET /cgi-bin/gettoken?corpid&corpsecret, POST /cgi-bin/message/send?access_token=…
App messages ask WeCom to drop a repeat (`enable_duplicate_check`, `duplicate_check_interval`).
Robot: POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… (no signing; the key is
the secret). Errors: errcode ≠ 0; 45009 is the rate limit; 40014/42001 a bad or old token.
"""

from urllib.parse import urlencode

from django.conf import settings

from .base import JSON, ErrcodeAdapter
from .cards import Card


class WeCom(ErrcodeAdapter):
    platform = "wecom"
    app_keys = ("corp_id", "secret", "agent_id")
    rate_limited = frozenset({45009, 45033})
    token_expired = frozenset({40014, 42001})
    token_path = "/cgi-bin/gettoken"
    token_query = (("corpid", "corp_id"), ("corpsecret", "secret"))
    message_path = "/cgi-bin/message/send"

    def direct_payload(self, card: Card, user_id: str) -> JSON:
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

    def deduplicated(self, payload: JSON, key: str) -> JSON:
        # WeCom drops a message whose request JSON repeats one sent within the interval
        # (default 1800 s, at most 4 hours).
        # It compares the whole request, so the card's link names the outbox row: two
        # notifications with the same text are not taken for one sent twice.
        interval = min(settings.WECOM_DUPLICATE_CHECK_SECONDS, 4 * 3600)
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
