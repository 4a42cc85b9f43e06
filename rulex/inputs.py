"""Read input documents: .txt files, .jsonl files, directories of them, and `-` (stdin as JSONL).

Bad input (a file that is not UTF-8, a JSONL line that is not an object with a text) is
yielded as an `InputProblem`, so the caller reports it and goes on with the rest.
"""
from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator, TextIO

from .document import Document, parse_date

SUFFIXES = (".txt", ".jsonl")


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
            for child in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SUFFIXES):
                yield from _read_file(child, date)
        elif path.is_file():
            yield from _read_file(path, date)
        else:
            yield InputProblem(name, None, "no such file or directory")


def _read_file(path: Path, date: dt.date | None) -> Iterator[Document | InputProblem]:
    if path.suffix == ".jsonl":
        try:
            with path.open("rb") as fh:
                yield from _read_jsonl(fh, str(path), date)
        except OSError as err:
            yield InputProblem(str(path), None, f"cannot read: {err.strerror or err}")
        return
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        yield InputProblem(str(path), path.stem, f"not valid UTF-8 (byte offset {err.start})")
        return
    except OSError as err:
        yield InputProblem(str(path), path.stem, f"cannot read: {err.strerror or err}")
        return
    yield Document(path.stem, text.removeprefix("\ufeff"), date, date_source="option", origin=str(path))


def _read_jsonl(stream: BinaryIO | TextIO, name: str, date: dt.date | None) -> Iterator[Document | InputProblem]:
    """One document per line; a line that is not UTF-8 or not a JSON object with a text is a
    problem of its own, and the lines after it are read as usual."""
    for line_no, raw in enumerate(stream, start=1):
        where = f"{name}:{line_no}"
        if isinstance(raw, bytes):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                yield InputProblem(where, None, f"not valid UTF-8 (byte {err.start + 1} of the line)")
                continue
        else:
            line = raw
        if line_no == 1:
            line = line.removeprefix("\ufeff")
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            yield InputProblem(where, None, f"not valid JSON: {err.msg} at column {err.colno}")
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            yield InputProblem(where, None, "a JSONL document must be an object with a string `text`")
            continue
        doc_id = str(record.get("id", f"{Path(name).stem}:{line_no}"))
        try:
            own_date = parse_date(record.get("date"))
            doc_date = own_date or date
        except ValueError:
            yield InputProblem(where, doc_id, f"bad date {record.get('date')!r}; expected YYYY-MM-DD")
            continue
        meta = {k: v for k, v in record.items() if k not in ("id", "text", "date")}
        yield Document(doc_id, record["text"], doc_date, meta, "document" if own_date else "option", where)
