"""Input documents: an id, the text as given, an optional date and metadata."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Document:
    """One input document. Offsets in results index `text` exactly as given."""

    id: str
    text: str
    date: dt.date | None = None
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    date_source: str = "document"   # "document" (its own date), "option" (--date), "dateline", ...
    origin: str = field(default="", compare=False)  # where it was read: a file, or file:line


def parse_date(value: str | None) -> dt.date | None:
    """A YYYY-MM-DD (or longer ISO) date string as a date; ValueError when malformed."""
    if not value:
        return None
    return dt.date.fromisoformat(str(value)[:10])
