"""The on-disk table cache: a cached table answers exactly like a freshly built one, and a cache
directory someone else wrote into can never run code."""

import io
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from poetbench import cache

CODE = "from poetbench.phonology.book import get_book; print(get_book('{book}').line_tones('遥看瀑布挂前川國破山河在'))"


@pytest.mark.parametrize("book,tones", [("pingshui", "PAZZZPPZZPPZ"), ("xinyun", "PZZZZPPPZPPZ")])
def test_cached_book_matches_a_fresh_build(tmp_path, book, tones):
    env = {"POETBENCH_CACHE": str(tmp_path), "PATH": ""}
    run = [sys.executable, "-c", CODE.format(book=book) + "; print(get_book('{book}').level_groups('東'), "
           "sorted(get_book('{book}').neighbours(get_book('{book}').level_groups('東')[0])))".format(book=book)]
    first = subprocess.run(run, env=env, capture_output=True, text=True, check=True)
    assert [p.suffix for p in tmp_path.iterdir() if p.name.startswith(f"book-{book}-")] == [".npz"]
    second = subprocess.run(run, env=env, capture_output=True, text=True, check=True)
    assert first.stdout == second.stdout and first.stdout.startswith(tones + "\n")


@cache.storable
class _Table:
    def __init__(self):
        self.codes = np.arange(5, dtype=np.uint8)
        self.shift = np.uint64(7)
        self.words = {"见长": (4, 3), "長安": (2, 1)}
        self.groups = frozenset({"東", "冬"})
        self.nested = [(1, "a"), {3: None}]


def test_every_kind_of_value_comes_back_as_it_was(tmp_path, monkeypatch):
    monkeypatch.setenv("POETBENCH_CACHE", str(tmp_path))
    built = cache.cached("table", "k", _Table)
    back = cache.load(tmp_path / "table-k.npz")
    assert type(back) is _Table and vars(back).keys() == vars(built).keys()
    assert back.codes.tolist() == [0, 1, 2, 3, 4] and back.codes.dtype == np.uint8
    assert back.shift == np.uint64(7) and type(back.shift) is np.uint64
    assert back.words == built.words and back.groups == built.groups and back.nested == built.nested


class _NotMarked:
    pass


def test_a_class_not_marked_storable_is_never_stored(tmp_path, monkeypatch):
    monkeypatch.setenv("POETBENCH_CACHE", str(tmp_path))
    with pytest.raises(TypeError, match="not marked @storable"):
        cache.save(tmp_path / "x.npz", _NotMarked())


class _Boom:
    """Unpickling this touches a file: the proof that a pickle ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_planted_entries_run_no_code_and_are_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("POETBENCH_CACHE", str(tmp_path))
    marker = tmp_path / "pwned"
    import pickle

    (tmp_path / "thing-k.pickle").write_bytes(pickle.dumps(_Boom(str(marker))))  # the format before 0.5
    payload = io.BytesIO()
    np.savez(payload, __state__=np.frombuffer(b'{"@": "array", "i": 0}', dtype=np.uint8),
             a0=np.array([_Boom(str(marker))], dtype=object))  # an object array: a pickle inside the .npz
    (tmp_path / "thing-k.npz").write_bytes(payload.getvalue())
    assert cache.cached("thing", "k", lambda: [1, 2]) == [1, 2]
    (tmp_path / "other-k.npz").write_bytes(_npz(b'{"@": "object", "class": "subprocess:Popen", "state": {}}'))
    assert cache.cached("other", "k", lambda: 3) == 3  # a class that is not @storable: refused, rebuilt
    assert not marker.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other-k.npz", "thing-k.npz"]  # the pickle is gone too


def _npz(state: bytes) -> bytes:
    out = io.BytesIO()
    np.savez(out, __state__=np.frombuffer(state, dtype=np.uint8))
    return out.getvalue()


def test_corrupt_or_unwritable_cache_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("POETBENCH_CACHE", str(tmp_path))
    (tmp_path / "thing-k.npz").write_bytes(b"not an npz")
    assert cache.cached("thing", "k", lambda: 42) == 42
    assert cache.load(tmp_path / "thing-k.npz") == 42
    with zipfile.ZipFile(tmp_path / "thing-k.npz", "w") as broken:
        broken.writestr("__state__.npy", b"\x93NUMPY truncated")
    assert cache.cached("thing", "k", lambda: 43) == 43
    blocked = tmp_path / "file"
    blocked.write_text("x")
    monkeypatch.setenv("POETBENCH_CACHE", str(blocked / "sub"))  # a path under a file: cannot write
    assert cache.cached("other", "k", lambda: 7) == 7
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".poetbench-tmp")] and os.access(tmp_path, os.W_OK)
