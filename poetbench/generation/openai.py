"""The openai backend: any OpenAI-compatible ``/v1/chat/completions`` server (vLLM with
``--lora-modules``, llama.cpp, API models). Each label's path is the model name to ask for.

Rules:

* Only ``http`` and ``https`` base URLs (``file://`` and the like are refused).
* Requests run ``concurrency`` at a time, and each sample is handed back as soon as its answer
  arrives, so the runner saves it before the next one finishes.
* ``timeout`` bounds one whole request: connecting, sending, and reading the headers and the
  whole body. At the deadline a watchdog cuts the connection, so a server that trickles bytes
  or streams without end is cut off, not waited on read by read. A sample therefore takes at most
  ``(retries + 1) × timeout`` plus the backoff. (Resolving the host name, and a TLS handshake, are
  bounded per read only.)
* At most ``MAX_ANSWER_BYTES`` (4 MiB) of an answer's body are read, far more than any chat
  completion with a poem in it needs (a few KiB). A body over it, declared in
  ``Content-Length`` or found while reading, is a failed attempt: at most the limit plus one byte
  is read, and nothing of it is kept.
* An attempt fails when the server does not answer in full within ``timeout``, answers 429 or
  5xx, answers over the size limit or cut short, or answers 2xx with a body that is no chat
  completion: not JSON (an HTML error page), ``{"error": …}``, no ``choices``, or a message with
  no text (``"content": null`` or blank). A failed attempt is retried with exponential backoff,
  ``retries`` times; then the sample fails with one error that says what the server last did.
  An answer with no text is never saved. A 401/403 (the key), a redirect (the address) or another
  4xx (the model name) fails at once, with what to fix.
* After a failure no new request starts; the answers still in flight (each done within
  ``timeout``) are saved, then the run stops with that error (rerun to retry what is missing).
* The name of the model that answered (the answer's ``model`` field) is kept with each sample as
  ``served_model``. When it is not the name asked for (a server that serves one model whatever
  it is asked, an alias resolved to a dated version), a warning says so on stderr, once per label.
* The API key is read from an environment variable (``--api-key-env``), sent only in the
  ``Authorization`` header and never printed or written.
* Requests go straight to the base URL: proxy variables (``HTTPS_PROXY``) are not used.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import CancelledError, ThreadPoolExecutor, as_completed
from urllib.parse import urlsplit

from poetbench.jsonl import InputError
from poetbench.sft import SYSTEM

DEFAULT_KEY_ENV = "OPENAI_API_KEY"
MAX_ANSWER_BYTES = 4 * 2**20  # the most of one answer's body that is read (a poem's answer is a few KiB)
READ_CHUNK = 64 * 2**10


class SampleFailed(InputError):
    """One sample got no usable answer after every retry."""


class BadAnswer(Exception):
    """A 2xx whose body is no chat completion with text."""


class TooBig(BadAnswer):
    """A 2xx whose body is over ``max_bytes``."""


def check_base_url(url: str) -> str:
    """``url`` when it is an http(s) URL with a host; an InputError otherwise."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"--base-url {url!r}: give an http:// or https:// server address, "
                         "e.g. http://127.0.0.1:8000/v1")
    return url


def api_key(env: str | None) -> str | None:
    """The API key in environment variable ``env``. The default variable may be unset (a local
    server needs no key); a variable named on purpose must be set."""
    name = env or DEFAULT_KEY_ENV
    key = os.environ.get(name)
    if not key and env and env != DEFAULT_KEY_ENV:
        raise InputError(f"--api-key-env {env}: that environment variable is not set; export it, or drop the option")
    return key or None


def size(n: int) -> str:
    """``n`` bytes for people: 4 MiB, 64 KiB, 900 bytes."""
    for unit, scale in (("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} bytes"


def read_answer(body: bytes) -> tuple[str, str | None]:
    """The message text of a chat-completion body, and the name of the model that answered (None
    when the body names none); BadAnswer says what is wrong with it."""
    try:
        answer = json.loads(body)
    except ValueError:
        start = body[:60].decode("utf-8", "replace").strip()
        raise BadAnswer(f"a body that is not JSON ({start!r}…)" if start else "an empty body") from None
    if not isinstance(answer, dict):
        raise BadAnswer("JSON that is not an object")
    if "error" in answer:
        error = answer["error"]
        message = error.get("message") if isinstance(error, dict) else error
        raise BadAnswer(f"an error: {str(message)[:200]}")
    choices = answer.get("choices")
    if not isinstance(choices, list) or not choices:
        raise BadAnswer("no choices")
    message = choices[0].get("message") if isinstance(choices[0], dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str) or not content.strip():
        raise BadAnswer("a message with no text")
    model = answer.get("model")
    served = model[:200].encode("utf-8", "backslashreplace").decode() if isinstance(model, str) and model.strip() else None
    return content, served


def _declared_length(response: http.client.HTTPResponse) -> int | None:
    """The body's size as the Content-Length header gives it (None: not given, or not a number)."""
    if response.getheader("Transfer-Encoding"):
        return None
    value = (response.getheader("Content-Length") or "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


class OpenAIBackend:
    def __init__(self, base_url: str, concurrency: int = 4, retries: int = 4, timeout: float = 60.0,
                 backoff: float = 0.5, api_key: str | None = None, max_bytes: int = MAX_ANSWER_BYTES):
        self.url = check_base_url(base_url).rstrip("/") + "/chat/completions"
        self.concurrency, self.retries, self.timeout, self.backoff = concurrency, retries, timeout, backoff
        self.max_bytes = max_bytes
        self._key = api_key

    def __repr__(self) -> str:  # never shows the key
        return f"OpenAIBackend({self.url!r}, concurrency={self.concurrency}, retries={self.retries})"

    def stream(self, checkpoint, items, gen_kwargs, seed) -> Iterator[tuple[int, dict]]:
        """(position in ``items``, sample) as each answer arrives. On the first failed sample no
        new request starts; the answers in flight are still yielded, then SampleFailed. The
        first answer from another model than the one asked for is warned about on stderr."""
        failure, warned = None, False
        pool = ThreadPoolExecutor(max_workers=self.concurrency)
        try:
            futures = {pool.submit(self._one, checkpoint, item, gen_kwargs, seed): n for n, item in enumerate(items)}
            for future in as_completed(futures):
                try:
                    sample = future.result()
                except CancelledError:
                    continue
                except SampleFailed as exc:
                    if failure is None:
                        failure = exc
                        for pending in futures:
                            pending.cancel()
                    continue
                served = sample.get("served_model")
                if served is not None and served != checkpoint.path and not warned:
                    warned = True
                    print(f"warning: label {checkpoint.label!r} asked for model {checkpoint.path!r}, and the server "
                          f"answered as {served!r} (kept as served_model in samples.jsonl and run.json)",
                          file=sys.stderr, flush=True)
                yield futures[future], sample
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        if failure is not None:
            raise failure

    def generate(self, checkpoint, items, gen_kwargs, seed) -> list[dict]:
        """Every sample of ``items``, in order (SampleFailed when one fails)."""
        out: list[dict] = [{}] * len(items)
        for position, sample in self.stream(checkpoint, items, gen_kwargs, seed):
            out[position] = sample
        return out

    def _one(self, checkpoint, item, gen_kwargs, seed) -> dict:
        prompt, index = item
        body = {"model": checkpoint.path, "max_tokens": int(gen_kwargs["max_new_tokens"]),
                "temperature": gen_kwargs["temperature"], "top_p": gen_kwargs["top_p"], "seed": seed + index,
                "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt["prompt"]}]}
        started = time.perf_counter()
        try:
            output, served = self._post(body)
        except SampleFailed as exc:
            raise SampleFailed(f"prompt {prompt['id']!r} (sample {index}): {exc}") from None
        sample = {"output": output, "seconds": time.perf_counter() - started}
        return sample | ({"served_model": served} if served is not None else {})

    def _post(self, body: dict) -> tuple[str, str | None]:
        """The answer's text and served model name, retrying failed attempts; SampleFailed."""
        data = json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        last = ""
        for attempt in range(self.retries + 1):
            hint = "is the server up? (--timeout, --max-retries)"  # what to check when this attempt was the last
            try:
                status, location, answer = self._exchange(data, headers)
                if 200 <= status < 300:
                    return read_answer(answer)
                last = f"HTTP {status}"
                if status in (401, 403):
                    raise SampleFailed(f"{self.url}: {last}; check the API key (--api-key-env)")
                if 300 <= status < 400:
                    raise SampleFailed(f"{self.url}: {last}, a redirect to {location[:200] or 'nowhere'!r}; give the "
                                       "server's own address as --base-url")
                if status != 429 and status < 500:
                    raise SampleFailed(f"{self.url}: {last} for model {body['model']!r}; check the model name")
            except TooBig as exc:
                last = f"HTTP 200 with {exc}"
                hint = ("an answer with a poem is a few KiB: is --base-url a chat-completions server, and "
                        "max_new_tokens sane?")
            except BadAnswer as exc:
                last = f"HTTP 200 with {exc}"
            except TimeoutError as exc:
                last = str(exc)
                hint = "is the server up? A slow one needs a higher --timeout (it bounds the whole request)"
            except (OSError, http.client.HTTPException) as exc:
                last = str(exc) or type(exc).__name__
            if attempt < self.retries:
                time.sleep(self.backoff * 2 ** attempt)
        raise SampleFailed(f"{self.url}: no usable answer after {self.retries + 1} tries (last: {last}); {hint}")

    def _exchange(self, data: bytes, headers: dict) -> tuple[int, str, bytes]:
        """One POST within ``timeout`` from connecting to the body's last byte: (status, the
        Location header, the body). The body is read for a 2xx only, at most ``max_bytes`` + 1
        bytes of it. TimeoutError past the deadline; TooBig for a body over the limit;
        ConnectionError for a body cut short of its Content-Length."""
        parts = urlsplit(self.url)
        https = parts.scheme == "https"
        connection = (http.client.HTTPSConnection if https else http.client.HTTPConnection)(
            parts.hostname, parts.port or (443 if https else 80), timeout=self.timeout)
        expired, connected = threading.Event(), []

        def expire():  # cutting the connection ends whatever read or write is blocked on it
            expired.set()
            for sock in connected:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        watchdog = threading.Timer(self.timeout, expire)
        watchdog.daemon = True
        watchdog.start()
        try:
            connection.connect()
            connected.append(connection.sock)  # held here: the connection lets go of it once a response closes it
            if expired.is_set():  # the deadline came while connecting, before there was a socket to cut
                raise TimeoutError
            connection.request("POST", parts.path + (f"?{parts.query}" if parts.query else ""), data, headers)
            response = connection.getresponse()
            if not 200 <= response.status < 300:
                return response.status, response.getheader("Location") or "", b""
            declared = _declared_length(response)
            if declared is not None and declared > self.max_bytes:
                raise TooBig(f"an answer of {size(declared)}, over the {size(self.max_bytes)} limit")
            body = bytearray()
            while len(body) <= self.max_bytes:
                chunk = response.read1(min(READ_CHUNK, self.max_bytes + 1 - len(body)))
                if not chunk:
                    break
                body += chunk
            if expired.is_set():
                raise TimeoutError
            if len(body) > self.max_bytes:
                raise TooBig(f"an answer over the {size(self.max_bytes)} limit")
            if declared is not None and len(body) < declared:
                raise ConnectionError(f"the connection closed {len(body)} bytes into a {declared}-byte answer")
            return response.status, "", bytes(body)
        except (OSError, http.client.HTTPException) as exc:
            if expired.is_set() or isinstance(exc, TimeoutError):
                raise TimeoutError(f"no complete answer within {self.timeout:g} s") from None
            raise
        finally:
            watchdog.cancel()
            connection.close()


def from_settings(settings, checkpoints) -> OpenAIBackend:
    """The backend ``--backend openai`` names (``generation/__init__.py``): the server, its
    concurrency, retries and timeout, and the key from the environment variable named."""
    return OpenAIBackend(settings.base_url, concurrency=settings.concurrency, retries=settings.max_retries,
                         timeout=settings.timeout, api_key=api_key(settings.api_key_env))
