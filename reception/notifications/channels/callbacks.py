"""Card action callbacks: the platform tells us a button was pressed; we verify the request as
the platform specifies, act once (actions.perform) and answer with the card as it now reads.

Feishu (card.action.trigger, schema 2.0), POST /im/feishu/card/:
- with an Encrypt Key (FEISHU_ENCRYPT_KEY) the body is {"encrypt": …}: AES-256-CBC, the key
  SHA-256 of the Encrypt Key, the IV the first 16 bytes; and the request is signed:
  X-Lark-Signature = hex(SHA-256(timestamp + nonce + encrypt_key + body)) with
  X-Lark-Request-Timestamp and X-Lark-Request-Nonce;
- the (decrypted) event carries the app's Verification Token (FEISHU_VERIFICATION_TOKEN) in
  header.token, and an event id: a timestamp older than CHANNEL_CALLBACK_MAX_AGE or an event id
  seen before does nothing again;
- the answer {"toast": …, "card": {"type": "raw", "data": …}} replaces the card: who decided,
  what, and the button to the page; no more buttons.

WeCom (template_card_event), /im/wecom/card/: the app's receive-message URL, WXBizMsgCrypt
(wecom_crypto.py): msg_signature over Token, timestamp, nonce and Encrypt; the button's
replace_name is then set to what happened and who did it.

DingTalk (互动卡片 回传请求, HTTP push), POST /im/dingtalk/card/: the event-and-callback
encryption DingTalk specifies for HTTP callbacks (the same scheme as WeCom's: AES key
base64(aes_key + "="), receiver id the AppKey): query `signature` (or `msg_signature`) = SHA-1
of the sorted [Token, timestamp, nonce, encrypt], `timestamp` in milliseconds, body
{"encrypt": …}; the answer is the encrypted "success". The decrypted callback names the card
(`outTrackId`), the person (`userId`) and the pressed action's params (content.cardPrivateData):
{action, target, choice}. The card is then updated (PUT /v1.0/card/instances) to say who decided.
"""

import base64
import hashlib
import hmac
import json
import logging
import os
import re
import time
from xml.etree import ElementTree

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import wecom_crypto
from .actions import Outcome, perform
from .cards import Card, absolute, sign_in_link
from .dingtalk import DingTalk
from .feishu import card_json
from .http import TransportError
from .wecom import WeCom, button_value

PLATFORMS_WECOM = WeCom()
PLATFORMS_DINGTALK = DingTalk()

log = logging.getLogger(__name__)


class Refused(Exception):
    pass


def feishu_decrypt(encrypt_key: str, encrypted: str) -> dict:
    key = hashlib.sha256(encrypt_key.encode()).digest()
    data = base64.b64decode(encrypted)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(data[:16])).decryptor()
    padded = decryptor.update(data[16:]) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return json.loads(unpadder.update(padded) + unpadder.finalize())


def feishu_encrypt(encrypt_key: str, event: dict, iv: bytes) -> str:
    """The platform's side (the fakes use it)."""
    key = hashlib.sha256(encrypt_key.encode()).digest()
    padder = padding.PKCS7(128).padder()
    padded = padder.update(json.dumps(event).encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + encryptor.update(padded) + encryptor.finalize()).decode()


def feishu_signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode() + body).hexdigest()


def _fresh(seconds: float) -> bool:
    return abs(time.time() - seconds) <= settings.CHANNEL_CALLBACK_MAX_AGE


def feishu_event(request: HttpRequest) -> dict:
    """The verified event, or Refused."""
    app = settings.CHANNEL_APPS.get("feishu", {})
    token, encrypt_key = app.get("verification_token", ""), app.get("encrypt_key", "")
    if not token:
        raise Http404  # card actions are off
    try:
        body = json.loads(request.body)
    except ValueError:
        raise Refused("not JSON") from None
    if encrypt_key:
        if "encrypt" not in body:
            raise Refused("not encrypted")
        timestamp = request.headers.get("X-Lark-Request-Timestamp", "")
        nonce = request.headers.get("X-Lark-Request-Nonce", "")
        expected = feishu_signature(timestamp, nonce, encrypt_key, request.body)
        signature = request.headers.get("X-Lark-Signature", "")
        if not hmac.compare_digest(signature, expected):
            raise Refused("signature")
        if not timestamp.isdigit() or not _fresh(int(timestamp)):
            raise Refused("timestamp")
        try:
            body = feishu_decrypt(encrypt_key, body["encrypt"])
        except (ValueError, TypeError, KeyError):
            raise Refused("cannot decrypt") from None
    if body.get("type") == "url_verification":
        if not hmac.compare_digest(str(body.get("token", "")), token):
            raise Refused("token")
        return body
    header = body.get("header") or {}
    if not hmac.compare_digest(str(header.get("token", "")), token):
        raise Refused("token")
    created = str(header.get("create_time", ""))
    if not created.isdigit() or not _fresh(int(created) / 1000):
        raise Refused("old event")
    if header.get("event_type") != "card.action.trigger" or not header.get("event_id"):
        raise Refused("not a card action")
    return body


def decided_card(outcome: Outcome, language_button: str) -> dict:
    card = Card(
        title=outcome.title or _("Jiedai"),
        text=outcome.text,
        link=absolute(sign_in_link("feishu", outcome.url)) if outcome.url else absolute(""),
        button=language_button,
    )
    return card_json(card, template="green" if outcome.done else "grey")


ENCRYPT = re.compile(r"<Encrypt><!\[CDATA\[([A-Za-z0-9+/=]{1,20000})\]\]></Encrypt>")


def wecom_verified(request: HttpRequest, encrypted: str) -> str:
    """The decrypted message of a WeCom callback whose signature and timestamp hold."""
    app = settings.CHANNEL_APPS.get("wecom", {})
    timestamp = request.GET.get("timestamp", "")
    nonce = request.GET.get("nonce", "")
    expected = wecom_crypto.signature(app["callback_token"], timestamp, nonce, encrypted)
    if not hmac.compare_digest(request.GET.get("msg_signature", ""), expected):
        raise Refused("signature")
    if not timestamp.isdigit() or not _fresh(int(timestamp)):
        raise Refused("timestamp")
    try:
        return wecom_crypto.decrypt(app["encoding_aes_key"], encrypted, app.get("corp_id", ""))
    except wecom_crypto.CryptoError as error:
        raise Refused(str(error)) from None


def wecom_card_action(request: HttpRequest) -> HttpResponse:
    """WeCom: GET verifies the URL (echostr); POST is a template_card_event."""
    app = settings.CHANNEL_APPS.get("wecom", {})
    if not (app.get("callback_token") and app.get("encoding_aes_key")):
        return HttpResponse(status=405 if request.method == "GET" else 404)
    try:
        if request.method == "GET":
            return HttpResponse(wecom_verified(request, request.GET.get("echostr", "")))
        found = ENCRYPT.search(request.body.decode(errors="replace"))
        if found is None:
            raise Refused("no Encrypt")
        message = wecom_verified(request, found.group(1))
    except Refused as reason:
        log.warning("WeCom card callback refused: %s", reason)
        return HttpResponse(status=401)
    # Authenticated (signed and encrypted with the app's keys): parse it.
    event = {child.tag: (child.text or "") for child in ElementTree.fromstring(message)}
    if event.get("Event") != "template_card_event":
        return HttpResponse("success")
    user_id = event.get("FromUserName", "")
    outcome = perform(
        platform="wecom",
        external_id=user_id,
        event_id=f"{event.get('TaskId', '')}:{user_id}:{event.get('EventKey', '')}",
        value=button_value(event.get("EventKey", "")),
    )
    if not outcome.replay and event.get("ResponseCode"):
        try:
            PLATFORMS_WECOM.update_card(user_id, event["ResponseCode"], outcome.text)
        except (TransportError, KeyError, ValueError) as error:
            log.warning("WeCom card update failed: %s", str(error)[:200])
    return HttpResponse("success")


def dingtalk_verified(request: HttpRequest) -> dict:
    """The decrypted callback of a DingTalk HTTP push whose signature and timestamp hold."""
    app = settings.CHANNEL_APPS.get("dingtalk", {})
    try:
        encrypted = str(json.loads(request.body).get("encrypt", ""))
    except (ValueError, AttributeError):
        raise Refused("not JSON") from None
    timestamp = request.GET.get("timestamp", "")
    nonce = request.GET.get("nonce", "")
    given = request.GET.get("msg_signature") or request.GET.get("signature", "")
    expected = wecom_crypto.signature(app["callback_token"], timestamp, nonce, encrypted)
    if not encrypted or not hmac.compare_digest(given, expected):
        raise Refused("signature")
    if not timestamp.isdigit() or not _fresh(int(timestamp) / 1000):
        raise Refused("timestamp")
    try:
        message = wecom_crypto.decrypt(app["callback_aes_key"], encrypted, app.get("app_key", ""))
        event = json.loads(message)
    except (wecom_crypto.CryptoError, ValueError) as error:
        raise Refused(str(error)) from None
    if not isinstance(event, dict):
        raise Refused("not an object")
    return event


def dingtalk_success() -> JsonResponse:
    """DingTalk expects the word "success", encrypted and signed with the app's keys."""
    app = settings.CHANNEL_APPS["dingtalk"]
    timestamp, nonce = str(int(time.time() * 1000)), base64.b16encode(os.urandom(4)).decode()
    encrypted = wecom_crypto.encrypt(app["callback_aes_key"], "success", app.get("app_key", ""))
    return JsonResponse(
        {
            "msg_signature": wecom_crypto.signature(
                app["callback_token"], timestamp, nonce, encrypted
            ),
            "timeStamp": timestamp,
            "nonce": nonce,
            "encrypt": encrypted,
        }
    )


def dingtalk_card_action(request: HttpRequest) -> HttpResponse:
    app = settings.CHANNEL_APPS.get("dingtalk", {})
    if not (app.get("callback_token") and app.get("callback_aes_key")):
        raise Http404  # card actions are off
    if request.method != "POST":
        return HttpResponse(status=405)
    try:
        event = dingtalk_verified(request)
    except Refused as reason:
        log.warning("DingTalk card callback refused: %s", reason)
        return JsonResponse({"error": "refused"}, status=401)
    # Authenticated (signed and encrypted with the app's keys): parse it.
    track, user_id = str(event.get("outTrackId", "")), str(event.get("userId", ""))
    if not (track and user_id):  # check_url and other events: acknowledged, nothing to do
        return dingtalk_success()
    try:
        content = event.get("content") or {}
        content = json.loads(content) if isinstance(content, str) else content
        private = content.get("cardPrivateData") or {}
        params, action_ids = private.get("params") or {}, private.get("actionIds") or []
    except (ValueError, AttributeError):
        params, action_ids = {}, []
    value = params if isinstance(params, dict) else {}
    outcome = perform(
        platform="dingtalk",
        external_id=user_id,
        event_id=f"{track}:{user_id}:{','.join(map(str, action_ids))}:{value.get('choice', '')}",
        value=value,
    )
    if outcome.replay:
        log.info("DingTalk card callback %s replayed: nothing done again", track)
    else:
        try:
            PLATFORMS_DINGTALK.update_card(track, outcome.text)
        except (TransportError, KeyError, ValueError) as error:
            log.warning("DingTalk card update failed: %s", str(error)[:200])
    return dingtalk_success()


@csrf_exempt
@login_not_required
@require_http_methods(["GET", "POST"])
def card_action(request: HttpRequest, platform: str) -> HttpResponse:
    if platform == "wecom":
        return wecom_card_action(request)
    if platform == "dingtalk":
        return dingtalk_card_action(request)
    if platform != "feishu":
        raise Http404
    if request.method != "POST":
        return HttpResponse(status=405)
    try:
        event = feishu_event(request)
    except Refused as reason:
        log.warning("Feishu card callback refused: %s", reason)
        return JsonResponse({"error": "refused"}, status=401)
    if event.get("type") == "url_verification":
        return JsonResponse({"challenge": event.get("challenge", "")})
    header, body = event["header"], event.get("event") or {}
    operator = body.get("operator") or {}
    value = (body.get("action") or {}).get("value") or {}
    outcome = perform(
        platform="feishu",
        external_id=str(operator.get("user_id", "")),
        event_id=str(header["event_id"]),
        value=value if isinstance(value, dict) else {},
    )
    if outcome.replay:
        log.info("Feishu card callback %s replayed: nothing done again", header["event_id"])
    button = _("Open in Jiedai")
    return JsonResponse(
        {
            "toast": {"type": "success" if outcome.done else "info", "content": outcome.text},
            "card": {"type": "raw", "data": decided_card(outcome, button)},
        }
    )
