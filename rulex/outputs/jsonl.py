"""JSON Lines, the default format of `rulex run`: one line per match.

Each line is `json.dumps(match.to_dict(), ensure_ascii=False)`, the object of the output
contract (../shared/design/output-contract.md, schema `match.schema.json`), ended by "\\n".
The three characters that JSON leaves raw but that some line readers (Python's
`str.splitlines`, JavaScript before ES2019) take for line ends, U+0085, U+2028 and U+2029,
are written as `\\u` escapes, so one line is always one match; the parsed values are the same.
Lines come in input order, then by `start`, then by rule id (the order the matcher gives).
The stream is flushed after each document, so a downstream reader sees results as they come.
"""
from __future__ import annotations

from collections.abc import Sequence

from ..document import Document
from ..match import Match
from . import StreamWriter, to_json

_LINE_SEPARATORS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def json_line(match: Match) -> str:
    """The JSONL line of one match, "\\n" included."""
    return one_line_json(match.to_dict())


def one_line_json(value) -> str:
    """`value` as one JSON line, "\\n" included, with no character a line reader breaks at."""
    return to_json(value).translate(_LINE_SEPARATORS) + "\n"


class JsonlWriter(StreamWriter):
    name = "jsonl"

    def write(self, doc: Document, matches: Sequence[Match]) -> None:
        self._check_open()
        self.documents += 1
        for match in matches:
            self.out.write(json_line(match))
            self.matches += 1
        self.out.flush()
