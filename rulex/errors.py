"""The one exception rulex raises for bad rule packs: it carries every diagnostic."""
from __future__ import annotations

from .diagnostics import Diagnostic
from .source import SourceFile


class RulexError(Exception):
    """A pack could not be loaded; `diagnostics` lists every problem found."""

    def __init__(self, diagnostics: list[Diagnostic], sources: dict[str, SourceFile] | None = None):
        self.diagnostics = diagnostics
        self.sources = sources or {}
        errors = [d for d in diagnostics if d.severity.value == "error"]
        super().__init__(f"{len(errors)} error(s) in rule pack")

    def render(self) -> str:
        return "\n\n".join(d.render(self.sources) for d in self.diagnostics)

    def __str__(self) -> str:
        return self.render()
