"""The openai backend: any OpenAI-compatible ``/v1/chat/completions`` server (vLLM with
``--lora-modules``, llama.cpp, API models). Each label's path is the model name to ask for.

Requests run ``concurrency`` at a time; a 429 or 5xx answer, or a timeout, is retried with
exponential backoff (``retries`` times), then the sample fails with one clear error.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from poetbench.jsonl import InputError
from poetbench.sft import SYSTEM


class OpenAIBackend:
    def __init__(self, base_url: str, concurrency: int = 4, retries: int = 4, timeout: float = 60.0,
                 backoff: float = 0.5, api_key: str | None = None):
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.concurrency, self.retries, self.timeout, self.backoff = concurrency, retries, timeout, backoff
        self.api_key = api_key

    def generate(self, checkpoint, items, gen_kwargs, seed) -> list[dict]:
        def one(item):
            prompt, index = item
            body = {"model": checkpoint.path, "max_tokens": int(gen_kwargs["max_new_tokens"]),
                    "temperature": gen_kwargs["temperature"], "top_p": gen_kwargs["top_p"], "seed": seed + index,
                    "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt["prompt"]}]}
            started = time.perf_counter()
            answer = self._post(body)
            return {"output": answer["choices"][0]["message"]["content"], "seconds": time.perf_counter() - started}

        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(one, items))

    def _post(self, body: dict) -> dict:
        data = json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        last = ""
        for attempt in range(self.retries + 1):
            try:
                request = urllib.request.Request(self.url, data=data, headers=headers, method="POST")
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read())
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}"
                if exc.code != 429 and exc.code < 500:
                    raise InputError(f"{self.url}: {last} for model {body['model']!r}; check the model name") from None
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                last = str(getattr(exc, "reason", exc))
            if attempt < self.retries:
                time.sleep(self.backoff * 2 ** attempt)
        raise InputError(f"{self.url}: no answer after {self.retries + 1} tries ({last}); is the server up?")
