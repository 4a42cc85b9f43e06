"""Plain text for reading in a terminal or a page: each document, then each match with its
arguments, one per line.

    == 000_e8770538015dd795: 2 matches
    Attack  "Iran has delivered missile strikes against ... in western Iraq"  31-122
        conflict.attack.carry_out  rules/conflict/attack.rulex:133
        attacker  "Iran"  -> Iran
        place     "western Iraq"  -> Iraq

An argument's normalised value, when it has one, follows `->`; attributes that are true
are listed after `attrs:`. Documents without
matches get their header line only. Not meant for machines: use jsonl or csv for that.
"""
from __future__ import annotations

from collections.abc import Sequence

from ..document import Document
from ..match import Match
from . import StreamWriter, rule_location, value_text

_TEXT_WIDTH = 100   # longer match texts are cut in the middle with " ... "


def shorten(text: str, width: int = _TEXT_WIDTH) -> str:
    """The text on one line, cut in the middle when longer than `width`."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    half = (width - 5) // 2
    return f"{text[:half]} ... {text[-half:]}"


def argument_lines(args: dict) -> list[str]:
    """One line per argument (several for a role bound more than once), roles aligned."""
    items = [(role, arg) for role, value in args.items() for arg in (value if isinstance(value, list) else [value])]
    width = max((len(role) for role, _ in items), default=0)
    lines = []
    for role, arg in items:
        line = f"    {role:<{width}}  \"{shorten(arg['text'], 60)}\""
        if "value" in arg:
            line += f"  -> {value_text(arg['value'])}"
        lines.append(line)
    return lines


class TextWriter(StreamWriter):
    name = "text"

    def write(self, doc: Document, matches: Sequence[Match]) -> None:
        self._check_open()
        self.documents += 1
        count = f"{len(matches)} match" + ("" if len(matches) == 1 else "es")
        lines = [f"== {doc.id}: {count}"]
        for match in matches:
            record = match.to_dict()
            lines.append(f"{record['type']}  \"{shorten(record['text'])}\"  {record['start']}-{record['end']}")
            lines.append(f"    {record['rule']}  {rule_location(match)}")
            lines += argument_lines(record.get("args", {}))
            flags = [name for name, on in record.get("attrs", {}).items() if on is True]
            if flags:
                lines.append(f"    attrs: {', '.join(flags)}")
            self.matches += 1
        self.out.write("\n".join(lines) + "\n\n")
        self.out.flush()
