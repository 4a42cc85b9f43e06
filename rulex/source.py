"""Source files and spans: one position type for rule files and input text alike."""
from __future__ import annotations

import bisect
import functools
import hashlib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


class PicklesAsFields:
    """For a frozen dataclass kept by the thousand in a cached pack (spans, a rule's groups): it
    pickles as its class and its fields' values, so unpickling calls the class, twice as fast
    as the state a slots dataclass pickles by default. Every field must be an `__init__` one."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        return type(self), tuple(getattr(self, name) for name in _field_names(type(self)))  # type: ignore[arg-type]  # a class is hashable (mypy takes __hash__ for its instances)


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    """A dataclass's field names, worked out once per class (a pickle of a pack holds thousands of spans)."""
    return tuple(f.name for f in fields(cls))


@functools.lru_cache(maxsize=512)
def text_digest(text: str) -> str:
    """The SHA-256 (hex) of a source's text, worked out once per text: a compile keys its stores
    and the pack's digest by the same files (lexicons of megabytes), and `rulex serve` compiles
    on every edit."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class Span(PicklesAsFields):
    """A half-open character range [start, end) in a named source, with 1-based line/col."""

    file: str
    start: int
    end: int
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class SourceFile:
    """The text of one rule or lexicon file, with a line index for offset → line:col."""

    name: str
    text: str
    _line_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = [0]
        starts.extend(i + 1 for i, ch in enumerate(self.text) if ch == "\n")
        object.__setattr__(self, "_line_starts", tuple(starts))

    @classmethod
    def read(cls, path: Path, display: str | None = None) -> SourceFile:
        """Read a UTF-8 file; raises UnicodeDecodeError / OSError for the loader to report."""
        data = path.read_bytes()
        text = data.decode("utf-8")
        if text.startswith("\ufeff"):
            text = text[1:]
        return cls(display or str(path), text)

    def line_col(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def offset(self, line: int, col: int) -> int:
        line = max(1, min(line, len(self._line_starts)))
        return min(self._line_starts[line - 1] + col - 1, len(self.text))

    def span(self, start: int, end: int | None = None) -> Span:
        end = start if end is None else end
        line, col = self.line_col(start)
        return Span(self.name, start, max(start, end), line, col)

    def line_text(self, line: int) -> str:
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start:] if end < 0 else self.text[start:end]
