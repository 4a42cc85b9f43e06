"""Print the AST back as canonical rule text (for `inspect`, bug reports and round-trip tests)."""
from __future__ import annotations

import json

from . import ast


def pattern_text(node: ast.Pattern) -> str:
    """One pattern in canonical form: parsing the output gives the same pattern again."""
    if isinstance(node, ast.Literal):
        simple = node.text.replace("-", "").replace(".", "").replace("'", "").isalnum() and node.text[0].isalnum()
        body = node.text if simple else json.dumps(node.text, ensure_ascii=False)
        return ("=" if node.case_sensitive else "") + body
    if isinstance(node, ast.WordForms):
        return "<" + "|".join(node.lemmas) + ">"
    if isinstance(node, ast.Slot):
        types = "|".join(t.name for t in node.types)
        nested = "".join(f" with {n.role}:" + "|".join(t.name for t in n.types) for n in node.nested)
        return "{" + (f"{node.role}:" if node.role else "") + types + nested + "}"
    if isinstance(node, ast.AnyWord):
        return "_"
    if isinstance(node, ast.RawRegex):
        return "/" + node.source.replace("/", "\\/") + "/"
    if isinstance(node, ast.Sequence):
        return " ".join(_grouped(i, ast.Alternation) for i in node.items)
    if isinstance(node, ast.Alternation):
        return " | ".join(_grouped(o, ast.Alternation) for o in node.options)
    if isinstance(node, ast.Repeat):
        inner = _grouped(node.item, (ast.Alternation, ast.Sequence, ast.Repeat))
        if (node.min, node.max) == (0, 1):
            return inner + "?"
        if node.max is None:
            return inner + ("*" if node.min == 0 else "+" if node.min == 1 else f"{{{node.min},}}")
        return inner + (f"{{{node.min}}}" if node.min == node.max else f"{{{node.min},{node.max}}}")
    raise TypeError(node)


def _grouped(node: ast.Pattern, kinds) -> str:
    text = pattern_text(node)
    return f"({text})" if isinstance(node, kinds) else text


def example_value_text(value) -> str:
    """An example's expected value as rule text: `Iran`, `13`, `{min: 13}`, `"2020-01-07"`."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {example_value_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    return text if text.replace("_", "").replace(".", "").replace("-", "").isalnum() and not text[0].isdigit() \
        else json.dumps(text, ensure_ascii=False)


def rule_text(rule: ast.Rule) -> str:
    """A rule with all its clauses (templates are printed as the pattern they compile to)."""
    lines = [f"rule: {rule.id}", f"  pattern: {pattern_text(rule.pattern)}"]
    if rule.priority:
        lines.append(f"  priority: {rule.priority}")
    if rule.overlap:
        lines.append(f"  overlap: {rule.overlap}")
    if rule.case_sensitive:
        lines.append("  case: sensitive")
    for condition in ast.context_conditions(rule):
        lines.append(f"  {condition.keyword}: {pattern_text(condition.pattern)}")
    if rule.sets:
        lines.append("  set: " + ", ".join(f"{f.name} = " + (json.dumps(f.value, ensure_ascii=False) if isinstance(f.value, str)
                                                              else example_value_text(f.value)) for f in rule.sets))
    for search in rule.searches:
        lines.append(f"  find {search.direction.value} in {search.scope.value}: {pattern_text(search.pattern)}"
                     .replace("find either ", "find "))
    lines += _examples_text(rule.examples)
    return "\n".join(lines)


def _examples_text(examples: tuple[ast.Example, ...]) -> list[str]:
    lines = []
    for example in examples:
        lines.append(f"  {'example' if example.positive else 'counter'}: {json.dumps(example.text, ensure_ascii=False)}")
        for arg in example.expected:
            value = f" -> {example_value_text(arg.value)}" if arg.has_value else ""
            lines.append(f"    {arg.role} = {json.dumps(arg.text, ensure_ascii=False)}{value}")
    return lines


def link_text(link: ast.Link) -> str:
    """A `link:` item with all its clauses."""
    lines = [f"link: {link.id}", f"  events: {link.types[0]}, {link.types[1]}"]
    if link.joined_by is not None:
        lines.append(f"  joined by: {pattern_text(link.joined_by)}")
    lines.append("  share: " + ", ".join(p.first if p.first == p.second else f"{p.first} = {p.second}"
                                          for p in link.share))
    lines += _examples_text(link.examples)
    return "\n".join(lines)


def file_text(rule_file: ast.RuleFile) -> str:
    """A whole rule file; rules are grouped under their event/entity headers."""
    out = [f"import: {json.dumps(i.path)}" for i in rule_file.imports]
    out += [f"define: {d.name} = {pattern_text(d.pattern)}" for d in rule_file.defines]
    section = None
    for rule in rule_file.rules:
        if (rule.kind, rule.type) != section:
            section = (rule.kind, rule.type)
            out.append(f"{rule.kind}: {rule.type}")
        out.append(rule_text(rule))
    out += [link_text(link) for link in rule_file.links]
    return "\n".join(out) + "\n"
