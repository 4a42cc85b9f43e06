"""rulex as a spaCy pipeline component (the extra `spacy`; the rest of rulex never imports spaCy).

    nlp = spacy.blank("en")
    nlp.add_pipe("rulex", config={"pack": "rules/conflict"})
    doc = nlp("Iran launched missiles at Erbil.")
    doc.spans["rulex_Attack"], doc.spans["rulex_Attack_args"], doc._.rulex_matches

spaCy finds the factory `rulex` through the entry point `spacy_factories` (pyproject.toml).
For each document the component runs the pack over `doc.text` and puts:

- each event or output entity of type T in `doc.spans[KEY]`, labelled T, where KEY is
  `spans_keys[T]` or else `spans_key_prefix + T` ("rulex_Attack"); its arguments in
  `doc.spans[KEY + "_args"]`, each labelled with its role. A span's `id_` is the rule's id and
  its `kb_id_` the value when the value is a string (a lexicon entry's id). Every type the pack
  can give has its groups, empty when nothing was found;
- the matches in `doc._.rulex_matches`, as output-contract dicts (`Match.to_dict()`: rule,
  file:line, arguments, values, derivation), which travel with the Doc (`DocBin`, `nlp.pipe`
  with `n_process`);
- each rulex span that does not fall on token boundaries in `doc._.rulex_misaligned`: spans are
  made with `doc.char_span(start, end, alignment_mode=...)` ("expand" by default: the tokens it
  touches); a span that moved, or that the mode dropped (None), is listed there with both
  extents, never dropped without trace;
- what went wrong on the document (a rule that ran out of time) in `doc._.rulex_problems`.

Relative dates resolve against `doc._.rulex_date` (a date or "YYYY-MM-DD", set before the
component runs), else the config's `date`, else the pack's dateline rule. `doc._.rulex_doc_id`
names the document in its matches (default "doc").

The component keeps the pack's path and loads the pack when it first needs it, in each process,
so it pickles small (`nlp.pipe(texts, n_process=2)`). `nlp.to_disk` copies the pack's rule and
lexicon files into the component's folder; `spacy.load` compiles them from there: nothing is
unpickled, and nothing outside that folder is read.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import tempfile
from collections.abc import Iterable
from enum import Enum
from pathlib import Path, PurePosixPath
from typing import Any

import srsly
import yaml
from spacy.language import Language
from spacy.tokens import Doc, Span

from .document import Document, parse_date
from .loader import LEXICON_SUFFIXES, MANIFEST, RULE_SUFFIXES, pack_files
from .pack import Pack, load

PACK_FOLDER = "pack"              # inside the component's folder of nlp.to_disk
DOC_EXTENSIONS = ("rulex_matches", "rulex_misaligned", "rulex_problems", "rulex_date", "rulex_doc_id")
PACK_SUFFIXES = frozenset(RULE_SUFFIXES + LEXICON_SUFFIXES)

for _name in DOC_EXTENSIONS:
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class AlignmentMode(str, Enum):
    """How a rulex span that does not fall on token boundaries becomes a Span (`Doc.char_span`)."""
    EXPAND = "expand"        # the tokens it touches
    CONTRACT = "contract"    # the tokens wholly inside it (maybe none)
    STRICT = "strict"        # none


@dataclasses.dataclass(frozen=True)
class SpanKeys:
    """The `doc.spans` keys of one type: its matches, and their arguments."""
    matches: str
    arguments: str


@dataclasses.dataclass(frozen=True)
class Misaligned:
    """A rulex span that is not on token boundaries: `span` is the Span's extent, None when dropped."""
    kind: str            # "event", "entity" or "argument"
    label: str           # the type, or the argument's role
    rule: str
    start: int
    end: int
    text: str
    alignment_mode: str
    span: tuple[int, int] | None

    def to_dict(self) -> dict[str, Any]:
        """As `doc._.rulex_misaligned` holds it: plain data that travels with the Doc."""
        out = dataclasses.asdict(self)
        out["span"] = list(self.span) if self.span else None
        return out


@Language.factory(
    "rulex",
    default_config={"pack": None, "spans_key_prefix": "rulex_", "spans_keys": {}, "alignment_mode": "expand",
                    "date": None},
    assigns=["doc.spans", "doc._.rulex_matches", "doc._.rulex_misaligned", "doc._.rulex_problems"],
)
def make_rulex_component(nlp: Language, name: str, pack: str | None, spans_key_prefix: str,
                         spans_keys: dict[str, str], alignment_mode: str, date: str | None) -> RulexComponent:
    """The factory behind `nlp.add_pipe("rulex", config={"pack": PATH})`."""
    return RulexComponent(name, pack, spans_key_prefix, spans_keys, alignment_mode, date)


class RulexComponent:
    """Runs a rulex pack over each Doc; see the module's docstring for what it sets."""

    def __init__(self, name: str = "rulex", pack: str | None = None, spans_key_prefix: str = "rulex_",
                 spans_keys: dict[str, str] | None = None, alignment_mode: str = "expand", date: str | None = None):
        modes = [m.value for m in AlignmentMode]
        if alignment_mode not in modes:
            raise ValueError(f"rulex: alignment_mode must be one of {', '.join(modes)}, not {alignment_mode!r}")
        self.name = name
        self.pack_path: Path | None = Path(pack).resolve() if pack else None
        self.pack_files: dict[str, bytes] | None = None   # a pack read by from_bytes
        self.spans_key_prefix = spans_key_prefix
        self.spans_keys = dict(spans_keys or {})
        self.alignment_mode = AlignmentMode(alignment_mode)
        try:
            self.date = parse_date(date)
        except ValueError:
            raise ValueError(f"rulex: the config's date {date!r} is not a YYYY-MM-DD date") from None
        self._pack: Pack | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None   # where pack_files were written

    # ---- the pack, loaded when first needed ---------------------------------------------------

    @property
    def pack(self) -> Pack:
        """The compiled pack (RulexError, with every diagnostic, when it has errors)."""
        if self._pack is None:
            if self.pack_files is not None:
                self._folder = tempfile.TemporaryDirectory(prefix="rulex-spacy-")
                _write_files(Path(self._folder.name), self.pack_files)
                self._pack = load(self._folder.name)
            elif self.pack_path is not None:
                self._pack = load(self.pack_path)
            else:
                raise ValueError("rulex: the component has no pack: nlp.add_pipe(\"rulex\", config={\"pack\": PATH})")
        return self._pack

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the compiled pack: each process loads it (from the compile cache)."""
        state = dict(self.__dict__)
        state["_pack"] = None
        state["_folder"] = None
        return state

    def span_keys(self, type_name: str) -> SpanKeys:
        """The `doc.spans` keys of a type's matches and of their arguments."""
        key = self.spans_keys.get(type_name, self.spans_key_prefix + type_name)
        return SpanKeys(key, key + "_args")

    # ---- running ------------------------------------------------------------------------------

    def __call__(self, doc: Doc) -> Doc:
        pack = self.pack
        result = pack.process(self._document(doc))
        groups: dict[str, list[Span]] = {}
        for keys in map(self.span_keys, _types(pack)):
            groups[keys.matches], groups[keys.arguments] = [], []
        misaligned: list[Misaligned] = []
        for match in result.matches:
            keys = self.span_keys(match.type)
            span = self._span(doc, match.start, match.end, match.type, match.rule,
                              match.value if match.has_value else None, match.kind, misaligned)
            if span is not None:
                groups.setdefault(keys.matches, []).append(span)
            for arg in match.arguments:
                arg_span = self._span(doc, arg.start, arg.end, arg.role, match.rule,
                                      arg.value if arg.has_value else None, "argument", misaligned)
                if arg_span is not None:
                    groups.setdefault(keys.arguments, []).append(arg_span)
        for key, spans in groups.items():
            doc.spans[key] = spans
        doc._.rulex_matches = [m.to_dict() for m in result.matches]
        doc._.rulex_misaligned = [m.to_dict() for m in misaligned]
        doc._.rulex_problems = [p.to_dict() for p in result.problems]
        return doc

    def _document(self, doc: Doc) -> Document:
        """The rulex Document of a Doc, dated by `doc._.rulex_date`, else by the config's `date`; its
        id (the `doc` of each match) is `doc._.rulex_doc_id`, else "doc"."""
        doc_id = str(doc._.rulex_doc_id or "doc")
        own = doc._.rulex_date
        if own is None:
            return Document(doc_id, doc.text, self.date, date_source="option")
        if isinstance(own, str):
            try:
                own = parse_date(own)
            except ValueError:
                raise ValueError(f"rulex: doc._.rulex_date {own!r} is not a YYYY-MM-DD date") from None
        if not isinstance(own, dt.date):
            raise ValueError(f"rulex: doc._.rulex_date must be a datetime.date or YYYY-MM-DD, not {type(own).__name__}")
        return Document(doc_id, doc.text, own, date_source="document")

    def _span(self, doc: Doc, start: int, end: int, label: str, rule: str, value: Any, kind: str,
              misaligned: list[Misaligned]) -> Span | None:
        """The span of `doc` for a rulex extent, aligned to tokens; a misalignment is recorded."""
        span = doc.char_span(start, end, label=label, kb_id=value if isinstance(value, str) else "",
                             span_id=rule, alignment_mode=self.alignment_mode.value)
        if span is None or (span.start_char, span.end_char) != (start, end):
            misaligned.append(Misaligned(kind, label, rule, start, end, doc.text[start:end], self.alignment_mode.value,
                                         None if span is None else (span.start_char, span.end_char)))
        return span

    # ---- serialisation: the pack's files, never a pickle --------------------------------------

    def to_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> None:
        """Copy the pack's rule and lexicon files into PATH/pack."""
        _write_files(Path(path) / PACK_FOLDER, self._files())

    def from_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> RulexComponent:
        """Use the pack that `to_disk` wrote in PATH/pack, compiled from its files now."""
        folder = Path(path) / PACK_FOLDER
        _check_folder(folder)
        self.pack_path, self.pack_files, self._pack = folder.resolve(), None, None
        _ = self.pack   # errors in the saved rules show at spacy.load, not at the first document
        return self

    def to_bytes(self, exclude: Iterable[str] = ()) -> bytes:
        """The pack's files as msgpack bytes ({relative path: content})."""
        return srsly.msgpack_dumps({"files": self._files()})

    def from_bytes(self, data: bytes, exclude: Iterable[str] = ()) -> RulexComponent:
        """Use the pack of `to_bytes`'s bytes: its files are checked, written to a private temporary
        folder and compiled."""
        files = srsly.msgpack_loads(data).get("files")
        if not isinstance(files, dict) or not all(isinstance(v, bytes) for v in files.values()):
            raise ValueError("rulex: these bytes hold no rulex pack")
        for name in files:
            _check_name(name)
        self.pack_path, self.pack_files, self._pack = None, files, None
        _ = self.pack
        return self

    def _files(self) -> dict[str, bytes]:
        """The pack's files by path relative to its folder: those of a pack folder (rule files and
        lexicons), or the one rule file the pack is."""
        if self.pack_files is not None:
            return dict(self.pack_files)
        if self.pack_path is None:
            raise ValueError("rulex: the component has no pack to save")
        if self.pack_path.is_file():
            return {self.pack_path.name: self.pack_path.read_bytes()}
        root = self.pack_path.resolve()
        files: dict[str, bytes] = {}
        for file in pack_files([root]):
            resolved = file.resolve()
            if not resolved.is_relative_to(root):
                raise ValueError(f"rulex: {file} lies outside the pack folder {root} (a dependency): "
                                 "a pack that reads folders outside its own cannot be saved with the pipeline")
            files[resolved.relative_to(root).as_posix()] = resolved.read_bytes()
        return files


def _types(pack: Pack) -> list[str]:
    """The types a pack's results can have: its event types and the entity types it outputs."""
    found = {rule.type for rule in pack.rules if rule.kind == "event"} | set(pack.program.manifest.output)
    return sorted(found)


def _check_name(name: Any) -> None:
    """A file name of a saved pack: relative, inside its folder, a rule file or a lexicon."""
    path = PurePosixPath(name) if isinstance(name, str) else None
    if (path is None or path.is_absolute() or "\\" in name or any(part in ("", ".", "..") for part in name.split("/"))
            or path.suffix not in PACK_SUFFIXES):
        raise ValueError(f"rulex: {name!r} is no file of a saved pack (a relative path to a rule file or lexicon)")


def _check_folder(folder: Path) -> None:
    """A saved pack's folder: real files only (no links out of it), and a pack.yaml that names no
    folder outside it (`dependencies:`)."""
    if folder.is_symlink() or not folder.is_dir():
        raise ValueError(f"rulex: {folder} is not the folder of a saved rulex pack")
    for path in folder.rglob("*"):
        if path.is_symlink():
            raise ValueError(f"rulex: {path} is a symbolic link; a saved pack holds only its own files")
    manifest = folder / MANIFEST
    if manifest.is_file():
        try:
            fields = yaml.safe_load(manifest.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            return   # the loader reports it, with its line
        if isinstance(fields, dict) and fields.get("dependencies"):
            raise ValueError(f"rulex: {manifest} names folders outside the saved pack (`dependencies:`)")


def _write_files(folder: Path, files: dict[str, bytes]) -> None:
    """Write a pack's files under `folder` (emptied first), each name checked."""
    if folder.exists():
        shutil.rmtree(folder)
    for name, content in sorted(files.items()):
        _check_name(name)
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
