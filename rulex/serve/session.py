"""The state of one `rulex serve`: a pack's rule files as the analyst is editing them, the pack
compiled from them (incremental.py), and the corpus to try rules on.

Edits live in memory; a rule file is written only by `save`, and only a rule file the pack
loads from inside its own directory (`rule_file`): a name with `..`, an absolute path, a
symlink that leads out of the pack, a lexicon, the manifest or any other file is refused.
"""
from __future__ import annotations

import datetime as dt
import gc
import io
import os
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path, PurePosixPath

from .. import regexcode
from ..ast import RuleFile
from ..compiler import CompiledRule
from ..diagnostics import Diagnostic, DiagnosticBag
from ..document import Document
from ..errors import RulexError
from ..explain import anchors_occur, explain, miss_summary, nearest_miss, render
from ..inputs import InputFormat, InputProblem, read_inputs
from ..loader import LoadedPack, parse_rule_file
from ..loader import load as load_files
from ..match import Match
from ..outputs.html import HtmlWriter
from ..pack import Pack
from ..pack import load as load_pack
from ..program import Program
from ..resolve import ResolvedPack
from ..segment import lowercase_view, normalise, paragraphs, sentences_in
from ..source import SourceFile
from ..suggest import MarkedSentence, MarkError, corpus_hits, lemma, sentence_from_record
from ..suggest import suggest as suggest_rule
from ..testing import check_example
from .incremental import IncrementalCompiler

MAX_RULE_FILE_CHARS = 2_000_000   # a rule file sent to be compiled or saved
MAX_TEXT_CHARS = 200_000          # the text a sentence box may hold
CORPUS_DOCUMENTS = 200            # documents of the corpus a rule is tried on, per request (at most)
CORPUS_DOCUMENTS_MAX = 2000
KWIC_CHARS = 70                   # context on either side of a hit
HITS_SHOWN = 200
MISSES_SHOWN = 5                  # documents tried without a hit whose nearest miss is shown
MISS_SENTENCES = 20               # sentences of such a document it is looked for in (at most)
SUGGEST_SENTENCES = 20            # marked sentences one suggested rule is made from (at most)
SUGGEST_HITS = 50                 # corpus hits of a suggested rule shown (at most)


class Refused(Exception):
    """A request the playground will not carry out (the message says why); `status` is HTTP's."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class RuleFileEntry:
    """One rule file of the pack: its name in the pack (`attack.rulex`), its path, and the
    name its spans carry (as `rulex check` shows it)."""
    name: str
    path: Path
    source_name: str


@dataclass(frozen=True)
class Compiled:
    """The pack as last compiled from the edited files: its diagnostics, and the pack to match
    with (the last one without errors: `stale` when the files now have errors)."""
    diagnostics: tuple[Diagnostic, ...]
    sources: dict[str, SourceFile]
    pack: Pack | None
    resolved: ResolvedPack | None
    stale: bool
    seconds: float
    reused: int = 0
    compiled: int = 0


@dataclass(frozen=True)
class Matched:
    """A sentence or document tried on the pack as edited: its matches, the problems of the run
    (a rule out of time), and the text with its matches highlighted as the HTML report shows them."""
    matches: tuple[Match, ...]
    problems: tuple[str, ...]
    html: str


class Session:
    """A pack open in the playground; every method may be called from several threads."""

    def __init__(self, pack_dir: str | os.PathLike[str], corpus: tuple[str, ...] = (), freeze: bool = False):
        """`freeze`, for a session that lives as long as its process (`rulex serve`): what it holds
        then is moved out of the garbage collector's sight (`gc.freeze`), which otherwise walks the
        conflict pack's objects in the middle of a compile after an edit (0.1 to 0.2 s)."""
        self.root = Path(pack_dir).resolve()
        if not self.root.is_dir():
            raise Refused(f"{pack_dir} is not a pack directory")
        self.corpus_paths = tuple(corpus)
        self._lock = threading.RLock()
        self._corpus: list[Document] | None = None
        self._corpus_problems: list[str] = []
        regexcode.load_store()
        try:  # the compile cache's copy (rulex run, check, test keep one): the first compile takes its rules
            cached: Program | None = load_pack(Path(pack_dir)).program
        except RulexError:
            cached = None
        bag = DiagnosticBag()
        self.loaded: LoadedPack = load_files([Path(pack_dir)], bag, memoised=True)
        self.files: dict[str, RuleFileEntry] = {}
        for rule_file in self.loaded.files:
            entry = self._entry(rule_file.path)
            if entry is not None:
                self.files[entry.name] = entry
        by_source = {e.source_name for e in self.files.values()}
        self._base = tuple(d for d in bag.items if not (d.span and d.span.file in by_source))
        self._parsed = {e.name: tuple(d for d in bag.items if d.span and d.span.file == e.source_name)
                        for e in self.files.values()}
        self.texts = {name: self.loaded.sources[e.source_name].text for name, e in self.files.items()}
        self.saved = dict(self.texts)
        self.compiler = IncrementalCompiler()
        self._good: tuple[Pack, ResolvedPack] | None = None
        self.current = self._compile(cached)
        if freeze:  # the pack, its lexicons and their index live as long as the server: out of the collector's sight
            gc.collect()
            gc.freeze()

    def _entry(self, source_name: str) -> RuleFileEntry | None:
        """The rule file the loader read as `source_name`, if it lies inside the pack directory."""
        try:
            path = Path(source_name).resolve()
            name = path.relative_to(self.root).as_posix()
        except (OSError, ValueError):
            return None  # a file of a dependency: matched with, never edited here
        return RuleFileEntry(name, path, source_name)

    # -- editing ---------------------------------------------------------------------------

    def update(self, name: str, text: str) -> Compiled:
        """Compile the pack with `text` as the rule file `name` (nothing is written)."""
        entry = self.rule_file(name)
        if len(text) > MAX_RULE_FILE_CHARS:
            raise Refused(f"{name} is too large to edit here ({len(text):,} characters; at most "
                          f"{MAX_RULE_FILE_CHARS:,})", 413)
        with self._lock:
            if self.texts[name] == text:
                return self.current
            bag = DiagnosticBag()
            source = SourceFile(entry.source_name, text)
            parsed = parse_rule_file(source, bag)
            rule_file = parsed if parsed is not None else RuleFile(entry.source_name, unparsed=(text,))
            files = tuple(rule_file if f.path == entry.source_name else f for f in self.loaded.files)
            self.loaded = replace(self.loaded, files=files, sources={**self.loaded.sources, entry.source_name: source})
            self.texts[name] = text
            self._parsed[name] = tuple(bag.items)
            self.current = self._compile()
            return self.current

    def _compile(self, before: Program | None = None) -> Compiled:
        started = time.perf_counter()
        bag = DiagnosticBag()
        bag.sources = self.loaded.sources
        bag.extend(self._base)
        for found in self._parsed.values():
            bag.extend(found)
        outcome = self.compiler.compile(self.loaded, bag, before)  # with a syntax error, the names are still checked
        if outcome.program is not None:
            self._good = (Pack(outcome.program, tuple(bag.warnings)), outcome.resolved)
        pack, resolved = self._good if self._good else (None, None)
        return Compiled(tuple(bag.sorted()), dict(self.loaded.sources), pack, resolved, outcome.program is None,
                        time.perf_counter() - started, outcome.reused, outcome.compiled)

    def rule_file(self, name: str) -> RuleFileEntry:
        """The pack's rule file called `name`, or Refused: only the files the pack loads as rule
        files from inside its directory, named as `files()` lists them."""
        if not isinstance(name, str) or not name:
            raise Refused("no file named")
        pure = PurePosixPath(name)
        if pure.is_absolute() or "\\" in name or ":" in name.split("/")[0]:
            raise Refused(f"refused {name!r}: an absolute path; name a rule file of the pack", 403)
        if ".." in pure.parts:
            raise Refused(f"refused {name!r}: `..` leads out of the pack", 403)
        entry = self.files.get(name)
        if entry is None:
            raise Refused(f"refused {name!r}: not a rule file of the pack (these are: {', '.join(self.files)})", 403)
        return entry

    def save(self, name: str, text: str) -> None:
        """Write `text` to the rule file `name`, atomically, if it still resolves inside the pack
        and nobody changed it on disk since it was read or saved here."""
        entry = self.rule_file(name)
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError as err:
            raise Refused(f"cannot save {name}: the text holds {text[err.start]!r}, which is not "
                          "valid Unicode (a lone surrogate)") from None
        with self._lock:
            target = (self.root / name)
            try:
                resolved = target.resolve(strict=True)
            except (OSError, RuntimeError) as err:
                raise Refused(f"cannot save {name}: {getattr(err, 'strerror', None) or err}", 409) from None
            if not resolved.is_relative_to(self.root) or resolved != entry.path:
                raise Refused(f"refused {name}: it now leads out of the pack (to {resolved})", 403)
            if not resolved.is_file():
                raise Refused(f"refused {name}: not a regular file", 403)
            try:
                on_disk = resolved.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as err:
                raise Refused(f"cannot save {name}: cannot read it back ({err})", 409) from None
            if on_disk.lstrip("\ufeff") != self.saved[name]:
                raise Refused(f"not saved: {name} changed on disk since it was opened here; "
                              "copy your edits, reload the page and apply them again", 409)
            _write_atomically(resolved, data)
            self.saved[name] = text
        self.update(name, text)

    # -- trying rules ----------------------------------------------------------------------

    def match(self, text: str, date: dt.date | None) -> Matched:
        """The pack's matches in `text`, its problems, and the text highlighted as the HTML report
        shows it."""
        pack, _ = self._usable()
        document = Document("playground", _checked_text(text), date)
        result = pack.process(document)
        writer = HtmlWriter(io.StringIO())
        return Matched(tuple(result.matches), tuple(f"{p.message} [{p.code}]" for p in result.problems),
                       writer.section(document, result.matches))

    def explain(self, text: str, date: dt.date | None, rule_id: str) -> dict:
        """`rulex explain` of one rule on `text`: its report as data and as text."""
        pack, resolved = self._usable()
        rule = _rule(pack, rule_id)
        result = explain(pack, resolved, _checked_text(text), date, [rule.id])
        return {"rule": rule.id, "text": render(result), "report": result.to_dict()["rules"]}

    def examples(self, name: str | None = None, rule_id: str | None = None) -> list[dict]:
        """The inline examples of the rules of file `name` (or of one rule), run, pass or fail."""
        pack, resolved = self._usable()
        source_name = self.rule_file(name).source_name if name else None
        out = []
        for index, rule in enumerate(pack.rules):
            if (source_name and rule.file != source_name) or (rule_id and rule_id not in (rule.id, rule.local_id)):
                continue
            for example in rule.examples:
                found = check_example(pack, index, rule, example, resolved)
                out.append({"rule": rule.id, "line": example.span.line, "text": example.text,
                            "positive": example.positive, "ok": found.ok, "failures": list(found.failures),
                            "miss": _miss_text(found.miss, example.text)})
        return out

    def corpus(self, rule_id: str, limit: int = CORPUS_DOCUMENTS) -> dict:
        """The rule's hits over the first `limit` documents of the corpus, keyword in context."""
        pack, resolved = self._usable()
        rule = _rule(pack, rule_id)
        index = pack.rules.index(rule)
        documents = self._corpus_documents()
        limit = max(1, min(limit, CORPUS_DOCUMENTS_MAX))
        scanned = documents[:limit]
        hits: list[dict] = []
        count, with_hits, tried = 0, 0, []
        started = time.perf_counter()
        for document in scanned:
            found = [m for m in pack.process(document, rules={index}).matches if m.rule == rule.id]
            with_hits += bool(found)
            if not found and _anchor_occurs(rule, document.text):
                tried.append(document)
            count += len(found)
            hits += [_kwic(document, m) for m in found[:max(0, HITS_SHOWN - len(hits))]]
        misses = [miss for document in tried[:MISSES_SHOWN] if (miss := _nearest_miss(pack, resolved, rule, document))]
        return {"rule": rule.id, "documents": len(scanned), "corpus_documents": len(documents),
                "capped": len(documents) > len(scanned), "hits": hits, "hit_count": count,
                "documents_with_hits": with_hits, "tried_without_hit": len(tried), "misses": misses,
                "problems": list(self._corpus_problems[:5]),
                "seconds": round(time.perf_counter() - started, 3)}

    def schema(self) -> dict[str, list[str]]:
        """The pack's event types and the roles its rules of each type give (their arguments)."""
        current = self.current
        roles: dict[str, set[str]] = {}
        for rule in current.pack.rules if current.pack else ():
            if rule.kind == "event":
                groups = (*rule.groups, *(g for search in rule.searches for g in search.groups))
                roles.setdefault(rule.type, set()).update(g.role for g in groups if g.kind == "arg" and g.role and g.depth == 0)
        return {event_type: sorted(found) for event_type, found in sorted(roles.items())}

    def prepare_suggest(self) -> None:
        """Load what a suggestion needs first (lemminflect, which imports spaCy: about 1 s), so
        that the first suggestion answers as fast as the next (`rulex serve` runs this in a thread)."""
        lemma("launched")

    def suggest(self, records: list, limit: int = SUGGEST_HITS) -> dict:
        """`rulex suggest` with the pack as edited: a rule from marked sentences (records as
        `rulex suggest --from` reads them), checked on them, and its hits in the corpus outside them."""
        pack, _ = self._usable()
        if not records or len(records) > SUGGEST_SENTENCES:
            raise Refused(f"give from 1 to {SUGGEST_SENTENCES} marked sentences")
        sentences: list[MarkedSentence] = []
        for number, record in enumerate(records, 1):
            if isinstance(record, dict) and isinstance(record.get("text"), str):
                _checked_text(record["text"])
            try:
                sentences.append(sentence_from_record(record))
            except MarkError as err:
                raise Refused(f"sentence {number}: {err}" if len(records) > 1 else str(err)) from None
        known = self.schema()
        for sentence in sentences:
            if sentence.event_type not in known:
                raise Refused(f"the pack has no event type {sentence.event_type!r} "
                              f"({'it has: ' + ', '.join(known) if known else 'it has no event rule'})")
        started = time.perf_counter()
        try:
            found = suggest_rule(pack, sentences)
        except MarkError as err:
            raise Refused(str(err)) from None
        limit = max(1, min(limit, SUGGEST_HITS))
        scanned = _Counted(self._corpus_documents()[:CORPUS_DOCUMENTS])
        hits = corpus_hits(found, scanned, limit, KWIC_CHARS)
        return {**found.to_dict(), "hits": [asdict(hit) for hit in hits], "documents": scanned.count,
                "corpus_documents": len(self._corpus or ()), "capped": len(hits) >= limit,
                "seconds": round(time.perf_counter() - started, 3)}

    def _usable(self) -> tuple[Pack, ResolvedPack]:
        """The pack to match with and its resolved rules, from one compile (another may replace it meanwhile)."""
        current = self.current
        if current.pack is None or current.resolved is None:
            raise Refused("the pack has errors and has not compiled yet: fix the errors shown", 409)
        return current.pack, current.resolved

    def _corpus_documents(self) -> list[Document]:
        """The corpus, read once (up to CORPUS_DOCUMENTS_MAX documents)."""
        with self._lock:
            if self._corpus is None:
                documents: list[Document] = []
                for item in read_inputs(list(self.corpus_paths), None, InputFormat.AUTO) if self.corpus_paths else ():
                    if isinstance(item, InputProblem):
                        self._corpus_problems.append(f"{item.source}: {item.message}")
                        continue
                    documents.append(item)
                    if len(documents) >= CORPUS_DOCUMENTS_MAX:
                        break
                self._corpus = documents
            return self._corpus


class _Counted:
    """The documents, counting how many were read (`corpus_hits` stops at its limit)."""

    def __init__(self, documents: list[Document]):
        self.documents, self.count = documents, 0

    def __iter__(self):
        for document in self.documents:
            self.count += 1
            yield document


def _rule(pack: Pack, rule_id: str) -> CompiledRule:
    for rule in pack.rules:
        if rule_id in (rule.id, rule.local_id):
            return rule
    raise Refused(f"no rule `{rule_id}` in the pack", 404)


def _nearest_miss(pack: Pack, resolved: ResolvedPack, rule: CompiledRule, document: Document) -> dict | None:
    """How far the rule got in the document's sentences that hold its anchor words (explain.py)."""
    source = next((r for r in resolved.rules if r.id == rule.local_id), None)
    if source is None:
        return None
    normalised = normalise(document.text)
    lowered = lowercase_view(normalised)
    sentences = [s for chunk in paragraphs(normalised) for s in sentences_in(normalised, *chunk)
                 if anchors_occur(rule, lowered[s[0]:s[1]])]
    if not sentences:
        return None
    miss = nearest_miss(pack.program, resolved, source, normalised, lowered, sentences[:MISS_SENTENCES], document.date)
    if miss is None:
        return None
    start, end = miss.sentence
    return {"doc": document.id, "sentence": " ".join(document.text[start:end].split()),
            "miss": miss_summary(miss, document.text)}


def _checked_text(text: str) -> str:
    if len(text) > MAX_TEXT_CHARS:
        raise Refused(f"the text is too long ({len(text):,} characters; at most {MAX_TEXT_CHARS:,} here: "
                      "use `rulex run` for whole documents)", 413)
    return text


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a new file beside `path` and rename it over `path`, keeping its mode."""
    mode = path.stat().st_mode & 0o777
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _miss_text(miss, text: str) -> str | None:
    if miss is None:
        return None
    return miss_summary(miss, text)


def _anchor_occurs(rule: CompiledRule, text: str) -> bool:
    """Whether the rule's anchor words occur in the text (the matcher tries the rule there)."""
    return anchors_occur(rule, lowercase_view(normalise(text)))


def _kwic(document: Document, match: Match) -> dict:
    """A hit as keyword in context: the words before, the match, the words after."""
    text = document.text
    left = text[max(0, match.start - KWIC_CHARS):match.start]
    right = text[match.end:match.end + KWIC_CHARS]
    return {"doc": document.id, "start": match.start, "end": match.end,
            "left": " ".join(left.split()), "match": match.text, "right": " ".join(right.split()),
            "args": [{"role": a.role, "text": a.text} for a in match.arguments]}
