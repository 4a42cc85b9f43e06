"""Time budgets of a run: how long a sentence and a document may take (issue 17, item 6).

A pack's `sentence_budget_ms` bounds all rules on one sentence and `document_budget_ms` one
document, per million characters (never less than that); `rulex run --document-budget MS`
sets the latter for a run (and its `--jobs` workers) through `DOCUMENT_BUDGET_ENV`.
`matcher.py` reads the clock against them; this module says what they are and how an
overrun is reported.
"""
from __future__ import annotations

import os

from .document import Document
from .match import Problem
from .program import Program


class BudgetExceeded(TimeoutError):
    """A sentence or document ran past its budget (`sentence_budget_ms`, `document_budget_ms`)."""


CLOCK_EVERY = 32  # regex calls or matches between two looks at the clock within one rule


DOCUMENT_BUDGET_ENV = "RULEX_DOCUMENT_BUDGET_MS"  # set by `rulex run --document-budget`


def document_budget_ms(program: Program) -> int:
    """The pack's `document_budget_ms`, or the one `rulex run --document-budget` gave."""
    given = os.environ.get(DOCUMENT_BUDGET_ENV)
    return int(given) if given and given.isdigit() and int(given) > 0 else program.manifest.document_budget_ms


def document_budget(program: Program, size: int) -> float:
    """Seconds a document of `size` characters may take: its budget per million characters, and
    never less than that budget."""
    return document_budget_ms(program) / 1000 * max(1.0, size / 1_000_000)


def over_document(program: Program, doc: Document, at: int) -> Problem:
    """The RX501 problem of a document that ran out of its budget at character `at`."""
    return Problem(doc.id, "RX501", f"document {doc.id} ran out of its time ({document_budget(program, len(doc.text)):.0f} s, "
                   f"document_budget_ms {document_budget_ms(program)} per million characters) at character "
                   f"{at} of {len(doc.text)}; the matches from there on are dropped", None, (at, len(doc.text)))
