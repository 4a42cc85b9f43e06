"""Output formats of `rulex run`: one module per format, one Writer class per module.

    from rulex.outputs import open_writer
    writer = open_writer("csv", "out.csv", {"csv_rows": "event"})
    for doc in documents:
        writer.write(doc, pack.process(doc).matches)
    writer.close()

| format | module | target | what it writes |
| --- | --- | --- | --- |
| `jsonl` | `jsonl.py` | file or stdout | one contract JSON object per match (output-contract.md) |
| `csv` | `csv.py` | file or stdout | RFC 4180 table, one row per argument or per match |
| `brat` | `brat.py` | a directory (required) | `<doc>.txt` + `<doc>.ann` per document, `annotation.conf`, `visual.conf` |
| `html` | `html.py` | file or stdout | one self-contained report with highlighted documents |
| `labelstudio` | `labelstudio.py` | file or stdout | Label Studio tasks (a JSON array), matches as predictions |
| `prodigy` | `prodigy.py` | file or stdout | Prodigy tasks (JSONL): text, tokens, spans, relations, one per document |
| `text` | `text.py` | file or stdout | matches and their arguments as plain text, for reading |

labelstudio with a file target `OUT.json` also writes its labeling configuration, `OUT.labelconfig.xml`.

Every writer streams: `write(doc, matches)` writes that document's output at once and keeps
nothing of it afterwards (only counts and the set of types seen, for legends and configs;
brat also the file names it used, to keep them unique), so memory stays flat however long
the corpus is. A target is a file path (parent folders are created), None or "-" for
stdout, or an open text stream (not closed by the writer). `close()` finishes the output (HTML footer,
brat configs), flushes, and closes what the writer opened; it never closes stdout. Output
is deterministic: the same documents in the same order give byte-identical output.

Options (the `options` dict; unknown keys are ignored):

- `csv_rows`: `"argument"` (default) or `"event"`, see `rulex.outputs.csv`.
- `pack`: the pack name shown in the HTML report's title and header.
- `model_version`: the pack's `name@version+digest` (`rulex run` sets it), as labelstudio's
  `model_version` and prodigy's `meta.pack`.
- `skip_empty`: HTML only; true leaves documents without matches out of the report
  (by default they are listed, their text folded away).
- `append`: the line formats (jsonl, csv, text, prodigy) only; true appends to the target file instead
  of replacing it, and csv writes no header row (`rulex run --resume` continues a file this
  way). html, labelstudio and brat raise ValueError: a report or a collection is not continued by appending.

`position()` of a stream writer flushes and gives the size of its file in bytes (None for
stdout or a stream given by the caller): the point a resumed run truncates the file to.
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from ..document import Document
from ..match import Match

__all__ = ["FORMATS", "Writer", "open_writer"]


class Writer:
    """Base class of the output writers. Use as a context manager or call close() at the end."""

    #: the format's name, as given to `open_writer`
    name = ""

    def __init__(self, target: str | os.PathLike | None, options: dict | None = None):
        self.target = target
        self.options: dict[str, Any] = dict(options or {})
        self.closed = False
        self.documents = 0      # documents written so far
        self.matches = 0        # matches written so far

    def write(self, doc: Document, matches: Sequence[Match]) -> None:
        """Write one document's matches (called once per document, in input order)."""
        raise NotImplementedError

    def close(self) -> None:
        """Finish the output, flush it and close the files this writer opened. Idempotent."""
        self.closed = True

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError(f"{self.name} writer is closed")


class StreamWriter(Writer):
    """A writer of one text stream: a file path, `None` or `"-"` for stdout, or an open text stream."""

    #: whether the format can continue a file it wrote before (options["append"])
    appendable = True

    def __init__(self, target, options=None):
        super().__init__(target, options)
        self.append = bool(self.options.get("append"))
        if self.append and not self.appendable:
            raise ValueError(f"{self.name} output cannot be appended to")
        self.out, self._owns = open_text(target, self.append)

    def position(self) -> int | None:
        """Flush, and the size in bytes of the file written (None unless the writer opened it)."""
        self.out.flush()
        return os.fstat(self.out.fileno()).st_size if self._owns else None

    def close(self) -> None:
        if self.closed:
            return
        self.finish()
        self.closed = True
        if self._owns:
            self.out.close()
        else:
            self.out.flush()

    def finish(self) -> None:
        """Write whatever closes the output (a footer); called once by close()."""


def open_text(target, append: bool = False) -> tuple[IO[str], bool]:
    """The text stream for `target` and whether the caller owns (must close) it; `append`
    opens a file path at its end instead of emptying it."""
    if target is None or (isinstance(target, str) and target == "-"):
        return sys.stdout, False
    if hasattr(target, "write"):
        return target, False
    path = Path(target)
    if path.parent != Path("."):
        path.parent.mkdir(parents=True, exist_ok=True)
    # newline="" writes line ends exactly as given: "\n" in JSONL and HTML, "\r\n" in CSV
    return path.open("a" if append else "w", encoding="utf-8", newline=""), True


# ----------------------------------------------------------------------------------------
# helpers shared by the formats

def to_json(value: Any) -> str:
    """Compact, deterministic JSON (UTF-8 text, not \\u escapes)."""
    return json.dumps(value, ensure_ascii=False)


def value_text(value: Any) -> str:
    """A value as a cell or note: a plain string as itself, anything else as JSON."""
    return value if isinstance(value, str) else to_json(value)


def describe_derivation(how: dict) -> str:
    """One line saying how an argument was found (lexicon entry, normaliser, sub-rule...)."""
    via = how.get("via")
    if via == "lexicon":
        text = f"lexicon {how.get('lexicon')} entry {how.get('entry')} ({how.get('entry_file')}:{how.get('entry_line')})"
        if "fuzzy" in how:
            fuzzy = how["fuzzy"]
            text += f", fuzzy match of {fuzzy.get('alias')!r} ({fuzzy.get('edits')} edit(s))"
        return text
    if via == "builtin":
        text = f"built-in {how.get('type')}, normaliser {how.get('normaliser')}"
        return text + (f": {how['note']}" if how.get("note") else "")
    if via == "rules":
        return f"rule {how.get('rule')} ({how.get('rule_file')}:{how.get('rule_line')})"
    if via == "define":
        return f"sub-pattern {how.get('sub_pattern') or how.get('type')}"
    skip = ("via", "type", "role", "text", "rule_element")
    parts = [f"{via or 'pattern'} {how.get('type') or ''}".rstrip()]
    parts += [f"{k} {v if isinstance(v, str) else to_json(v)}" for k, v in how.items() if k not in skip]
    return ", ".join(parts)


def rule_location(match: Match) -> str:
    return f"{match.provenance.rule_file}:{match.provenance.rule_line}"


# Light, distinct background colours; type i (in order of first appearance) gets PALETTE[i].
PALETTE = ("#ffd8a8", "#b2f2bb", "#a5d8ff", "#fcc2d7", "#d0bfff", "#ffec99", "#99e9f2",
           "#ffc9c9", "#c0eb75", "#bac8ff", "#e9ecef", "#ffa8a8", "#63e6be", "#eebefa")


def colour(index: int) -> str:
    """The colour of the index-th type seen; past the palette, a deterministic light hue."""
    if index < len(PALETTE):
        return PALETTE[index]
    hue = (index * 137) % 360          # golden-angle steps keep neighbours apart
    return _hsl_to_hex(hue, 0.75, 0.82)


def _hsl_to_hex(h: float, s: float, lightness: float) -> str:
    c = (1 - abs(2 * lightness - 1)) * s
    x = c * (1 - abs((h / 60) % 2 - 1))
    m = lightness - c / 2
    r, g, b = [(c, x, 0), (x, c, 0), (0, c, x), (0, x, c), (x, 0, c), (c, 0, x)][int(h // 60) % 6]
    return "#" + "".join(f"{round((v + m) * 255):02x}" for v in (r, g, b))


# ----------------------------------------------------------------------------------------

from .brat import BratWriter  # noqa: E402  (the format modules import Writer from here)
from .csv import CsvWriter  # noqa: E402
from .html import HtmlWriter  # noqa: E402
from .jsonl import JsonlWriter  # noqa: E402
from .labelstudio import LabelStudioWriter  # noqa: E402
from .prodigy import ProdigyWriter  # noqa: E402
from .text import TextWriter  # noqa: E402

FORMATS: dict[str, type[Writer]] = {
    "jsonl": JsonlWriter,
    "csv": CsvWriter,
    "brat": BratWriter,
    "html": HtmlWriter,
    "text": TextWriter,
    "labelstudio": LabelStudioWriter,
    "prodigy": ProdigyWriter,
}


def open_writer(fmt: str, target: str | os.PathLike | None, options: dict | None = None) -> Writer:
    """A writer of format `fmt` (a key of FORMATS: "jsonl", "csv", "brat", ...) writing to `target`.

    `target` is a file path, or None (or "-") for stdout; for "brat" it is a directory,
    created if missing, and required. ValueError for an unknown format or a bad option.
    """
    try:
        cls = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}") from None
    return cls(target, options)
