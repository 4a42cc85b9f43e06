"""Read input documents: .txt files, .jsonl files, directories of them, and `-` (stdin).

Each input is read as plain text (one document) or as JSONL (one document per line). The
format is the one asked for (`InputFormat.TEXT` or `.JSONL`), or with `.AUTO`, the
default: a file's suffix decides (.jsonl is JSONL, anything else text); standard input and
other streams (a named pipe, `<(zcat x.gz)`) are sniffed: JSONL when their first non-blank
character is `{` and their first non-blank line parses as a JSON object, else text.

Inputs that are no local file or directory may be globs and fsspec URLs (`s3://...`,
`file://...`), and `.gz` and `.bz2` files are decompressed as they are read (locations.py);
`read_piece` reads one byte range of a JSONL file, as a sharded run's partition (shards.py).

Bad input (a file that is not UTF-8, a JSONL line that is not an object with a text, a JSONL
string holding a lone surrogate such as `"\\ud800"`, which no UTF-8 output can hold) is
yielded as an `InputProblem`, so the caller reports it and goes on with the rest.
`input_files` lists the files a run reads and `clobbered_input` tells whether writing a path
would overwrite one of them (`rulex run -o` refuses that).
"""
from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import IO, BinaryIO, TextIO

from .document import Document, parse_date
from .locations import (
    Compression,
    Location,
    LocationError,
    Piece,
    compression_of,
    has_glob,
    is_input_file,
    list_locations,
    open_location,
    url_protocol,
)

SUFFIXES = (".txt", ".jsonl")
STDIN_NAME = "<stdin>"   # standard input's name in messages, and its document id as text
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_BOM = b"\xef\xbb\xbf"


class InputFormat(str, Enum):
    """How an input is read: told from it (AUTO), or forced (`rulex run --input-format`)."""
    AUTO = "auto"
    TEXT = "text"
    JSONL = "jsonl"


@dataclass(frozen=True, slots=True)
class InputProblem:
    source: str        # file, or file:line for JSONL
    doc: str | None
    message: str

    def to_dict(self) -> dict:
        return {"source": self.source, "doc": self.doc, "code": "input", "message": self.message}


def read_inputs(paths: list[str], date: dt.date | None = None,
                input_format: InputFormat = InputFormat.AUTO) -> Iterator[Document | InputProblem]:
    """Documents from every input, in order (directories in sorted path order)."""
    input_format = InputFormat(input_format)
    for name in paths:
        if name == "-":
            yield from _read_stream(sys.stdin.buffer, STDIN_NAME, STDIN_NAME, date, input_format)
            continue
        path = Path(name)
        if path.is_dir():
            for child in _directory_files(path):
                yield from _read_file(child, date, input_format)
        elif path.is_file():
            yield from _read_file(path, date, input_format)
        elif path.exists():   # a named pipe or a device: read as it comes, like stdin
            yield from _read_pipe(path, date, input_format)
        elif url_protocol(name) is not None or has_glob(name):
            try:
                found = list_locations([name])
            except LocationError as err:
                yield InputProblem(name, None, str(err).removeprefix(f"{name}: "))
                continue
            for location in found:
                yield from read_piece(Piece(location), date, input_format)
        else:
            yield InputProblem(name, None, "no such file or directory")


def _directory_files(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file() and is_input_file(p.name))


def input_files(paths: list[str]) -> list[str]:
    """The files `read_inputs(paths)` reads, in its order: a directory's .txt and .jsonl files
    (recursively, sorted), every other name as given ("-" and missing paths included)."""
    out: list[str] = []
    for name in paths:
        path = Path(name)
        if name != "-" and path.is_dir():
            out.extend(str(child) for child in _directory_files(path))
        else:
            out.append(name)
    return out


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether two paths name the same file: through a symlink, a hard link or `..` too."""
    try:
        sa, sb = os.stat(a), os.stat(b)
        if (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino):
            return True
    except OSError:
        pass
    return Path(a).resolve() == Path(b).resolve()


def clobbered_input(target: str | os.PathLike, inputs: list[str], directory: bool = False) -> str | None:
    """The input that writing `target` would overwrite, or None. `directory`: the target is a
    directory whose files are written (brat), so an input lying directly in it is overwritten.
    Standard input ("-") counts when it is redirected from the target file."""
    for name in input_files(inputs):
        if name == "-":
            try:
                stdin = os.fstat(sys.stdin.fileno())
                out = os.stat(target)
            except (OSError, ValueError, AttributeError):
                continue
            if not directory and (stdin.st_dev, stdin.st_ino) == (out.st_dev, out.st_ino):
                return "- (standard input)"
            continue
        path = Path(name)
        if not path.exists():
            continue
        if same_file(path.parent if directory else path, target):
            return name
    return None


def _read_file(path: Path, date: dt.date | None, input_format: InputFormat) -> Iterator[Document | InputProblem]:
    if compression_of(path.name) is not Compression.NONE:   # .gz, .bz2: decompressed as read
        try:
            location = Location(str(path), path.stat().st_size, "", compression_of(path.name))
        except OSError as err:
            yield InputProblem(printable(str(path)), None, f"cannot read: {err.strerror or err}")
            return
        yield from read_piece(Piece(location), date, input_format)
        return
    name, stem = printable(str(path)), printable(path.stem)   # a file name that is not UTF-8
    if input_format is InputFormat.JSONL or (input_format is InputFormat.AUTO and path.suffix == ".jsonl"):
        try:
            with path.open("rb") as fh:
                yield from _read_jsonl(fh, name, date)
        except OSError as err:
            yield InputProblem(name, None, f"cannot read: {err.strerror or err}")
        return
    try:
        data = path.read_bytes()
    except OSError as err:
        yield InputProblem(name, stem, f"cannot read: {err.strerror or err}")
        return
    yield _text_document(data, name, stem, date)


def _read_pipe(path: Path, date: dt.date | None, input_format: InputFormat) -> Iterator[Document | InputProblem]:
    name, stem = printable(str(path)), printable(path.stem)
    try:
        with path.open("rb") as fh:
            yield from _read_stream(fh, name, stem, date, input_format)
    except OSError as err:
        yield InputProblem(name, None, f"cannot read: {err.strerror or err}")


def _read_stream(stream: BinaryIO, name: str, doc_id: str, date: dt.date | None,
                 input_format: InputFormat) -> Iterator[Document | InputProblem]:
    """A stream read once, front to back: JSONL line by line, or text as one document `doc_id`;
    with AUTO, the lines up to the first non-blank one tell which (they are then read again
    from memory, so the line numbers of JSONL problems stay right)."""
    if input_format is InputFormat.JSONL:
        yield from _read_jsonl(stream, name, date)
        return
    head: list[bytes] = []
    if input_format is InputFormat.AUTO:
        for line in stream:
            head.append(line)
            if line.removeprefix(_BOM).strip():
                break
        if head and _is_json_object(head[-1]):
            yield from _read_jsonl(itertools.chain(head, stream), name, date)
            return
    yield _text_document(b"".join(itertools.chain(head, [stream.read()])), name, doc_id, date)


def _is_json_object(line: bytes) -> bool:
    """Whether a line of a stream (perhaps the first, with a byte order mark) is a JSON object."""
    line = line.removeprefix(_BOM).lstrip()
    if not line.startswith(b"{"):
        return False
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:   # not UTF-8 (UnicodeDecodeError) or not JSON
        return False


def _text_document(data: bytes, name: str, doc_id: str, date: dt.date | None) -> Document | InputProblem:
    """One plain-text document, or the problem of bytes that are not UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        return InputProblem(name, doc_id, f"not valid UTF-8 (byte offset {err.start})")
    return Document(doc_id, text.removeprefix("\ufeff"), date, date_source="option", origin=name)


def printable(text: str) -> str:
    """`text` with its lone surrogates (a file name's undecodable bytes, a JSON `\\ud800`)
    written as backslash escapes, so that it can be written as UTF-8."""
    if not _SURROGATE.search(text):
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _lone_surrogate(value, where: str = "") -> tuple[str, int, str] | None:
    """The first lone surrogate in a parsed JSON value: (field, character offset, the character)."""
    if isinstance(value, str):
        hit = _SURROGATE.search(value)
        return (where, hit.start(), hit.group()) if hit else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _lone_surrogate(key, where) or _lone_surrogate(item, f"{where}.{key}" if where else key)
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _lone_surrogate(item, f"{where}[{i}]")
            if found:
                return found
    return None


def _read_jsonl(stream: Iterable[bytes] | TextIO, name: str, date: dt.date | None, first_line: int = 1,
                stem: str | None = None) -> Iterator[Document | InputProblem]:
    """One document per line (the first numbered `first_line`); a line that is not UTF-8 or not
    a JSON object with a text is a problem of its own, and the lines after it are read as usual.
    The line, as bytes and as text, is let go once parsed: a huge document is held only as its
    parsed text while it is matched. `stem` names documents without an id (default: the file's)."""
    line_no = first_line - 1
    stem = Path(name).stem if stem is None else stem
    for raw in stream:  # not enumerate(): its reused result tuple would hold the line until the next one
        line_no += 1
        where = f"{name}:{line_no}"
        if isinstance(raw, bytes):
            binary = True
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                yield InputProblem(where, None, f"not valid UTF-8 (byte {err.start + 1} of the line)")
                continue
            finally:
                del raw
        else:
            binary = False
            line = raw
            del raw
        if line_no == 1:
            line = line.removeprefix("\ufeff")
        if not line or line.isspace():  # as `not line.strip()`, without a copy of the line
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            yield InputProblem(where, None, f"not valid JSON: {err.msg} at column {err.colno}")
            continue
        # json.loads takes "\\ud800" (a lone surrogate) for text, but no UTF-8 output can hold it
        escaped = not binary or ("\\u" in line and _ESCAPED_SURROGATE.search(line) is not None)
        del line
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            yield InputProblem(where, None, "a JSONL document must be an object with a string `text`")
            continue
        doc_id = str(record.get("id", f"{stem}:{line_no}"))
        if escaped:
            found = _lone_surrogate(record)
            if found:
                field, offset, char = found
                yield InputProblem(where, printable(doc_id), f"not valid Unicode: a lone surrogate "
                                   f"U+{ord(char):04X} in `{field or 'text'}` at character {offset}")
                continue
        try:
            own_date = parse_date(record.get("date"))
            doc_date = own_date or date
        except ValueError:
            yield InputProblem(where, doc_id, f"bad date {record.get('date')!r}; expected YYYY-MM-DD")
            continue
        meta = {k: v for k, v in record.items() if k not in ("id", "text", "date")}
        yield Document(doc_id, record["text"], doc_date, meta, "document" if own_date else "option", where)


def read_piece(piece: Piece, date: dt.date | None = None,
               input_format: InputFormat = InputFormat.AUTO) -> Iterator[Document | InputProblem]:
    """The documents of one piece of a file (a partition of a sharded run), as `read_inputs`
    reads them from the whole file: the same ids, line numbers and problems."""
    location = piece.location
    name = printable(location.name)
    jsonl = read_as_jsonl(location, input_format)
    try:
        with open_location(location, max(piece.start - 1, 0)) as fh:
            if jsonl:
                yield from _read_jsonl(_lines_of_range(fh, piece), name, date, piece.first_line,
                                       printable(location.stem))
                return
            data = fh.read()
    except (OSError, EOFError) as err:   # EOFError: a truncated .gz or .bz2 file
        yield InputProblem(name, None if jsonl else printable(location.stem),
                           f"cannot read: {getattr(err, 'strerror', None) or err}")
        return
    yield _text_document(data, name, printable(location.stem), date)


def read_as_jsonl(location: Location, input_format: InputFormat = InputFormat.AUTO) -> bool:
    """Whether a file is read as JSONL (one document per line), else as one text document."""
    return input_format is InputFormat.JSONL or (input_format is InputFormat.AUTO and location.inner_suffix == ".jsonl")


def _lines_of_range(fh: IO[bytes], piece: Piece) -> Iterator[bytes]:
    """The lines that start in the piece's byte range, from a file opened at byte start - 1 (a
    line that starts before the range belongs to the piece before)."""
    position = piece.start
    if piece.start > 0:
        position += len(fh.readline()) - 1   # to the start of the first line that starts in the range
    for line in fh:
        if piece.end is not None and position >= piece.end:
            return
        position += len(line)
        yield line
