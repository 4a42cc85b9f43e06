"""The Python API: load a pack (cached), extract matches from text.

    import rulex
    pack = rulex.load("rules/conflict")
    for m in pack.extract(text, doc_id="a1", date="2020-01-08"):
        print(m.type, m.args["attacker"].value, m.provenance.rule_file, m.provenance.rule_line)
"""
from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import gc
import hashlib
import os
import pickle
import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from . import ast, memo, regexcode
from .ast import grammar_text
from .builtins import BUILTINS
from .builtins import _parser as builtin_parser
from .cache import open_entry, write_entry
from .compiler import CompiledRule, compile_links, compile_pack
from .diagnostics import Diagnostic, DiagnosticBag
from .document import Document, parse_date
from .errors import RulexError
from .loader import LoadedPack, pack_files
from .loader import load as load_files
from .match import DocResult, Match
from .matcher import match_document
from .program import AliasIndex, Program, alias_index, build_program, pack_digest, used_lexicons
from .regexcode import compiled_regex
from .resolve import ResolvedPack, resolve
from .source import SourceFile, text_digest

PathLike = str | os.PathLike[str]


class Pack:
    """A compiled rule pack, ready to run over documents."""

    def __init__(self, program: Program, diagnostics: tuple[Diagnostic, ...] = ()):
        self.program = program
        self.diagnostics = diagnostics  # warnings found when compiling

    @property
    def name(self) -> str:
        return self.program.manifest.name

    @property
    def version(self) -> str:
        return self.program.manifest.version

    @property
    def digest(self) -> str:
        """A SHA-256 of the pack's files (names within the pack and texts): any edit changes it."""
        return self.program.digest

    @property
    def rules(self) -> tuple[CompiledRule, ...]:
        return self.program.rules

    def process(self, document: Document, rules: set[int] | None = None, profile: bool = False) -> DocResult:
        """Matches and problems (e.g. a rule that timed out) for one document; `rules`: the
        indices of the rules to run (default: every rule that runs on its own); `profile`: also
        what each rule cost."""
        return match_document(self.program, document, rules, profile)

    def extract(self, text: str, doc_id: str = "doc", date: dt.date | str | None = None) -> list[Match]:
        """Every match in `text`; relative dates resolve against `date`. A problem (a rule that ran
        out of time on a sentence) is a `RuntimeWarning`; `process()` returns them as data."""
        if isinstance(date, str):
            date = parse_date(date)
        result = self.process(Document(doc_id, text, date))
        for problem in result.problems:
            warnings.warn(f"{doc_id}: {problem.message} [{problem.code}]", RuntimeWarning, stacklevel=2)
        return list(result.matches)


def check(paths: PathLike | Iterable[PathLike], cache: bool = True) -> tuple[list[Diagnostic], dict[str, SourceFile]]:
    """Every diagnostic of a pack (errors and warnings) and the sources they point into; with
    `cache`, the regexes that did not change since an earlier compile are rebuilt from their code
    (regexcode.py)."""
    bag = DiagnosticBag()
    _compile(_as_paths(paths), bag, cache)
    return bag.sorted(), bag.sources


def load(paths: PathLike | Iterable[PathLike], cache: bool = True, freeze: bool = False,
         write_behind: bool = False) -> Pack:
    """Load and compile a pack (a directory with pack.yaml, or rule files); raise RulexError on errors.

    `freeze`, for a pack that lives as long as the process: its objects are moved out of the
    garbage collector's sight (`gc.freeze`), so that it does not walk them again and again while
    documents are matched, nor once right after loading (~0.1 s for the conflict pack).
    `write_behind` (the CLI): a pack compiled anew is written to the cache by a forked child
    process while this one goes on, and this process waits for it when it exits."""
    paths = _as_paths(paths)
    entry = _cache_entry(paths) if cache else None
    if entry is not None:
        cached = _from_cache(entry, freeze)
        if cached is not None:
            return cached
    bag = DiagnosticBag()
    before = set(regexcode.RECORDED)
    program = _compile(paths, bag, cache)
    if bag.errors or program is None:
        raise RulexError(bag.sorted(), bag.sources)
    found = tuple(bag.warnings)
    if entry is not None:
        _to_cache(entry, program, found, before, write_behind)
    if freeze:
        gc.collect()  # compiling left garbage: not to be kept for ever
        gc.freeze()
    return Pack(program, found)


def _from_cache(entry: str, freeze: bool) -> Pack | None:
    """The pack kept in the cache entry, if this user's rulex wrote it (signed: cache.py)."""
    with open_entry(entry) as fh:
        if fh is None:
            return None
        try:
            with _no_gc(freeze):
                program, found, code = pickle.load(fh)
        except Exception:  # noqa: BLE001 - a stale entry (a signed one: ours) is rebuilt
            return None
    regexcode.RECORDED.update(code)  # the regexes rebuild from their recorded code (regexcode.py)
    return Pack(program, found)


def to_payload(pack: Pack) -> bytes:
    """The pack as bytes for another process to load without compiling (`from_payload`): its
    program, warnings and the recorded code of its regexes, as a cache entry holds them. For
    processes of one run (`rulex run --jobs`, Dask workers), never for storage: it is a pickle."""
    _compile_builtins(pack.program)  # a pack compiled without the cache has not compiled them yet
    used = _regex_sources(pack.program)
    code = {key: args for key, args in regexcode.RECORDED.items() if key[0] in used}
    return pickle.dumps((pack.program, pack.diagnostics, code), protocol=pickle.HIGHEST_PROTOCOL)


def from_payload(payload: bytes, freeze: bool = False) -> Pack:
    """The pack `to_payload` made, its regexes rebuilt from their code (never compiled)."""
    with _no_gc(freeze):
        program, found, code = pickle.loads(payload)
    regexcode.RECORDED.update(code)
    return Pack(program, found)


def _to_cache(entry: str, program: Program, found: tuple[Diagnostic, ...], before: set[Any], behind: bool = False) -> None:
    """Keep the compiled pack, with the code of the regexes it compiles (regexcode.py); with
    `behind`, in a child process where that is safe (`_write_behind`)."""
    _compile_builtins(program)
    regexcode.save_store()  # with the built-in types' code: an edit of a rule does not compile them again
    used = _regex_sources(program)
    code = {key: args for key, args in regexcode.RECORDED.items() if key[0] in used or key not in before}

    def write() -> None:
        write_entry(entry, pickle.dumps((program, found, code), protocol=pickle.HIGHEST_PROTOCOL))

    if not (behind and _write_behind(write)):
        write()


_WRITERS: list[int] = []  # the child processes writing cache entries, waited for when this one exits


def _write_behind(write: Callable[[], None]) -> bool:
    """Run `write` in a forked child process and go on: a pack of 26 MB takes ~0.4 s to pickle and
    write, which `rulex test` spends running the examples meanwhile, on the other core. False,
    having done nothing, where a fork is not safe: no fork, or another thread running (a fork
    copies one thread, and maybe a lock another one held)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    _reap_writers()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: write, and leave without running this process's exit handlers
        status = 1
        try:
            write()
            status = 0
        finally:
            os._exit(status)
    if not _WRITERS:
        atexit.register(wait_for_cache_writes)
    _WRITERS.append(pid)
    return True


def _reap_writers() -> None:
    """Forget the writers that are done (a process that loads many packs keeps no zombies)."""
    for pid in list(_WRITERS):
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(pid, os.WNOHANG)[0] == 0:
                continue  # still writing
        _WRITERS.remove(pid)


def wait_for_cache_writes() -> None:
    """Wait for the cache entries being written (`_write_behind`): at exit, so that the next command
    finds them whole, and before starting worker processes that load the pack from the cache."""
    for pid in _WRITERS:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    _WRITERS.clear()


def _compile_builtins(program: Program) -> None:
    """Compile the built-in types' regexes the program's rules use, so that their recorded code
    travels with the pack (a cache entry, a payload) and no later process compiles them."""
    for name in {b for rule in program.rules for b in rule.builtins}:
        compiled_regex(BUILTINS[name].pattern)
        builtin_parser(BUILTINS[name].parser)


@contextlib.contextmanager
def _no_gc(freeze: bool = False) -> Iterator[None]:
    """The garbage collector paused: unpickling a pack makes hundreds of thousands of objects
    and no garbage, and the collections it would trigger take a third of the load time. With
    `freeze`, the objects made meanwhile are moved out of its sight before it resumes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()


def _regex_sources(program: Program) -> set[str]:
    """The sources of the regexes a run of the program compiles: rules, finders, built-in types."""
    sources = {s for rule in program.rules for s in (rule.source, rule.finder) if s}
    for name in {b for rule in program.rules for b in rule.builtins}:
        sources.add(BUILTINS[name].pattern)
        sources.add(BUILTINS[name].parser)
    return sources


def resolve_pack(paths: PathLike | Iterable[PathLike]) -> ResolvedPack:
    """The pack's rules with names resolved, before compiling (for `explain` and `inspect`)."""
    bag = DiagnosticBag()
    loaded = load_files(_as_paths(paths), bag)
    bag.sources = loaded.sources
    resolved = resolve(loaded, bag)
    if bag.errors:
        raise RulexError(bag.sorted(), bag.sources)
    return resolved


def compile_regexes(paths: PathLike | Iterable[PathLike]) -> dict[str, str]:
    """Each rule's generated regex source, by rule id (for debugging: `rulex inspect --stage regex`)."""
    return {rule.id: rule.source for rule in load(paths, cache=False).rules}


# The alias index of a pack's lexicons (program.AliasIndex), by their content and which are used:
# an edit of a rule does not build the scanner of 48,000 aliases again (the edit loop, issue 19).
ALIASES = memo.Store("aliases", memo.code_version(), limit=2)  # type: ignore[has-type]  # an import cycle
ALIASES_WORTH_KEEPING = 200_000  # characters of lexicon files: smaller ones index in milliseconds


def _alias_index(loaded: LoadedPack, compiled: list[CompiledRule]) -> AliasIndex:
    """The alias index of the loaded pack's lexicons, from the store when they did not change."""
    used = frozenset(used_lexicons(loaded.manifest, compiled, loaded.lexicons))
    if sum(len(loaded.sources[lexicon.file].text) for lexicon in loaded.lexicons) < ALIASES_WORTH_KEEPING:
        return alias_index(loaded.lexicons, used)
    texts = hashlib.sha256()
    for lexicon in loaded.lexicons:
        texts.update(f"{lexicon.file}\0{text_digest(loaded.sources[lexicon.file].text)}\0".encode())
    key = (texts.hexdigest(), tuple(sorted(used)), os.environ.get("RULEX_SCANNER", ""))
    found: AliasIndex | None = ALIASES.get(key)
    if found is None:
        found = alias_index(loaded.lexicons, used)
        ALIASES.put(key, found)
        ALIASES.save()
    return found


def _compile(paths: list[Path], bag: DiagnosticBag, cache: bool = False) -> Program | None:
    """The pack compiled; with `cache`, what did not change since an earlier compile (lexicons,
    their alias index, the code of regexes) comes from the stores of memo.py."""
    loaded = load_files(paths, bag, memoised=cache)
    bag.sources = loaded.sources
    resolved = resolve(loaded, bag)
    if bag.errors:
        return None
    if cache:
        regexcode.load_store()
    compiled = compile_pack(resolved, memoised=cache)
    if cache:
        regexcode.save_store()
    note_unanchored(compiled, resolved.rules, bag)
    return build_program(loaded.manifest, compiled, loaded.lexicons, compile_links(resolved),
                         _alias_index(loaded, compiled) if cache else None, digest=pack_digest(loaded.sources))


def note_unanchored(compiled: list[CompiledRule], rules: tuple[ast.Rule, ...], bag: DiagnosticBag) -> None:
    """RX603 for each rule that runs on its own and has no anchor: it is tried on every sentence."""
    for rule, source in zip(compiled, rules):
        if rule.standalone and rule.anchors is None:
            bag.add("RX603", f"rule `{source.id}` has no required word or lexicon type, so it is tried on "
                    "every sentence", source.span, "fine for a few rules; many such rules slow a run down")


def _as_paths(paths: PathLike | Iterable[PathLike]) -> list[Path]:
    if isinstance(paths, (str, os.PathLike)):
        return [Path(paths)]
    return [Path(p) for p in paths]


def _cache_entry(paths: list[Path]) -> str | None:
    """The name of the cache entry for exactly these files (and this rulex)."""
    digest = hashlib.sha256(memo.code_version().encode() + grammar_text().encode() + regexcode.VERSION.encode())
    try:
        for path in pack_files(paths):
            digest.update(str(path.resolve()).encode())
            digest.update(path.read_bytes())
    except OSError:
        return None
    return f"{digest.hexdigest()[:32]}.pickle"
