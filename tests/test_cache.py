"""The on-disk table cache: a cached book answers exactly like a freshly built one."""

import pickle
import subprocess
import sys

from poetbench import cache

CODE = "from poetbench.phonology.book import get_book; print(get_book('pingshui').line_tones('遥看瀑布挂前川國破山河在'))"


def test_cached_book_matches_a_fresh_build(tmp_path):
    env = {"POETBENCH_CACHE": str(tmp_path), "PATH": ""}
    first = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True, text=True, check=True)
    assert any(p.name.startswith("book-pingshui-") for p in tmp_path.iterdir())
    second = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True, text=True, check=True)
    assert first.stdout == second.stdout == "PAZZZPPZZPPZ\n"


def test_corrupt_or_unwritable_cache_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("POETBENCH_CACHE", str(tmp_path))
    (tmp_path / "thing-k.pickle").write_bytes(b"not a pickle")
    assert cache.cached("thing", "k", lambda: 42) == 42
    assert pickle.loads((tmp_path / "thing-k.pickle").read_bytes()) == 42
    blocked = tmp_path / "file"
    blocked.write_text("x")
    monkeypatch.setenv("POETBENCH_CACHE", str(blocked / "sub"))  # a path under a file: cannot write
    assert cache.cached("other", "k", lambda: 7) == 7
