"""The openai backend: any OpenAI-compatible ``/v1/chat/completions`` server (vLLM with
``--lora-modules``, llama.cpp, API models). Each label's path is the model name to ask for.

Rules:

* Only ``http`` and ``https`` base URLs (``file://`` and the like are refused).
* Requests run ``concurrency`` at a time, and each sample is handed back as soon as its answer
  arrives, so the runner saves it before the next one finishes.
* An attempt fails when the server does not answer within ``timeout`` seconds, answers 429 or
  5xx, or answers 200 with a body that is no chat completion: not JSON (an HTML error page, a
  truncated body), ``{"error": …}``, no ``choices``, or a message with no text (``"content":
  null`` or blank). A failed attempt is retried with exponential backoff, ``retries`` times;
  then the sample fails with one error that says what the server last did. An answer with no
  text is never saved.
* After a failure no new request starts; the answers still in flight are saved, then the run
  stops with that error (rerun to retry what is missing).
* The API key is read from an environment variable (``--api-key-env``), sent only in the
  ``Authorization`` header and never printed or written.
"""

from __future__ import annotations

import http.client
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import CancelledError, ThreadPoolExecutor, as_completed
from urllib.parse import urlsplit

from poetbench.jsonl import InputError
from poetbench.sft import SYSTEM

DEFAULT_KEY_ENV = "OPENAI_API_KEY"


class SampleFailed(InputError):
    """One sample got no usable answer after every retry."""


class BadAnswer(Exception):
    """An HTTP 200 whose body is not a chat completion with text."""


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


def answer_text(body: bytes) -> str:
    """The message text of a chat-completion body; BadAnswer says what is wrong with it."""
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
    return content


class OpenAIBackend:
    def __init__(self, base_url: str, concurrency: int = 4, retries: int = 4, timeout: float = 60.0,
                 backoff: float = 0.5, api_key: str | None = None):
        self.url = check_base_url(base_url).rstrip("/") + "/chat/completions"
        self.concurrency, self.retries, self.timeout, self.backoff = concurrency, retries, timeout, backoff
        self._key = api_key

    def __repr__(self) -> str:  # never shows the key
        return f"OpenAIBackend({self.url!r}, concurrency={self.concurrency}, retries={self.retries})"

    def stream(self, checkpoint, items, gen_kwargs, seed) -> Iterator[tuple[int, dict]]:
        """(position in ``items``, sample) as each answer arrives. On the first failed sample no
        new request starts; the answers in flight are still yielded, then SampleFailed."""
        failure = None
        pool = ThreadPoolExecutor(max_workers=self.concurrency)
        try:
            futures = {pool.submit(self._one, checkpoint, item, gen_kwargs, seed): n for n, item in enumerate(items)}
            for future in as_completed(futures):
                try:
                    yield futures[future], future.result()
                except CancelledError:
                    continue
                except SampleFailed as exc:
                    if failure is None:
                        failure = exc
                        for pending in futures:
                            pending.cancel()
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
            output = self._post(body)
        except SampleFailed as exc:
            raise SampleFailed(f"prompt {prompt['id']!r} (sample {index}): {exc}") from None
        return {"output": output, "seconds": time.perf_counter() - started}

    def _post(self, body: dict) -> str:
        data = json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        last = ""
        for attempt in range(self.retries + 1):
            try:
                request = urllib.request.Request(self.url, data=data, headers=headers, method="POST")
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return answer_text(response.read())
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}"
                if exc.code in (401, 403):
                    raise SampleFailed(f"{self.url}: {last}; check the API key (--api-key-env)") from None
                if exc.code != 429 and exc.code < 500:
                    raise SampleFailed(f"{self.url}: {last} for model {body['model']!r}; check the model name") from None
            except BadAnswer as exc:
                last = f"HTTP 200 with {exc}"
            except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as exc:
                last = str(getattr(exc, "reason", None) or exc) or type(exc).__name__
            if attempt < self.retries:
                time.sleep(self.backoff * 2 ** attempt)
        raise SampleFailed(f"{self.url}: no usable answer after {self.retries + 1} tries (last: {last}); "
                           "is the server up? (--timeout, --max-retries)")
