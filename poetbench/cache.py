"""A small on-disk cache for tables that take a while to build (the rhyme books).

Rules:

* Entries live under ``$POETBENCH_CACHE`` (default ``~/.cache/poetbench``), keyed by a hash of
  what they were built from: poetbench's version, the source of the modules that build them,
  and the versions of the packages whose data they read. A change to any of these builds a
  fresh entry, and the entries of older keys are removed.
* An entry is one ``.npz`` file: the value's numpy arrays, plus a JSON description of the rest
  (numbers, strings, lists, tuples, sets, dicts). Nothing is unpickled: arrays load with
  ``allow_pickle=False``, and the only objects a file can create are instances of the classes
  (and references to the functions) marked ``@storable``, rebuilt by setting their attributes
  — no constructor or other code runs. A cache directory someone else can write to can at
  worst give wrong tables, never run code.
* Large tables go into arrays rather than JSON, to load fast: a dict of words to integers
  (keys joined in one UTF-8 array), and a dict of words to integer tuples (the same, shortest
  tuples first: it comes back equal, in another order).
* Writes are atomic; an unwritable, corrupt or foreign entry is ignored (and rebuilt), never fatal.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

import numpy as np
import orjson

from poetbench import tempfiles

T = TypeVar("T")
SUFFIX = ".npz"
_STATE = "__state__"  # the JSON description, stored as a uint8 array beside the value's arrays
_STORABLE: dict[str, object] = {}


def storable(thing):
    """Decorator: instances of this class (or this function, as an attribute) may be stored."""
    _STORABLE[f"{thing.__module__}:{thing.__qualname__}"] = thing
    return thing


def cache_dir() -> Path:
    return Path(os.environ.get("POETBENCH_CACHE") or Path.home() / ".cache" / "poetbench")


def fingerprint(sources: list[Path], packages: list[str]) -> str:
    """A short hash of source files' contents and installed package versions."""
    from poetbench import __version__

    digest = hashlib.sha256(__version__.encode())
    for path in sorted(sources):
        digest.update(path.read_bytes())
    for package in packages:
        digest.update(f"{package}={metadata.version(package)}".encode())
    return digest.hexdigest()[:16]


class _Foreign(ValueError):
    """An entry that describes something this codec does not make."""


_PLAIN = (str, int, float, bool, type(None))


def _array(values: list[int], arrays: list[np.ndarray]) -> int:
    arrays.append(np.array(values, dtype=np.int64))
    return len(arrays) - 1


def _text_array(keys: list[str], arrays: list[np.ndarray]) -> int:
    arrays.append(np.frombuffer("\n".join(keys).encode("utf-8", "surrogatepass"), dtype=np.uint8))
    return len(arrays) - 1


def _keys(arrays, index: int) -> list[str]:
    return arrays[f"a{index}"].tobytes().decode("utf-8", "surrogatepass").split("\n")


def _int_tuples(flat: np.ndarray, sizes: np.ndarray) -> list[tuple[int, ...]]:
    """The tuples laid end to end in ``flat``, ``sizes`` long and stored shortest first (one
    2-D block per size, turned into tuples by ``zip`` without a Python loop per tuple)."""
    out, start = [], 0
    for size, count in zip(*(part.tolist() for part in np.unique(sizes, return_counts=True))):
        block = flat[start:start + size * count].reshape(count, size)
        out.extend(zip(*block.T.tolist()) if size else [()] * count)
        start += size * count
    return out


def _encode(value, arrays: list[np.ndarray]):
    """``value`` as JSON data, its arrays appended to ``arrays``."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is np.ndarray:
        if value.dtype.hasobject:
            raise TypeError("object arrays cannot be stored")
        arrays.append(value)
        return {"@": "array", "i": len(arrays) - 1}
    if isinstance(value, np.generic):
        arrays.append(np.asarray(value))
        return {"@": "scalar", "i": len(arrays) - 1}
    if kind in (list, tuple, set, frozenset) and all(type(v) in _PLAIN for v in value):
        return {"@": kind.__name__, "plain": sorted(value) if kind in (set, frozenset) else list(value)}
    if kind in (list, tuple, set, frozenset):
        items = sorted(value) if kind in (set, frozenset) else value
        return {"@": kind.__name__, "v": [_encode(v, arrays) for v in items]}
    if kind is dict and all(type(k) is str for k in value):
        values = list(value.values())
        if value and all(type(v) is int and -2**63 <= v < 2**63 for v in values) and not any("\n" in k for k in value):
            return {"@": "dict", "keys": _text_array(list(value), arrays), "ints": _array(values, arrays)}
        if value and all(type(v) is tuple and all(type(x) is int and -2**63 <= x < 2**63 for x in v) for v in values) \
                and not any("\n" in k for k in value):  # word -> tones: shortest tuples first, as flat arrays
            items = sorted(value.items(), key=lambda item: len(item[1]))  # (the same items, in another order)
            return {"@": "dict", "keys": _text_array([k for k, _ in items], arrays),
                    "flat": _array([x for _, v in items for x in v], arrays), "sizes": _array([len(v) for _, v in items], arrays)}
        if all(type(v) in _PLAIN for v in values):
            return {"@": "dict", "plain": value}
        if all(type(v) is tuple and all(type(x) in _PLAIN for x in v) for v in values):
            return {"@": "dict", "keys": list(value), "tuples": [list(v) for v in values]}
        return {"@": "dict", "keys": list(value), "v": [_encode(v, arrays) for v in values]}
    if kind is dict:
        return {"@": "dict", "k": [_encode(k, arrays) for k in value], "v": [_encode(v, arrays) for v in value.values()]}
    name = f"{getattr(value, '__module__', '')}:{getattr(value, '__qualname__', '')}"
    if callable(value) and _STORABLE.get(name) is value:
        return {"@": "function", "name": name}
    name = f"{kind.__module__}:{kind.__qualname__}"
    if _STORABLE.get(name) is not kind:
        raise TypeError(f"{name} is not marked @storable")
    state = dict(getattr(value, "__dict__", {}))
    for slot in getattr(kind, "__slots__", ()):
        if hasattr(value, slot):
            state[slot] = getattr(value, slot)
    out = {"@": "object", "class": name, "state": {k: _encode(v, arrays) for k, v in state.items()}}
    if isinstance(value, dict):
        out["items"] = _encode(dict(value), arrays)
    return out


def _decode(data, arrays):
    if type(data) is not dict:
        return data
    tag = data.get("@")
    if tag in ("array", "scalar"):
        array = arrays[f"a{data['i']}"]
        return array if tag == "array" else array[()]
    if "plain" in data:
        plain = data["plain"]
        return plain if tag in ("list", "dict") else {"tuple": tuple, "set": set, "frozenset": frozenset}[tag](plain)
    if tag in ("list", "tuple", "set", "frozenset"):
        return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[tag](_decode(v, arrays) for v in data["v"])
    if tag == "dict" and "ints" in data:
        return dict(zip(_keys(arrays, data["keys"]), arrays[f"a{data['ints']}"].tolist()))
    if tag == "dict" and "flat" in data:
        return dict(zip(_keys(arrays, data["keys"]), _int_tuples(arrays[f"a{data['flat']}"], arrays[f"a{data['sizes']}"])))
    if tag == "dict" and "tuples" in data:
        return dict(zip(data["keys"], map(tuple, data["tuples"])))
    if tag == "dict":
        keys = data["keys"] if "keys" in data else [_decode(k, arrays) for k in data["k"]]
        return dict(zip(keys, (_decode(v, arrays) for v in data["v"])))
    thing = _STORABLE.get(data.get("name") or data.get("class"))
    if tag == "function" and thing is not None and not isinstance(thing, type):
        return thing
    if tag == "object" and isinstance(thing, type):
        value = thing.__new__(thing)
        if "items" in data:
            dict.update(value, _decode(data["items"], arrays))
        for key, item in data["state"].items():
            object.__setattr__(value, key, _decode(item, arrays))
        return value
    raise _Foreign(f"cannot make {data!r:.80}")


def save(path: Path, value) -> None:
    """Write ``value`` to ``path`` (atomic)."""
    arrays: list[np.ndarray] = []
    state = orjson.dumps(_encode(value, arrays))
    fd, tmp = tempfiles.create(path)
    try:
        with os.fdopen(fd, "wb") as stream:
            np.savez(stream, **{_STATE: np.frombuffer(state, dtype=np.uint8)},
                     **{f"a{n}": array for n, array in enumerate(arrays)})
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    tempfiles.remove_stale(path)


def load(path: Path):
    """The value stored at ``path``; OSError or ValueError when it is missing or not an entry."""
    with np.load(path, allow_pickle=False) as arrays:
        return _decode(orjson.loads(arrays[_STATE].tobytes()), arrays)


def cached(name: str, key: str, build: Callable[[], T]) -> T:
    """``build()``, or its result stored under ``name`` and ``key`` by an earlier call."""
    path = cache_dir() / f"{name}-{key}{SUFFIX}"
    try:
        return load(path)
    except (OSError, ValueError, KeyError, IndexError, TypeError, zipfile.BadZipFile):  # orjson's errors are ValueErrors
        pass  # not there, or not a readable entry: build it anew
    value = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        save(path, value)
        for stale in [*path.parent.glob(f"{name}-*{SUFFIX}"), *path.parent.glob(f"{name}-*.pickle")]:
            if stale != path:  # entries of older keys, and the pickles earlier versions wrote
                stale.unlink(missing_ok=True)
    except OSError:  # a read-only home or a full disk: work without the cache
        pass
    return value
