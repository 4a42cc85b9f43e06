"""Compiling a pack again after an edit of one of its rule files, in the process that keeps it
(`rulex serve`): within the 300 ms an analyst waits for matches as they type.

The lexicons (48,000 aliases in the conflict pack) are read once, and so is their alias index.
A rule file's items that did not change are not parsed again (parser.py keeps Lark's tree of
each item by its text). A compile takes from the ones before every rule whose inputs did not
change: the rule itself, the defines and entity rules it uses, what their type names mean
(the compiler's store of compiled rules, `compiler.memoised_rules`, which moves the spans of a
rule whose elements moved in their file). Anything else is compiled as `rulex.load` does;
tests/test_serve.py checks that both give the same rules.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..compiler import NEVER, CompiledRule, compile_links, compile_pack, memoised_rules, remember
from ..diagnostics import DiagnosticBag
from ..loader import LoadedPack
from ..pack import note_unanchored
from ..program import AliasIndex, Program, alias_index, build_program, pack_digest, used_lexicons
from ..resolve import ResolvedPack, resolve


@dataclass(frozen=True)
class Outcome:
    """One compile: the resolved pack, and the program when it has no errors."""
    resolved: ResolvedPack
    program: Program | None
    reused: int = 0        # rules taken from the compile before
    compiled: int = 0      # rules compiled


class IncrementalCompiler:
    """Compiles a loaded pack again and again, each time reusing what the edits left alone."""

    def __init__(self) -> None:
        self.aliases: tuple[frozenset[int], AliasIndex] | None = None  # the lexicons used, their index

    def compile(self, loaded: LoadedPack, bag: DiagnosticBag, before: Program | None = None) -> Outcome:
        """The pack compiled (no program when `bag` holds errors, its own or the loader's). `before`:
        a program compiled from these very files (the compile cache's), whose rules are taken."""
        resolved = resolve(loaded, bag)
        if bag.errors:
            return Outcome(resolved, None)
        kept = _same_rules(resolved, before) if before is not None else memoised_rules(resolved)
        if before is not None and self.aliases is None:
            self.aliases = (frozenset(used_lexicons(resolved.manifest, list(before.rules), loaded.lexicons)), before.aliases)
        compiled = compile_pack(resolved, bag, kept=kept)
        remember(resolved, compiled)
        note_unanchored(compiled, resolved.rules, bag)
        used = frozenset(used_lexicons(resolved.manifest, compiled, loaded.lexicons))
        if self.aliases is None or self.aliases[0] != used:
            self.aliases = (used, alias_index(loaded.lexicons, used))
        program = build_program(resolved.manifest, compiled, loaded.lexicons, compile_links(resolved),
                                self.aliases[1], interactive=True, digest=pack_digest(loaded.sources))
        return Outcome(resolved, program, len(kept), len(compiled) - len(kept))


def _same_rules(resolved: ResolvedPack, program: Program) -> dict[int, CompiledRule]:
    """The program's rules by index, if they are the resolved pack's rules (same ids, files and lines)."""
    compiled = program.rules
    if [(r.local_id, r.file, r.line) for r in compiled] != [(r.id, r.span.file, r.span.line) for r in resolved.rules]:
        return {}
    return {index: rule for index, rule in enumerate(compiled) if rule.source != NEVER}
