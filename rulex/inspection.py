"""`rulex inspect`: what each pipeline stage made of a pack, as text for bug reports."""
from __future__ import annotations

import fnmatch

from . import printer
from .pack import Pack
from .planning import Anchor, AnchorKind
from .resolve import ResolvedPack


def show(stage: str, pack: Pack, resolved: ResolvedPack, rule_glob: str | None = None) -> str:
    """The `ast`, `regex` or `lexicons` stage of the pack, as text."""
    if stage == "lexicons":
        return _lexicons(pack)
    qualified = pack.name + "."
    wanted = [r for r in resolved.rules
              if rule_glob is None or fnmatch.fnmatchcase(r.id, rule_glob) or fnmatch.fnmatchcase(qualified + r.id, rule_glob)]
    if stage == "ast":
        out = [f"# {len(wanted)} rule(s), {len(resolved.defines)} sub-pattern(s)"]
        for define in resolved.defines.values():
            out.append(f"# {define.span.file}:{define.span.line}\ndefine: {define.name} = {printer.pattern_text(define.pattern)}")
        for rule in wanted:
            out.append(f"# {rule.span.file}:{rule.span.line}  ({rule.kind} {rule.type})\n{printer.rule_text(rule)}")
        return "\n\n".join(out)
    compiled = {r.local_id: r for r in pack.rules}
    out = []
    for rule in wanted:
        c = compiled[rule.id]
        anchors = "every sentence" if c.anchors is None else ", ".join(f"{a.kind.value}:{_name(pack, a)}" for a in c.anchors)
        lines = [f"# {c.id}  {c.file}:{c.line}",
                 f"anchors:   {anchors}",
                 "requires:  " + ("; ".join(" | ".join(_name(pack, a) for a in clause) for clause in c.requires) or "-"),
                 "lexicons:  " + (", ".join(pack.program.lexicons[i].name for i in sorted(c.lexicons)) or "-"),
                 "built-ins: " + (", ".join(c.builtins) or "-"),
                 "runs:      " + ("on its own" if c.standalone else "inside other rules")]
        if c.finder:
            lines.append(f"finder:    {_printable(c.finder)}")
        lines.append(f"regex:     {_printable(c.source)}")
        lines.append("groups:    " + ", ".join(f"{g.name}={g.kind}:{g.role or g.type or g.alternative}" for g in c.groups))
        out.append("\n".join(lines))
    return "\n\n".join(out)


def _name(pack: Pack, anchor: Anchor) -> str:
    return pack.program.lexicons[int(anchor.value)].name if anchor.kind is AnchorKind.LEXICON else str(anchor.value)


def _printable(source: str) -> str:
    """Private-use marker characters as \\uXXXX escapes, so the regex prints on any terminal."""
    return "".join(c if c.isprintable() and not 0xE000 <= ord(c) <= 0xF8FF else f"\\u{ord(c):04X}" for c in source)


def _lexicons(pack: Pack) -> str:
    out = []
    for lexicon in pack.program.lexicons:
        aliases = sum(len(e.aliases) for e in lexicon.entries)
        head = [f"# {lexicon.name}  ({lexicon.type})  {lexicon.file}",
                f"entries: {len(lexicon.entries)}, aliases: {aliases}"
                + (f", fuzzy: aliases of {lexicon.fuzzy_min_length}+ letters" if lexicon.fuzzy_min_length else "")]
        if lexicon.origin or lexicon.licence:
            head.append(f"source: {lexicon.origin or '-'}; licence: {lexicon.licence or '-'}")
        for entry in lexicon.entries:
            extra = ""
            if entry.valid_from or entry.valid_to:
                extra += f"  valid {entry.valid_from or '...'} to {entry.valid_to or '...'}"
            if entry.attrs:
                extra += f"  {entry.attrs}"
            head.append(f"  {entry.id}: {' | '.join(entry.aliases)}{extra}   ({entry.span.line})")
        out.append("\n".join(head))
    return "\n\n".join(out)
