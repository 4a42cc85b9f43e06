"""CSV (RFC 4180): a header row, then rows of matches, for spreadsheets and dataframes.

Written with Python's `csv` module (the "excel" dialect): fields separated by commas,
records ended by CRLF, a field quoted with `"` when it holds a comma, a quote or a line
break, and a quote inside a field doubled. Newlines and quotes inside document text are
kept as they are, so `csv.reader` (or pandas, or a spreadsheet) gives back the exact text
and the offsets still slice the document. Cells are not altered in any way: a text that
starts with `=`, `+`, `-` or `@` is written as is, and a spreadsheet may read it as a formula.

`options["csv_rows"]` picks the layout:

**`argument` (the default): one row per argument.**

| column | content |
| --- | --- |
| `doc` | document id |
| `rule` | rule id (`pack.rule`) |
| `type` | event or entity type of the match |
| `match_start`, `match_end` | offsets of the match in the document text (characters, end exclusive) |
| `match_text` | the text of the match |
| `role` | the argument's role (a role filled twice gives two rows with the same role) |
| `arg_text` | the argument's text |
| `arg_start`, `arg_end` | offsets of the argument in the document text |
| `arg_type` | the argument's type (`Actor`, `Quantity`, `Phrase`...) |
| `value` | the argument's normalised value: a plain string as is, anything else (a number, `{"min": 13}`, `null`) as JSON; empty when there is none |
| `attrs` | the match's attributes as a JSON object (`{}` when none) |
| `rule_file`, `rule_line` | where the rule is written |

A match without arguments (an entity) gives one row whose argument columns are empty;
its `value` column then holds the match's own value (an entity's canonical id).

**`event`: one row per match.**

| column | content |
| --- | --- |
| `doc`, `rule`, `type` | as above |
| `start`, `end`, `text` | the match's offsets and text |
| `value` | the match's own value (entities), encoded as above; empty for events |
| `args` | the arguments as the JSON object of the output contract: role -> `{"text", "start", "end", "type", "value"}`, or a list of them when the role is filled more than once |
| `attrs`, `rule_file`, `rule_line` | as above |

Rows come in the order of the matches: input order, then start, then rule id; arguments
in the order of the rule's pattern. JSON cells are compact and keep non-ASCII characters.
"""
from __future__ import annotations

import csv
from collections.abc import Sequence

from ..document import Document
from ..match import Match
from . import StreamWriter, to_json, value_text

ARGUMENT_COLUMNS = ("doc", "rule", "type", "match_start", "match_end", "match_text", "role", "arg_text",
                    "arg_start", "arg_end", "arg_type", "value", "attrs", "rule_file", "rule_line")
EVENT_COLUMNS = ("doc", "rule", "type", "start", "end", "text", "value", "args", "attrs", "rule_file", "rule_line")
ROW_MODES = ("argument", "event")


class CsvWriter(StreamWriter):
    name = "csv"

    def __init__(self, target, options=None):
        rows = (options or {}).get("csv_rows") or "argument"
        if rows not in ROW_MODES:  # checked before the output file is created
            raise ValueError(f"csv_rows must be one of {', '.join(ROW_MODES)}, not {rows!r}")
        super().__init__(target, options)
        self.rows = rows
        self.columns = ARGUMENT_COLUMNS if rows == "argument" else EVENT_COLUMNS
        self._csv = csv.writer(self.out, dialect="excel")
        if not self.append:     # an appended file has its header already
            self._csv.writerow(self.columns)

    def write(self, doc: Document, matches: Sequence[Match]) -> None:
        self._check_open()
        self.documents += 1
        for match in matches:
            self.matches += 1
            self._csv.writerows(argument_rows(match) if self.rows == "argument" else [event_row(match)])
        self.out.flush()


def _value(has_value: bool, value) -> str:
    return value_text(value) if has_value else ""


def argument_rows(match: Match) -> list[list]:
    """The rows of one match in the `argument` layout."""
    head = [match.doc, match.rule, match.type, match.start, match.end, match.text]
    tail = [to_json(match.attrs), match.provenance.rule_file, match.provenance.rule_line]
    if not match.arguments:
        return [head + ["", "", "", "", "", _value(match.has_value, match.value)] + tail]
    return [head + [arg.role, arg.text, arg.start, arg.end, arg.type, _value(arg.has_value, arg.value)] + tail
            for arg in match.arguments]


def event_row(match: Match) -> list:
    """The row of one match in the `event` layout."""
    return [match.doc, match.rule, match.type, match.start, match.end, match.text,
            _value(match.has_value, match.value), to_json(match.to_dict()["args"]), to_json(match.attrs),
            match.provenance.rule_file, match.provenance.rule_line]
