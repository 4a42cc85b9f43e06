"""Compiled regexes that survive the process: kept with a cached pack, rebuilt in microseconds.

The `regex` module compiles a pattern in Python (parse, optimise, emit code) and hands the
code to its C engine; for a rule with a Phrase and a few sub-patterns that takes 20-200 ms,
which every new process paid again for every rule it used. When rulex compiles a pack it
records the arguments the module passes to its C engine and stores them with the pack in
the cache; a later process gives them straight to the engine. This relies on the module's
internals, so it is keyed on its version (pack.py) and falls back to a normal compile on
any surprise.

The recorded code also outlives edits (`load_store`, `save_store`): it is kept in a signed
entry of the compile cache of its own, by regex, so that compiling a pack again after an edit,
or checking it, rebuilds every regex that did not change from its code and compiles only the
new ones. The store keeps the `STORE_LIMIT` most recently used regexes of all packs.
"""
from __future__ import annotations

import hashlib
import pickle
import sys
import time

import regex

from . import cache

try:
    from regex import _main as _regex_main
except ImportError:  # another layout of the regex package: no recording, normal compiles
    _regex_main = None

VERSION = regex.__version__
RECORDED: dict[tuple[str, int, str], tuple] = {}   # (source, flags, lists) -> the engine's arguments
STORE_LIMIT = 5000  # regexes whose code the store keeps: the most recently used
_LAST_USED: dict[tuple[str, int, str], float] = {}  # key -> when a compile last asked for it
_STORE = {"loaded": False, "changed": False}
# (source, flags, id of the lists) -> the pattern, and the lists, kept so that their id is not reused
_COMPILED: dict[tuple[str, int, int], tuple[regex.Pattern, dict | None]] = {}


def cached_compile(source: str, flags: int, named_lists: dict | None = None) -> regex.Pattern:
    """The compiled pattern, once per process: from recorded code when a cached pack brought it,
    else compiled (and recorded, for the next cached pack). Called for every sentence a rule is
    tried in: the lists (a constant) are looked up by identity, their contents hashed only once."""
    seen = (source, int(flags), id(named_lists))
    found = _COMPILED.get(seen)
    if found is None:
        key = (source, int(flags), _digest(named_lists))
        pattern = from_code(RECORDED.get(key))
        if pattern is None:
            pattern, code = compile_recording(source, flags, named_lists)
            if code is not None:
                RECORDED[key] = code
                _STORE["changed"] = True
        _LAST_USED[key] = time.time()
        found = _COMPILED[seen] = (pattern, named_lists)
    return found[0]


def _digest(named_lists: dict | None) -> str:
    """The named lists' contents, as part of the recorded code's key: the same source with other
    lists is another pattern."""
    if not named_lists:
        return ""
    text = repr(sorted((name, sorted(words)) for name, words in named_lists.items()))
    return hashlib.sha1(text.encode()).hexdigest()


def compile_recording(source: str, flags: int, named_lists: dict | None = None) -> tuple[regex.Pattern, tuple | None]:
    """The compiled pattern, and the engine's arguments to rebuild it later (or None)."""
    engine = getattr(_regex_main, "_regex", None)
    if engine is None:
        return regex.compile(source, flags, ignore_unused=True, **(named_lists or {})), None
    recorded: list[tuple] = []

    class Recorder:
        def __getattr__(self, name):
            return getattr(engine, name)

        def compile(self, *args):
            recorded.append(args)
            return engine.compile(*args)

    _regex_main._regex = Recorder()
    try:
        pattern = regex.compile(source, flags, ignore_unused=True, cache_pattern=False, **(named_lists or {}))
    finally:
        _regex_main._regex = engine
    return pattern, recorded[0] if len(recorded) == 1 and recorded[0][0] == source else None


def from_code(args: tuple | None) -> regex.Pattern | None:
    """The pattern rebuilt from recorded arguments, or None if that is not possible."""
    engine = getattr(_regex_main, "_regex", None)
    if args is None or engine is None:
        return None
    try:
        return engine.compile(*args)
    except Exception:  # noqa: BLE001 - any mismatch: compile from source instead
        return None


def _store_name() -> str:
    """The store's cache entry: one per version of the regex module and of Python. Its name is not
    a compiled pack's, so pruning the packs leaves it (it keeps its own limit, `STORE_LIMIT`)."""
    return "regex-code-" + hashlib.sha256(f"{VERSION} {sys.version}".encode()).hexdigest()[:16] + ".pickle"


def load_store() -> None:
    """Bring the stored code of earlier compiles into `RECORDED` (once a process), if the cache
    holds a store this user's rulex wrote (signed: cache.py)."""
    if _STORE["loaded"]:
        return
    _STORE["loaded"] = True
    with cache.open_entry(_store_name()) as fh:
        if fh is None:
            return
        try:
            stored = pickle.load(fh)
        except Exception:  # noqa: BLE001 - a stale store (a signed one: ours) is written anew
            return
    for key, (args, used) in stored.items():
        RECORDED.setdefault(key, args)
        _LAST_USED.setdefault(key, used)


def save_store() -> None:
    """Keep the code of the regexes this process compiled or used, with the store's others, the
    `STORE_LIMIT` most recently used; written only when a regex was compiled anew."""
    if not _STORE["loaded"] or not _STORE["changed"]:
        return
    kept = sorted((k for k in _LAST_USED if k in RECORDED), key=_LAST_USED.__getitem__, reverse=True)
    payload = {key: (RECORDED[key], _LAST_USED[key]) for key in kept[:STORE_LIMIT]}
    if cache.write_entry(_store_name(), pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)):
        _STORE["changed"] = False

