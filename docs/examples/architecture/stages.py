"""Follow one sentence through the run-time stages of rulex (docs/architecture.md runs this).

    python docs/examples/architecture/stages.py STAGE

STAGE is one of: ast, segment, plan, mentions, view, regex, match. Each prints what that stage makes of
the sentence below with the pack of this folder. It uses rulex's internal modules on purpose:
when they change, the docs build fails here and the architecture page gets updated.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import rulex
from rulex import planning
from rulex.builtins import BUILTIN_NAMES
from rulex.document import Document
from rulex.matcher import build_match, run_rule
from rulex.mentions import builtin_mentions, find_mentions
from rulex.segment import lowercase_view, normalise, split_sentences, tokenize
from rulex.view import CLOSE, ID_BASE, LEX_BASE, OPEN, SentenceView

PACK = Path(__file__).resolve().parent
SENTENCE = ("Iran launched more than a dozen ballistic missiles against U.S. military and coalition "
            "forces in Iraq.")


def readable(view_text: str, names: list[str]) -> str:
    """A view with its marker characters written as ⟦n:Source ... ⟧n."""
    out, i = [], 0
    while i < len(view_text):
        c = view_text[i]
        if c == OPEN:
            mention, source = ord(view_text[i + 1]) - ID_BASE, ord(view_text[i + 2]) - LEX_BASE
            out.append(f"⟦{mention}:{names[source]} ")
            i += 3
        elif c == CLOSE:
            out.append(f"⟧{ord(view_text[i + 1]) - ID_BASE}")
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def tree(node, depth: int = 0) -> list[str]:
    """An AST pattern node and its children, one per line, with the place each came from."""
    from rulex import ast
    pad, where = "  " * depth, f"  @{node.span.line}:{node.span.col}"
    if isinstance(node, ast.Sequence):
        return [pad + "Sequence" + where] + [line for item in node.items for line in tree(item, depth + 1)]
    if isinstance(node, ast.Alternation):
        return [pad + "Alternation" + where] + [line for item in node.options for line in tree(item, depth + 1)]
    if isinstance(node, ast.Repeat):
        most = "" if node.max is None else node.max
        return [pad + f"Repeat {{{node.min},{most}}}" + where] + tree(node.item, depth + 1)
    if isinstance(node, ast.Slot):
        return [pad + f"Slot role={node.role} types={'|'.join(t.name for t in node.types)}" + where]
    if isinstance(node, ast.WordForms):
        return [pad + f"WordForms {'|'.join(node.lemmas)}" + where]
    if isinstance(node, ast.Literal):
        return [pad + f"Literal {node.text!r}" + where]
    return [pad + type(node).__name__ + where]


def main(stage: str) -> None:
    if stage == "ast":
        from rulex.diagnostics import DiagnosticBag
        from rulex.parser import parse_file
        from rulex.source import SourceFile
        path = PACK / "attack.rulex"
        [rule] = parse_file(SourceFile(path.name, path.read_text(encoding="utf-8")), DiagnosticBag()).rules
        print(f"Rule id={rule.id} kind={rule.kind} type={rule.type}  @{rule.span.line}:{rule.span.col}")
        print("\n".join(tree(rule.pattern, 1)))
        return
    pack = rulex.load(PACK)
    program = pack.program
    [rule] = [r for r in program.rules if r.standalone]
    text = normalise(SENTENCE)
    lowered = lowercase_view(text)
    [(start, end)] = split_sentences(text)
    # a mention's source: lexicon i is i, built-in type j comes after the lexicons
    names = [lexicon.name for lexicon in program.lexicons] + list(BUILTIN_NAMES)
    if stage == "segment":
        print(f"sentence {start}-{end}")
        print(" · ".join(token.text for token in tokenize(text, start, end)))
        return
    if stage == "plan":
        print("anchors:      " + ", ".join(str(a.value) for a in rule.anchors or ()))
        print("requires:     " + "; ".join(" | ".join(names[int(a.value)] if a.kind is planning.AnchorKind.LEXICON
                                                      else str(a.value) for a in clause) for clause in rule.requires))
        if rule.near is not None:
            for side, conditions in (("before", rule.near.before), ("after", rule.near.after)):
                for c in conditions:
                    values = sorted(names[int(v)] if c.kind is planning.AnchorKind.LEXICON else str(v) for v in c.values)
                    print(f"{'near ' + side + ':':<14}{c.kind.value} {' | '.join(values)} within {c.runs} words of the anchor")
        plan = planning.plan(program, text, lowered)
        for index, rules in sorted(plan.candidates.items()):
            a, b = plan.sentences[index]
            tried = sorted(program.rules[r].local_id for r in rules - plan.skip.get(index, set()))
            print(f"sentence {a}-{b}: try {', '.join(tried) or 'nothing'}")
        return
    found = [m for m in find_mentions(program, text, lowered, start, end) if m.source in rule.lexicons]
    found += builtin_mentions(program, text, lowered, start, end, set(rule.builtins))
    found.sort(key=lambda m: (m.start, -m.end))
    if stage == "mentions":
        for m in found:
            entry = program.lexicons[m.source].entries[m.entry].id if m.entry >= 0 else "(built-in)"
            print(f"{m.start:>3}-{m.end:<3} {text[m.start:m.end]!r:<22} source {m.source} = {names[m.source]:<9} {entry}")
        return
    view = SentenceView(text, start, end, found)
    if stage == "view":
        print(readable(view.text, names))
        return
    [m] = list(run_rule(rule, view.text, 1.0))
    if stage == "regex":
        for group in rule.groups:
            if m.group(group.name) is not None:
                a, b = view.doc_span(*m.span(group.name))
                print(f"{group.name:<3} {group.kind}:{group.role or group.type:<9} {a:>3}-{b:<3} {text[a:b]!r}")
        return
    if stage == "match":
        match = build_match(program, rule, m, view, Document("doc", SENTENCE))
        print(json.dumps(match.to_dict(), ensure_ascii=False))
        return
    raise SystemExit(f"unknown stage {stage!r}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "segment")
