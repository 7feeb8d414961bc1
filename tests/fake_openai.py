"""A chat-completions server on 127.0.0.1 that answers from a script, for the openai backend's tests.

Each request takes the next action of ``FakeServer.plan`` (then ``default``):

    ok            200, a chat completion whose text names the model asked for; its "model" field
                  is that name too, or ``FakeServer.serve_as[name]`` when set
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
    big:N         200, an ok answer padded with spaces to N bytes, with its Content-Length
    bigstream:N   the same, with no Content-Length (the body ends when the connection closes)
    flood         200, no Content-Length, then spaces as fast as they go, without end
    trickle       200 and an ok answer's headers at once, then its body one byte every
                  ``trickle_delay`` seconds (0.05)
    trickle-head  the whole response, status line and headers too, one byte at a time
    events        200, a chunked text/event-stream of garbage events every 0.01 s, without end

Nothing streams for longer than ``STREAM_LIMIT`` seconds or past the client's hanging up, so a
test of an old client that waits on it still ends.
"""

from __future__ import annotations

import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BAD = ("html", "empty", "error", "null", "blank", "truncated", "503", "429")
STREAM_LIMIT = 5.0


class FakeServer:
    def __init__(self, default: str = "ok"):
        self.plan: list = []
        self.default = default
        self.by_prompt: dict[str, str] = {}  # a prompt's text -> its action, every time
        self.serve_as: dict[str, str] = {}  # a model asked for -> the name the answer gives
        self.trickle_delay = 0.05
        self.closing = threading.Event()
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
                try:
                    server.answer(self, action, body)
                except (BrokenPipeError, ConnectionResetError):  # the client hung up: the tests of cut-offs
                    pass

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
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def ok(self, body: dict) -> bytes:
        message = {"role": "assistant", "content": f"{body['model']}：白日依山尽，黄河入海流。"}
        answer = {"model": self.serve_as.get(body["model"], body["model"]), "choices": [{"message": message}]}
        return json.dumps(answer, ensure_ascii=False).encode()

    def stream(self, handler, pieces, delay: float) -> None:
        """Write each of ``pieces`` ``delay`` seconds apart, until they run out, the client hangs
        up (a write fails) or STREAM_LIMIT seconds pass."""
        ends = time.monotonic() + STREAM_LIMIT
        for piece in pieces:
            if time.monotonic() > ends or self.closing.is_set():
                return
            handler.wfile.write(piece)
            time.sleep(delay)

    def answer(self, handler, action: str, body: dict) -> None:
        if action.startswith(("big:", "bigstream:")):
            name, n = action.split(":")
            data = self.ok(body)
            data += b" " * (int(n) - len(data))
            handler.send_response(200)
            if name == "big":
                handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
            return
        if action == "flood":
            handler.send_response(200)
            handler.end_headers()
            self.stream(handler, iter(lambda: b" " * 65536, None), 0)
            return
        if action in ("trickle", "trickle-head"):
            data = self.ok(body)
            head = f"HTTP/1.0 200 OK\r\nContent-Length: {len(data)}\r\n\r\n".encode()
            if action == "trickle":
                handler.wfile.write(head)
                head = b""
            self.stream(handler, (bytes([b]) for b in head + data), self.trickle_delay)
            return
        if action == "events":
            handler.send_response(200)
            handler.send_header("Content-Type", "text/event-stream")
            handler.send_header("Transfer-Encoding", "chunked")
            handler.end_headers()
            event = b"data: {\"choices\": [{\"delta\": \"\xe7\x99\xbd\"\n\n"
            self.stream(handler, iter(lambda: b"%x\r\n%s\r\n" % (len(event), event), None), 0.01)
            return
        if action in ("503", "429", "404", "401"):
            handler.send_response(int(action))
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        if action == "slow":
            time.sleep(1.0)
            action = "ok"
        data = {
            "ok": lambda: self.ok(body),
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
