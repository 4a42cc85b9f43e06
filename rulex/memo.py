"""Stores of work done before, kept across edits of a pack: the edit loop (issue 19).

A pack is compiled anew whenever one of its files changes, but most of the work does not
change with one edit: the lexicons that were not edited read the same, and the regexes of
the rules that were not edited compile to the same code. A `Store` keeps such results, by a
key that names everything they depend on, in one entry of the compile cache (cache.py: this
user's, signed, written atomically). It is read at most once a process and written once, if
something was added; it keeps its `limit` most recently used results. Entry names are not
those of compiled packs, so pruning the packs leaves the stores alone.
"""
from __future__ import annotations

import functools
import hashlib
import pickle
import time
from pathlib import Path
from typing import Any

from . import __version__, cache


class Store:
    """Results by key, kept in the cache entry `<name>-<version digest>.pickle`."""

    def __init__(self, name: str, version: str, limit: int):
        self.entry = f"{name}-{hashlib.sha256(version.encode()).hexdigest()[:16]}.pickle"
        self.limit = limit
        self.values: dict[Any, Any] = {}
        self.used: dict[Any, float] = {}   # key -> when it was last put or asked for
        self.loaded = False
        self.changed = False
        self._last = 0.0  # the last time given by `_tick`

    def _tick(self) -> float:
        """Now, and later than any time given before in this process: results used one after the
        other keep their order even within one step of the clock."""
        self._last = max(time.time(), self._last + 1e-6)
        return self._last

    def load(self) -> dict[Any, Any]:
        """The stored results (read from the cache the first time: nothing if it holds none)."""
        if self.loaded:
            return self.values
        self.loaded = True
        with cache.open_entry(self.entry) as fh:
            if fh is None:
                return self.values
            try:
                stored = pickle.load(fh)
            except Exception:  # noqa: BLE001 - a stale store (a signed one: ours) is written anew
                return self.values
        for key, (value, used) in stored.items():
            self.values.setdefault(key, value)
            self.used.setdefault(key, used)
        return self.values

    def get(self, key: Any) -> Any:
        """The result kept for `key`, or None."""
        found = self.load().get(key)
        if found is not None:
            self.used[key] = self._tick()
        return found

    def put(self, key: Any, value: Any) -> None:
        """Keep `value` for `key`. A process that puts many (`rulex serve`: a compile on every
        edit) keeps no more than twice `limit` in memory: the least recently used go."""
        self.values[key] = value
        self.used[key] = self._tick()
        self.changed = True
        if len(self.values) > 2 * self.limit:
            self.load()  # what the cache holds is counted too, before some of it is let go
            for old in sorted(self.values, key=lambda k: self.used.get(k, 0.0))[:len(self.values) - self.limit]:
                del self.values[old]
                self.used.pop(old, None)

    def touch(self, key: Any) -> None:
        """`key` was used (to keep it among the most recent when the store is written)."""
        self.used[key] = self._tick()

    def save(self) -> None:
        """Write the store if something was put since it was read."""
        if not self.changed:
            return
        self.load()  # what other processes kept stays, but for the least recently used
        kept = sorted((k for k in self.used if k in self.values), key=self.used.__getitem__, reverse=True)
        payload = {key: (self.values[key], self.used[key]) for key in kept[:self.limit]}
        if cache.write_entry(self.entry, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)):
            self.changed = False


@functools.cache
def code_version() -> str:
    """This rulex: its version and its modules' sizes and times (a changed rulex works anew)."""
    digest = hashlib.sha256(__version__.encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):
        stat = module.stat()
        digest.update(f"{module.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()

