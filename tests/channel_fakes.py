"""A local fake of WeCom, DingTalk and Feishu: an HTTP server thread on 127.0.0.1.

It checks each request's URL, JSON shape, signature and token, answers like the platform
(error codes included: bad token, bad signature, rate limit) and records what it accepted.
`down = n` makes the next n message requests fail with HTTP 503 (an outage);
`rate_limit_next = n` answers the next n message requests with the platform's rate-limit code.
`delay = s` answers every request s seconds late (slow but successful); `drip = s` sends the
answer's body one byte every s seconds (an endpoint that never quite stops answering).
De-duplication as the platforms document it: a WeCom app message with enable_duplicate_check
that repeats a request body, or a Feishu message whose uuid was seen, is accepted again but not
delivered twice (`received` holds it once).
"""

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

APPS = {
    "wecom": {"corp_id": "ww-corp", "secret": "wecom-app-secret", "agent_id": "1000002"},
    "dingtalk": {"app_key": "ding-key", "app_secret": "ding-app-secret", "agent_id": "2000003"},
    "feishu": {"app_id": "cli_fake", "app_secret": "feishu-app-secret"},
}
RATE_LIMIT = {
    "wecom": {"errcode": 45009, "errmsg": "api freq out of limit"},
    "dingtalk": {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"},
    "feishu": {"code": 11232, "msg": "frequency limited"},
}


class FakePlatforms:
    def __init__(self):
        self.received: list[dict] = []
        self.token_requests: Counter = Counter()
        self.tokens: dict[str, str] = {}
        self.robot_secrets: dict[str, str] = {}
        self.expires_in = 7200
        self.down = 0
        self.rate_limit_next = 0
        self.delay = 0.0
        self.drip = 0.0
        self.seen: set[str] = set()
        # OAuth (免登): a code the "platform" handed out -> who signed in; single use.
        # wecom: {"userid": …} or {"openid": …} (not a member); dingtalk: {"unionId": …,
        # "userid": … or None}; feishu: {"user_id": …, "open_id": …}.
        self.oauth_codes: dict[tuple[str, str], dict] = {}
        self.user_tokens: dict[str, dict] = {}
        self.requests = 0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def messages(self, platform: str | None = None) -> list[dict]:
        return [r for r in self.received if platform in (None, r["platform"])]

    # ---- the platforms ---------------------------------------------------------------------

    def _new_token(self, platform: str) -> str:
        self.token_requests[platform] += 1
        token = f"{platform}-token-{self.token_requests[platform]}"
        self.tokens[platform] = token
        return token

    def _outage_or_limit(self, platform: str):
        """(503, None) during an outage, (200, rate-limit answer) when limiting, else None."""
        with self.lock:
            if self.down > 0:
                self.down -= 1
                return 503, None
            if self.rate_limit_next > 0:
                self.rate_limit_next -= 1
                return 200, RATE_LIMIT[platform]
        return None

    def handle(self, method: str, path: str, query: dict, headers, body: dict | None):
        q = {k: v[0] for k, v in query.items()}
        platform = path.split("/")[1]
        route = "/" + "/".join(path.split("/")[2:])
        if platform == "wecom":
            return self._wecom(method, route, q, body)
        if platform == "dingtalk":
            return self._dingtalk(method, route, q, body)
        if platform == "feishu":
            return self._feishu(method, route, q, headers, body)
        if platform == "dingtalk-api":
            return self._dingtalk_api(method, route, headers, body)
        return 404, {"error": "no such platform"}

    def _record(self, platform, route, kind, body):
        self.received.append({"platform": platform, "route": route, "kind": kind, "body": body})

    def _wecom(self, method, route, q, body):
        app = APPS["wecom"]
        if route == "/cgi-bin/gettoken" and method == "GET":
            if (q.get("corpid"), q.get("corpsecret")) != (app["corp_id"], app["secret"]):
                return 200, {"errcode": 40001, "errmsg": "invalid credential"}
            token = self._new_token("wecom")
            return 200, {
                "errcode": 0,
                "errmsg": "ok",
                "access_token": token,
                "expires_in": self.expires_in,
            }
        if route == "/cgi-bin/auth/getuserinfo" and method == "GET":
            if q.get("access_token") != self.tokens.get("wecom"):
                return 200, {"errcode": 40014, "errmsg": "invalid access_token"}
            who = self.oauth_codes.pop(("wecom", q.get("code", "")), None)
            if who is None:
                return 200, {"errcode": 40029, "errmsg": "invalid code"}
            return 200, {"errcode": 0, "errmsg": "ok", **who}
        if route == "/cgi-bin/message/update_template_card" and method == "POST":
            if q.get("access_token") != self.tokens.get("wecom"):
                return 200, {"errcode": 40014, "errmsg": "invalid access_token"}
            if not body.get("response_code") or not body.get("userids"):
                return 200, {"errcode": 40058, "errmsg": "invalid response_code"}
            self._record("wecom", route, "card_update", body)
            return 200, {"errcode": 0, "errmsg": "ok"}
        if route == "/cgi-bin/message/send":
            if q.get("access_token") != self.tokens.get("wecom"):
                return 200, {"errcode": 40014, "errmsg": "invalid access_token"}
            card = body.get("textcard", {})
            template = body.get("template_card", {})
            if body.get("msgtype") == "template_card":  # a card with buttons that call back
                card = {
                    "title": template.get("main_title", {}).get("title"),
                    "url": template.get("card_action", {}).get("url", ""),
                }
                if template.get("card_type") != "button_interaction" or not (
                    template.get("task_id")
                    and all(b.get("key") and b.get("text") for b in template["button_list"])
                ):
                    return 200, {"errcode": 40008, "errmsg": "invalid template_card"}
            if (
                body.get("msgtype") not in ("textcard", "template_card")
                or body.get("agentid") != int(app["agent_id"])
                or not (
                    body.get("touser")
                    and card.get("title")
                    and card.get("url", "").startswith("http")
                )
            ):
                return 200, {"errcode": 40008, "errmsg": "invalid message type"}
            if (trouble := self._outage_or_limit("wecom")) is not None:
                return trouble
            if body.get("enable_duplicate_check") == 1:
                key = "wecom:" + json.dumps(body, sort_keys=True, ensure_ascii=False)
                if key in self.seen:
                    return 200, {"errcode": 0, "errmsg": "ok", "invaliduser": ""}
                self.seen.add(key)
            self._record("wecom", route, "app", body)
            return 200, {"errcode": 0, "errmsg": "ok", "invaliduser": ""}
        if route == "/cgi-bin/webhook/send":
            if not q.get("key"):
                return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
            card = body.get("template_card", {})
            if (
                body.get("msgtype") != "template_card"
                or card.get("card_type") != "text_notice"
                or not (
                    card.get("main_title", {}).get("title")
                    and card.get("card_action", {}).get("url")
                )
            ):
                return 200, {"errcode": 40008, "errmsg": "invalid message type"}
            if (trouble := self._outage_or_limit("wecom")) is not None:
                return trouble
            self._record("wecom", route, "robot", body)
            return 200, {"errcode": 0, "errmsg": "ok"}
        return 404, {"errcode": 404, "errmsg": "not found"}

    def _dingtalk(self, method, route, q, body):
        app = APPS["dingtalk"]
        if route == "/gettoken" and method == "GET":
            if (q.get("appkey"), q.get("appsecret")) != (app["app_key"], app["app_secret"]):
                return 200, {"errcode": 40089, "errmsg": "invalid appkey or appsecret"}
            token = self._new_token("dingtalk")
            return 200, {
                "errcode": 0,
                "errmsg": "ok",
                "access_token": token,
                "expires_in": self.expires_in,
            }
        if route == "/topapi/user/getbyunionid" and method == "POST":
            if q.get("access_token") != self.tokens.get("dingtalk"):
                return 200, {"errcode": 40014, "errmsg": "invalid access_token"}
            for who in self.user_tokens.values():
                if who.get("unionId") == body.get("unionid") and who.get("userid"):
                    return 200, {"errcode": 0, "result": {"userid": who["userid"]}}
            return 200, {"errcode": 60121, "errmsg": "找不到该用户"}
        if route == "/topapi/message/corpconversation/asyncsend_v2":
            if q.get("access_token") != self.tokens.get("dingtalk"):
                return 200, {"errcode": 40014, "errmsg": "invalid access_token"}
            card = body.get("msg", {}).get("action_card", {})
            if (
                body.get("agent_id") != int(app["agent_id"])
                or body.get("msg", {}).get("msgtype") != "action_card"
                or not (
                    body.get("userid_list")
                    and card.get("title")
                    and card.get("markdown")
                    and card.get("single_url")
                )
            ):
                return 200, {"errcode": 40035, "errmsg": "invalid parameter"}
            if (trouble := self._outage_or_limit("dingtalk")) is not None:
                return trouble
            self._record("dingtalk", route, "app", body)
            return 200, {"errcode": 0, "errmsg": "ok", "task_id": len(self.received)}
        if route == "/robot/send":
            secret = self.robot_secrets.get(q.get("access_token", ""))
            if secret is None:
                return 200, {"errcode": 300001, "errmsg": "token is not exist"}
            timestamp = q.get("timestamp", "0")
            expected = base64.b64encode(
                hmac.new(
                    secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256
                ).digest()
            ).decode()
            # parse_qs already decoded the query once, as DingTalk does.
            fresh = abs(time.time() * 1000 - int(timestamp)) < 3600 * 1000
            if not fresh or q.get("sign") != expected:
                return 200, {"errcode": 310000, "errmsg": "sign not match"}
            card = body.get("actionCard", {})
            if body.get("msgtype") != "actionCard" or not (
                card.get("title") and card.get("text") and card.get("singleURL")
            ):
                return 200, {"errcode": 40035, "errmsg": "invalid parameter"}
            if (trouble := self._outage_or_limit("dingtalk")) is not None:
                return trouble
            self._record("dingtalk", route, "robot", body)
            return 200, {"errcode": 0, "errmsg": "ok"}
        return 404, {"errcode": 404, "errmsg": "not found"}

    def _user_token(self, platform, code):
        who = self.oauth_codes.pop((platform, code or ""), None)
        if who is None:
            return None
        token = f"{platform}-user-{len(self.user_tokens) + 1}"
        self.user_tokens[token] = who
        return token

    def _dingtalk_api(self, method, route, headers, body):
        app = APPS["dingtalk"]
        if route == "/v1.0/oauth2/userAccessToken" and method == "POST":
            if (body.get("clientId"), body.get("clientSecret")) != (
                app["app_key"],
                app["app_secret"],
            ) or body.get("grantType") != "authorization_code":
                return 400, {"code": "invalidClient", "message": "clientId or secret wrong"}
            token = self._user_token("dingtalk", body.get("code"))
            if token is None:
                return 400, {"code": "invalidAuthCode", "message": "authCode is invalid"}
            return 200, {"accessToken": token, "refreshToken": "r", "expireIn": 7200}
        if route == "/v1.0/contact/users/me" and method == "GET":
            who = self.user_tokens.get(headers.get("x-acs-dingtalk-access-token", ""))
            if who is None:
                return 401, {"code": "InvalidAuthentication", "message": "token invalid"}
            return 200, {"unionId": who["unionId"], "nick": "某人"}
        if route == "/v1.0/card/instances" and method == "PUT":
            if headers.get("x-acs-dingtalk-access-token") != self.tokens.get("dingtalk"):
                return 401, {"code": "InvalidAuthentication", "message": "token invalid"}
            if not body.get("outTrackId"):
                return 400, {"code": "invalidParameter", "message": "outTrackId"}
            self._record("dingtalk", route, "card_update", body)
            return 200, {"success": True, "result": True}
        return 404, {"code": "NotFound", "message": "not found"}

    def _feishu(self, method, route, q, headers, body):
        app = APPS["feishu"]
        if route == "/open-apis/authen/v2/oauth/token" and method == "POST":
            if (body.get("client_id"), body.get("client_secret")) != (
                app["app_id"],
                app["app_secret"],
            ):
                return 400, {"code": 20002, "error": "invalid_client"}
            if body.get("grant_type") != "authorization_code" or not body.get("redirect_uri"):
                return 400, {"code": 20001, "error": "invalid_request"}
            token = self._user_token("feishu", body.get("code"))
            if token is None:
                return 400, {"code": 20003, "error": "invalid_grant"}
            return 200, {"code": 0, "access_token": token, "token_type": "Bearer"}
        if route == "/open-apis/authen/v1/user_info" and method == "GET":
            auth = headers.get("Authorization", "")
            who = self.user_tokens.get(auth.removeprefix("Bearer "))
            if who is None:
                return 401, {"code": 99991668, "msg": "Invalid access token"}
            return 200, {"code": 0, "msg": "success", "data": who}
        if route == "/open-apis/auth/v3/tenant_access_token/internal" and method == "POST":
            if (body.get("app_id"), body.get("app_secret")) != (app["app_id"], app["app_secret"]):
                return 400, {"code": 10014, "msg": "app secret invalid"}
            token = self._new_token("feishu")
            return 200, {
                "code": 0,
                "msg": "ok",
                "tenant_access_token": token,
                "expire": self.expires_in,
            }
        if route == "/open-apis/im/v1/messages":
            if headers.get("Authorization") != f"Bearer {self.tokens.get('feishu')}":
                return 400, {"code": 99991663, "msg": "Invalid access token for authorization."}
            if (
                q.get("receive_id_type") != "user_id"
                or body.get("msg_type") != "interactive"
                or not body.get("receive_id")
            ):
                return 400, {
                    "code": 230001,
                    "msg": "Your request contains an invalid request parameter.",
                }
            card = json.loads(body.get("content", "{}"))
            if not card.get("header", {}).get("title", {}).get("content") or not card.get(
                "elements"
            ):
                return 400, {"code": 230099, "msg": "Failed to create card content"}
            if (trouble := self._outage_or_limit("feishu")) is not None:
                return trouble
            if body.get("uuid"):
                if len(body["uuid"]) > 50:
                    return 400, {"code": 230001, "msg": "uuid too long"}
                if "feishu:" + body["uuid"] in self.seen:
                    return 200, {"code": 0, "msg": "success", "data": {"message_id": "om_seen"}}
                self.seen.add("feishu:" + body["uuid"])
            self._record("feishu", route, "app", body)
            return 200, {
                "code": 0,
                "msg": "success",
                "data": {"message_id": f"om_{len(self.received)}"},
            }
        if route.startswith("/open-apis/bot/v2/hook/"):
            secret = self.robot_secrets.get(route.rsplit("/", 1)[1])
            if secret is None:
                return 200, {
                    "code": 19001,
                    "msg": "param invalid: incoming webhook access token invalid",
                }
            timestamp = body.get("timestamp", "0")
            expected = base64.b64encode(
                hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
            ).decode()
            fresh = abs(time.time() - int(timestamp)) < 3600
            if not fresh or body.get("sign") != expected:
                return 200, {
                    "code": 19021,
                    "msg": "sign match fail or timestamp is not within one hour from current time",
                }
            if body.get("msg_type") != "interactive" or not body.get("card", {}).get("header"):
                return 200, {"code": 9499, "msg": "Bad Request"}
            if (trouble := self._outage_or_limit("feishu")) is not None:
                return trouble
            self._record("feishu", route, "robot", body)
            return 200, {"code": 0, "msg": "success", "data": {}}
        return 404, {"code": 404, "msg": "not found"}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _serve(self, method):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                fake.requests += 1
                status, answer = fake.handle(
                    method, parts.path, parse_qs(parts.query), self.headers, body
                )
                if fake.delay:
                    time.sleep(fake.delay)
                data = b"Service Unavailable" if answer is None else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if answer else "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    if fake.drip:
                        for byte in data:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(fake.drip)
                    else:
                        self.wfile.write(data)
                except OSError:  # the caller gave up
                    pass

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def do_PUT(self):
                self._serve("PUT")

        return Handler


def robot_webhook(fake: FakePlatforms, platform: str, key: str) -> str:
    return {
        "wecom": f"{fake.url}/wecom/cgi-bin/webhook/send?key={key}",
        "dingtalk": f"{fake.url}/dingtalk/robot/send?access_token={key}",
        "feishu": f"{fake.url}/feishu/open-apis/bot/v2/hook/{key}",
    }[platform]


# ---- Feishu calling us back: a card action, as the platform sends it ----------------------

FEISHU_CALLBACK = {"verification_token": "v-token-123", "encrypt_key": "encrypt-key-456"}


def feishu_card_action(
    *,
    user_id: str,
    value: dict,
    event_id: str = "ev-1",
    token: str = FEISHU_CALLBACK["verification_token"],
    encrypt_key: str = FEISHU_CALLBACK["encrypt_key"],
    created_ms: int | None = None,
    signed_at: int | None = None,
    forge: bool = False,
) -> tuple[bytes, dict]:
    """(body, headers) of a card.action.trigger callback, encrypted and signed as Feishu does."""
    from reception.notifications.channels.callbacks import feishu_encrypt, feishu_signature

    now = time.time()
    event = {
        "schema": "2.0",
        "header": {
            "event_id": event_id,
            "token": token,
            "create_time": str(created_ms if created_ms is not None else int(now * 1000)),
            "event_type": "card.action.trigger",
            "tenant_key": "tenant",
            "app_id": APPS["feishu"]["app_id"],
        },
        "event": {
            "operator": {"open_id": f"ou_{user_id}", "user_id": user_id},
            "action": {"tag": "button", "value": value},
            "context": {"open_message_id": "om_1"},
        },
    }
    body = json.dumps({"encrypt": feishu_encrypt(encrypt_key, event, b"0123456789abcdef")})
    raw = body.encode()
    timestamp, nonce = str(signed_at if signed_at is not None else int(now)), "nonce-1"
    signature = feishu_signature(timestamp, nonce, encrypt_key, raw)
    if forge:
        signature = "0" * len(signature)
    return raw, {
        "HTTP_X_LARK_REQUEST_TIMESTAMP": timestamp,
        "HTTP_X_LARK_REQUEST_NONCE": nonce,
        "HTTP_X_LARK_SIGNATURE": signature,
    }


# ---- WeCom calling us back: a template card's button --------------------------------------

WECOM_CALLBACK = {
    "callback_token": "wecom-cb-token",
    "encoding_aes_key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
}


def wecom_card_event(
    *,
    user_id: str,
    key: str,
    task_id: str,
    timestamp: int | None = None,
    forge: bool = False,
    corp_id: str = APPS["wecom"]["corp_id"],
) -> tuple[str, str]:
    """(query string, XML body) of a template_card_event, encrypted and signed as WeCom does."""
    from urllib.parse import urlencode

    from reception.notifications.channels import wecom_crypto

    when = str(timestamp if timestamp is not None else int(time.time()))
    message = (
        f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName>"
        f"<FromUserName><![CDATA[{user_id}]]></FromUserName><CreateTime>{when}</CreateTime>"
        "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event>"
        f"<EventKey><![CDATA[{key}]]></EventKey><TaskId><![CDATA[{task_id}]]></TaskId>"
        "<CardType><![CDATA[button_interaction]]></CardType>"
        "<ResponseCode><![CDATA[rc-123]]></ResponseCode>"
        f"<AgentID>{APPS['wecom']['agent_id']}</AgentID></xml>"
    )
    encrypted = wecom_crypto.encrypt(WECOM_CALLBACK["encoding_aes_key"], message, corp_id)
    nonce = "n0nce"
    signature = wecom_crypto.signature(WECOM_CALLBACK["callback_token"], when, nonce, encrypted)
    if forge:
        signature = "f" * 40
    body = (
        f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName>"
        f"<Encrypt><![CDATA[{encrypted}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>"
    )
    query = urlencode({"msg_signature": signature, "timestamp": when, "nonce": nonce})
    return query, body


# ---- DingTalk calling us back: an interactive card's button (HTTP push) ---------------------

DINGTALK_CALLBACK = {
    "callback_token": "ding-cb-token",
    "callback_aes_key": "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG",
}


def dingtalk_card_event(
    *,
    user_id: str,
    value: dict,
    out_track_id: str = "card-1",
    timestamp: int | None = None,
    forge: bool = False,
    app_key: str = APPS["dingtalk"]["app_key"],
) -> tuple[str, str]:
    """(query string, JSON body) of a card callback, encrypted and signed as DingTalk does."""
    from urllib.parse import urlencode

    from reception.notifications.channels import wecom_crypto

    when = str(timestamp if timestamp is not None else int(time.time() * 1000))
    private = {"actionIds": ["decide"], "params": value}
    event = {
        "type": "actionCallback",
        "outTrackId": out_track_id,
        "corpId": "ding-corp",
        "userId": user_id,
        "content": json.dumps({"cardPrivateData": private}),
    }
    encrypted = wecom_crypto.encrypt(
        DINGTALK_CALLBACK["callback_aes_key"], json.dumps(event), app_key
    )
    nonce = "n0nce"
    signature = wecom_crypto.signature(DINGTALK_CALLBACK["callback_token"], when, nonce, encrypted)
    if forge:
        signature = "f" * 40
    query = urlencode({"signature": signature, "timestamp": when, "nonce": nonce})
    return query, json.dumps({"encrypt": encrypted})
