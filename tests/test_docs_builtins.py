"""The built-in types page of the docs says what rulex does: every table on it is checked here."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import regex

from rulex.builtins import BUILTINS, quantity_policy_markdown
from rulex.regexcode import FLAGS

from .conftest import ROOT

PAGE = ROOT / "docs" / "reference" / "builtin-types.md"
DOC_DATE = dt.date(2020, 1, 8)


def section(name: str) -> str:
    text = PAGE.read_text(encoding="utf-8")
    return text.split(f"<!-- {name}:start -->\n", 1)[1].split(f"<!-- {name}:end -->", 1)[0]


def table_after(heading: str, columns: int) -> list[list[str]]:
    """The rows of the first table under a heading of the page."""
    text = PAGE.read_text(encoding="utf-8").split(heading, 1)[1]
    rows = []
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| ---"):
            rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
        elif rows and not line.startswith("|"):
            break
    assert rows and all(len(r) == columns for r in rows), heading
    return rows[1:]


def whole_span(name: str, text: str) -> bool:
    return regex.compile(BUILTINS[name].pattern, FLAGS).fullmatch(text) is not None


def test_the_quantity_policy_table_is_the_one_the_code_uses():
    assert section("quantity-policy").strip() == quantity_policy_markdown().strip()


@pytest.mark.parametrize("text, value", table_after("Examples:", 2))
def test_quantity_examples(text, value):
    assert whole_span("Quantity", text), text
    assert BUILTINS["Quantity"].normalise(text, None).value == json.loads(value)


@pytest.mark.parametrize("kind, text, value", table_after("## Number and Ordinal", 3))
def test_number_and_ordinal_examples(kind, text, value):
    assert whole_span(kind, text), text
    assert BUILTINS[kind].normalise(text, None).value == json.loads(value)


TIME_ROWS = [re.split(r"\s\|\s", line.strip("| ")) for line in section("time-table").splitlines()[2:] if line]


@pytest.mark.parametrize("text, dated, undated", TIME_ROWS)
def test_time_table(text, dated, undated):
    assert whole_span("Time", text), text
    for date, expected in ((DOC_DATE, dated), (None, undated)):
        result = BUILTINS["Time"].normalise(text, date)
        assert (result.value if result else None) == (None if expected == "-" else expected), (text, date)


def test_the_time_table_is_not_empty():
    assert len(TIME_ROWS) >= 15
