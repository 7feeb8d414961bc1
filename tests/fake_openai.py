"""A chat-completions server on 127.0.0.1 that answers from a script, for the openai backend's tests.

Each request takes the next action of ``FakeServer.plan`` (then ``default``):

    ok            200, a chat completion whose text names the model
    html          200, an HTML page
    empty         200, {"choices": []}
    error         200, {"error": {"message": "overloaded"}}
    null          200, a message whose content is null
    blank         200, a message whose content is "  "
    truncated     200, a body cut short of its Content-Length
    503 / 429 / 404 / 401
    slow          wait 1 s, then ok
    random        a random one of the above, drawn from the request's own seed
    raw:BYTES     200 with exactly these bytes (the fuzz tests)
"""

from __future__ import annotations

import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BAD = ("html", "empty", "error", "null", "blank", "truncated", "503", "429")


class FakeServer:
    def __init__(self, default: str = "ok"):
        self.plan: list = []
        self.default = default
        self.by_prompt: dict[str, str] = {}  # a prompt's text -> its action, every time
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server.lock:
                    server.requests.append({"body": body, "authorization": self.headers.get("Authorization")})
                    prompt = body["messages"][-1]["content"]
                    fixed = [a for p, a in server.by_prompt.items() if p == prompt]
                    action = fixed[0] if fixed else server.plan.pop(0) if server.plan else server.default
                if action == "random":
                    action = random.Random(body.get("seed")).choice(BAD + ("ok",))
                server.answer(self, action, body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    @staticmethod
    def answer(handler, action: str, body: dict) -> None:
        if action in ("503", "429", "404", "401"):
            handler.send_response(int(action))
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        if action == "slow":
            time.sleep(1.0)
            action = "ok"
        message = {"role": "assistant", "content": f"{body['model']}：白日依山尽，黄河入海流。"}
        data = {
            "ok": lambda: json.dumps({"choices": [{"message": message}]}, ensure_ascii=False).encode(),
            "html": lambda: b"<html><body>502 Bad Gateway</body></html>",
            "empty": lambda: b'{"choices": []}',
            "error": lambda: b'{"error": {"message": "overloaded"}}',
            "null": lambda: b'{"choices": [{"message": {"role": "assistant", "content": null}}]}',
            "blank": lambda: b'{"choices": [{"message": {"role": "assistant", "content": "  "}}]}',
            "truncated": lambda: b'{"choices": [{"message": {"content": "\xe7\x99\xbd',
        }.get(action, lambda: action.removeprefix("raw:").encode("utf-8", "surrogatepass"))()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data) + (50 if action == "truncated" else 0)))
        handler.end_headers()
        handler.wfile.write(data)
