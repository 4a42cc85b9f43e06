"""Read input documents: .txt files, .jsonl files, directories of them, and `-` (stdin as JSONL).

Bad input (a file that is not UTF-8, a JSONL line that is not an object with a text, a JSONL
string holding a lone surrogate such as `"\\ud800"`, which no UTF-8 output can hold) is
yielded as an `InputProblem`, so the caller reports it and goes on with the rest.
`input_files` lists the files a run reads and `clobbered_input` tells whether writing a path
would overwrite one of them (`rulex run -o` refuses that).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator, TextIO

from .document import Document, parse_date

SUFFIXES = (".txt", ".jsonl")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


@dataclass(frozen=True, slots=True)
class InputProblem:
    source: str        # file, or file:line for JSONL
    doc: str | None
    message: str

    def to_dict(self) -> dict:
        return {"source": self.source, "doc": self.doc, "code": "input", "message": self.message}


def read_inputs(paths: list[str], date: dt.date | None = None) -> Iterator[Document | InputProblem]:
    """Documents from every input, in order (directories in sorted path order)."""
    for name in paths:
        if name == "-":
            yield from _read_jsonl(sys.stdin.buffer, "<stdin>", date)
            continue
        path = Path(name)
        if path.is_dir():
            for child in _directory_files(path):
                yield from _read_file(child, date)
        elif path.is_file():
            yield from _read_file(path, date)
        else:
            yield InputProblem(name, None, "no such file or directory")


def _directory_files(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SUFFIXES)


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


def _read_file(path: Path, date: dt.date | None) -> Iterator[Document | InputProblem]:
    name, stem = printable(str(path)), printable(path.stem)   # a file name that is not UTF-8
    if path.suffix == ".jsonl":
        try:
            with path.open("rb") as fh:
                yield from _read_jsonl(fh, name, date)
        except OSError as err:
            yield InputProblem(name, None, f"cannot read: {err.strerror or err}")
        return
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        yield InputProblem(name, stem, f"not valid UTF-8 (byte offset {err.start})")
        return
    except OSError as err:
        yield InputProblem(name, stem, f"cannot read: {err.strerror or err}")
        return
    yield Document(stem, text.removeprefix("\ufeff"), date, date_source="option", origin=name)


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
        found = _SURROGATE.search(value)
        return (where, found.start(), found.group()) if found else None
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


def _read_jsonl(stream: BinaryIO | TextIO, name: str, date: dt.date | None) -> Iterator[Document | InputProblem]:
    """One document per line; a line that is not UTF-8 or not a JSON object with a text is a
    problem of its own, and the lines after it are read as usual. The line, as bytes and as
    text, is let go once parsed: a huge document is held only as its parsed text while it is matched."""
    line_no = 0
    for raw in stream:  # not enumerate(): its reused result tuple would hold the line until the next one
        line_no += 1
        where = f"{name}:{line_no}"
        binary = isinstance(raw, bytes)
        if binary:
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                yield InputProblem(where, None, f"not valid UTF-8 (byte {err.start + 1} of the line)")
                continue
            finally:
                del raw
        else:
            line, raw = raw, None
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
        doc_id = str(record.get("id", f"{Path(name).stem}:{line_no}"))
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
