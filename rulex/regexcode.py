"""Compiled regexes that survive the process: kept with a cached pack, rebuilt in microseconds.

The `regex` module compiles a pattern in Python (parse, optimise, emit code) and hands the
code to its C engine; for a rule with a Phrase and a few sub-patterns that takes 20-200 ms,
which every new process paid again for every rule it used. When rulex compiles a pack it
records the arguments the module passes to its C engine and stores them with the pack in
the cache; a later process gives them straight to the engine. This relies on the module's
internals, so it is keyed on its version (pack.py) and falls back to a normal compile on
any surprise.

The recorded code also outlives edits (`load_store`, `save_store`): it is kept in a store of
the compile cache (memo.py), by regex, so that compiling a pack again after an edit, or
checking it, rebuilds every regex that did not change from its code and compiles only the
new ones.

Why not a supported mechanism: `regex` has none. Pickling a compiled pattern stores its source
and compiles it again on load, and the module offers no hook between its parser and its engine.
Incremental compilation does not make this unneeded either: a cached pack still has to turn
each rule's source into a pattern in every new process, and parsing the conflict pack's
patterns takes seconds, rebuilding them from code milliseconds. So the one call into the
module's internals is kept small and safe: the swap is made under a lock (compiles in other
threads go through the recorder unrecorded, and the engine is always put back), any other
layout or version of the module falls back to a normal compile, and the recorded code is keyed
on the module's version.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import sys
import threading
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import regex

from . import memo
from .view import NAMED_LISTS

_regex_main: Any  # the module's internals: untyped, and only ever read through getattr or swapped
try:
    from regex import _main as _regex_main
except ImportError:  # another layout of the regex package: no recording, normal compiles
    _regex_main = None

FLAGS = regex.IGNORECASE | regex.VERSION0  # every rule's regex: case-insensitive, the module's own syntax
VERSION = regex.__version__
RECORDED: dict[tuple[str, int, str], tuple] = {}   # (source, flags, lists) -> the engine's arguments
# the code of the 5,000 most recently used regexes, kept across edits and processes
STORE = memo.Store("regex-code", f"{VERSION} {sys.version}", limit=5000)
_SWAP = threading.Lock()  # one recording at a time: each puts back the engine it found
# (source, flags, id of the lists) -> the pattern, and the lists, kept so that their id is not reused
_COMPILED: dict[tuple[str, int, int], tuple[regex.Pattern, dict | None]] = {}


def compiled_regex(source: str) -> regex.Pattern:
    """A rule's compiled pattern (FLAGS, the view's named lists), once per process; from recorded
    code with a cached pack."""
    return cached_compile(source, FLAGS, NAMED_LISTS)


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
                STORE.put(key, code)
        else:
            STORE.touch(key)
        found = _COMPILED[seen] = (pattern, named_lists)
    return found[0]


PARALLEL_FROM = 12  # regexes to compile from source, from which worker processes share the work


@dataclass(frozen=True)
class Refused:
    """Why the engine refused a regex: its message, and whether it was nested too deeply for Python."""
    message: str
    too_deep: bool = False


def compile_all(sources: Iterable[str]) -> dict[str, Refused]:
    """Compile every source (`compiled_regex`), and say why the engine refuses those it refuses.
    The regex module compiles in Python, one core at a time: when many sources are new, worker
    processes compile them and send back their recorded code, which this process rebuilds them
    from. Workers are forked, so only from a process with no other thread (a fork copies one
    thread, and maybe a lock another one held)."""
    lists = _digest(NAMED_LISTS)
    todo = sorted({s for s in sources if (s, int(FLAGS), lists) not in RECORDED}, key=len, reverse=True)
    refused: dict[str, Refused] = {}
    workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 4)
    if (len(todo) >= PARALLEL_FROM and workers > 1 and threading.active_count() == 1 and _regex_main is not None
            and "fork" in multiprocessing.get_all_start_methods()):
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for source, code, error in pool.map(_recorded, todo):
                if error is not None:
                    refused[source] = error
                elif code is not None:
                    key = (source, int(FLAGS), lists)
                    RECORDED[key] = code
                    STORE.put(key, code)
    for source in todo:
        if source not in refused:
            try:
                compiled_regex(source)
            except (regex.error, OverflowError) as err:
                refused[source] = Refused(str(err))
            except RecursionError as err:
                refused[source] = Refused(str(err), too_deep=True)
    return refused


def _recorded(source: str) -> tuple[str, tuple | None, Refused | None]:
    """In a worker process: the source, its recorded code (or None), and why it does not compile (or None)."""
    try:
        return source, compile_recording(source, FLAGS, NAMED_LISTS)[1], None
    except (regex.error, OverflowError) as err:
        return source, None, Refused(str(err))
    except RecursionError as err:
        return source, None, Refused(str(err), too_deep=True)


def _digest(named_lists: dict | None) -> str:
    """The named lists' contents, as part of the recorded code's key: the same source with other
    lists is another pattern."""
    if not named_lists:
        return ""
    text = repr(sorted((name, sorted(words)) for name, words in named_lists.items()))
    return hashlib.sha1(text.encode()).hexdigest()


def compile_recording(source: str, flags: int, named_lists: dict | None = None) -> tuple[regex.Pattern, tuple | None]:
    """The compiled pattern, and the engine's arguments to rebuild it later (or None)."""
    if getattr(_regex_main, "_regex", None) is None:
        return regex.compile(source, flags, ignore_unused=True, **(named_lists or {})), None
    recorded: list[tuple] = []
    with _SWAP:
        engine = _regex_main._regex

        class Recorder:
            """The engine, with its `compile` calls noted (another thread's compile is noted too,
            which makes the recording unusable, never wrong: see the length check below)."""
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


def load_store() -> None:
    """Bring the stored code of earlier compiles into `RECORDED` (read once a process)."""
    for key, code in STORE.load().items():
        RECORDED.setdefault(key, code)


def save_store() -> None:
    """Keep the code of the regexes compiled since, with the store's others (memo.py)."""
    STORE.save()
