#!/usr/bin/env python3
"""A fake LINE Messaging API on loopback for tests: it checks what Kaeru sends as LINE would, and signs the
webhooks it sends to Kaeru as LINE does (X-Line-Signature: Base64 HMAC-SHA256 of the raw body with the
channel secret).

Usage: fake_line.py PORT TOKEN SECRET   (PORT 0 picks a free port; prints "ready PORT")

LINE's side (what Kaeru calls):
  GET  /v2/bot/message/quota               {"type":"limited","value":LIMIT}
  GET  /v2/bot/message/quota/consumption   {"totalUsage":USED}
  POST /v2/bot/message/multicast           checks the bearer token, at most 500 user ids, a UUID in
                                           X-Line-Retry-Key, text messages of at most 5,000 characters;
                                           a retry key seen before answers 409 with
                                           x-line-accepted-request-id, as LINE does; over the quota, 429
  POST /v2/bot/message/push                the same checks for one user id (a string), recorded as pushes
  POST /v2/bot/message/reply               recorded
  POST /v2/bot/user/{userId}/linkToken     {"linkToken": "..."}
  GET  /dialog/bot/accountLink?linkToken&nonce   the account-link page: sends the accountLink event for the
                                           user the link token was issued to, then says so
The test's side:
  GET  /_test/state                        everything received (multicasts, replies, refusals)
  POST /_test/quota                        {"limit": n|null, "used": n}
  POST /_test/fail                         {"status": 500|429|..., "times": n}: the next n multicasts fail
  POST /_test/webhook                      {"url": KAERU_WEBHOOK_URL, "events": [...], "sign": true|false}
                                           signs the body (unless sign is false) and posts it; answers
                                           Kaeru's status
"""
import base64
import hashlib
import hmac
import json
import socket
import sys
import threading
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {
    "multicasts": [],
    "pushes": [],
    "replies": [],
    "refused": [],
    "retry_keys": {},
    "link_tokens": {},
    "limit": 200,
    "used": 0,
    "fail": {"status": 0, "times": 0},
    "webhook_url": None,
}


def sign(secret, body):
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def post_webhook(url, events, secret, signed=True):
    body = json.dumps({"destination": "Ufake", "events": events}, ensure_ascii=False).encode()
    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    if signed:
        req.add_header("X-Line-Signature", sign(secret, body))
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


class Handler(BaseHTTPRequestHandler):
    token = ""
    secret = ""

    def log_message(self, *args):
        pass

    def reply(self, status, obj=None, headers=None):
        body = b"" if obj is None else json.dumps(obj, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def authorised(self):
        if self.headers.get("Authorization") != f"Bearer {self.token}":
            with LOCK:
                STATE["refused"].append({"path": self.path, "why": "bad token"})
            self.reply(401, {"message": "Authentication failed"})
            return False
        return True

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path == "/_test/state":
            with LOCK:
                self.reply(200, {k: v for k, v in STATE.items() if k != "retry_keys"})
            return
        if url.path == "/dialog/bot/accountLink":
            q = urllib.parse.parse_qs(url.query)
            token = (q.get("linkToken") or [""])[0]
            nonce = (q.get("nonce") or [""])[0]
            with LOCK:
                user = STATE["link_tokens"].get(token)
                target = STATE["webhook_url"]
            if not user or not nonce or not target:
                self.send_response(400)
                self.end_headers()
                self.wfile.write(b"unknown link token")
                return
            status = post_webhook(target, [{"type": "accountLink", "mode": "active", "timestamp": 0,
                                            "source": {"type": "user", "userId": user},
                                            "replyToken": "r-" + uuid.uuid4().hex,
                                            "link": {"result": "ok", "nonce": nonce}}], self.secret)
            page = f"<!doctype html><meta charset=utf-8><title>LINE</title><p id=linked>LINE: linked ({status})</p>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
            return
        if not self.authorised():
            return
        if url.path == "/v2/bot/message/quota":
            with LOCK:
                limit = STATE["limit"]
            self.reply(200, {"type": "none"} if limit is None else {"type": "limited", "value": limit})
        elif url.path == "/v2/bot/message/quota/consumption":
            with LOCK:
                self.reply(200, {"totalUsage": STATE["used"]})
        else:
            self.reply(404, {"message": "Not found"})

    def do_POST(self):
        url = urllib.parse.urlparse(self.path)
        raw = self.body()
        if url.path.startswith("/_test/"):
            data = json.loads(raw or b"{}")
            if url.path == "/_test/quota":
                with LOCK:
                    STATE["limit"] = data.get("limit")
                    STATE["used"] = data.get("used", 0)
                self.reply(200, {})
            elif url.path == "/_test/fail":
                with LOCK:
                    STATE["fail"] = {"status": data.get("status", 500), "times": data.get("times", 1)}
                self.reply(200, {})
            elif url.path == "/_test/webhook":
                with LOCK:
                    STATE["webhook_url"] = data["url"]
                status = post_webhook(data["url"], data.get("events", []), self.secret, data.get("sign", True))
                self.reply(200, {"status": status})
            else:
                self.reply(404, {})
            return
        if not self.authorised():
            return
        if url.path in ("/v2/bot/message/multicast", "/v2/bot/message/push"):
            push = url.path.endswith("/push")
            key = self.headers.get("X-Line-Retry-Key")
            try:
                uuid.UUID(key or "")
            except ValueError:
                with LOCK:
                    STATE["refused"].append({"path": url.path, "why": "retry key is not a UUID"})
                self.reply(400, {"message": "The value for the 'X-Line-Retry-Key' header is invalid"})
                return
            msg = json.loads(raw)
            to = msg.get("to", [])
            if push:
                to = [to] if isinstance(to, str) and to else []
            texts = [m.get("text", "") for m in msg.get("messages", [])]
            problem = None
            if not 1 <= len(to) <= 500:
                problem = "to must be one user id" if push else "to must hold 1 to 500 user ids"
            elif len(set(to)) != len(to):
                problem = "a user id appears twice"
            elif not texts or any(len(t) > 5000 or not t for t in texts):
                problem = "text messages must be 1 to 5,000 characters"
            if problem:
                with LOCK:
                    STATE["refused"].append({"path": url.path, "why": problem})
                self.reply(400, {"message": problem})
                return
            with LOCK:
                if key in STATE["retry_keys"]:
                    self.reply(409, {"message": "The retry key is already accepted"},
                               {"x-line-accepted-request-id": STATE["retry_keys"][key]})
                    return
                if STATE["fail"]["times"] > 0:
                    STATE["fail"]["times"] -= 1
                    status = STATE["fail"]["status"]
                    self.reply(status, {"message": "You have reached your monthly limit." if status == 429 else "fail"})
                    return
                if STATE["limit"] is not None and STATE["used"] + len(to) > STATE["limit"]:
                    self.reply(429, {"message": "You have reached your monthly limit."})
                    return
                request_id = str(uuid.uuid4())
                STATE["retry_keys"][key] = request_id
                STATE["used"] += len(to)
                if push:
                    STATE["pushes"].append({"to": to[0], "texts": texts, "retry_key": key})
                else:
                    STATE["multicasts"].append({"to": to, "texts": texts, "retry_key": key})
            self.reply(200, {}, {"x-line-request-id": request_id})
        elif url.path == "/v2/bot/message/reply":
            with LOCK:
                STATE["replies"].append(json.loads(raw))
            self.reply(200, {})
        elif url.path.startswith("/v2/bot/user/") and url.path.endswith("/linkToken"):
            user = url.path.split("/")[4]
            token = uuid.uuid4().hex
            with LOCK:
                STATE["link_tokens"][token] = user
            self.reply(200, {"linkToken": token})
        else:
            self.reply(404, {"message": "Not found"})


def main():
    port, token, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    Handler.token, Handler.secret = token, secret
    if port == 0:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"ready {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
