"""Prodigy tasks (JSONL) with the matches as spans and relations, for Prodigy's relations UI.

One line per document (documents without matches included), in Prodigy's task format:

    {"text": "...", "tokens": [{"text": "Iran", "start": 412, "end": 416, "id": 80, "ws": true}, ...],
     "spans": [{"start": 412, "end": 515, "token_start": 80, "token_end": 97, "label": "Attack"},
               {"start": 412, "end": 416, "token_start": 80, "token_end": 80, "label": "Actor"}, ...],
     "relations": [{"head": 97, "child": 80, "label": "attacker",
                    "head_span": {<the Attack span>}, "child_span": {<the Actor span>}}, ...],
     "meta": {"doc": "000_e877", "pack": "conflict@0.2.0+00cfcad1cd16"}}

- spans and relations as `rulex.outputs.regions` makes them (event -> argument, labelled with
  the role), except that an event's span is its *trigger*: the first run of tokens of the match
  that is in none of its arguments ("launched" in "Iran launched missiles at Erbil"), or the
  whole match when its arguments cover it. Prodigy draws neither nested nor overlapping spans,
  and a match holds its arguments. `start`/`end` are characters of `text`;
- tokens: runs of word characters and single other characters, also cut at every span's start
  and end, so spans always fall on token boundaries; `token_end` is inclusive, as in Prodigy;
  a relation's `head` and `child` are the last tokens of its spans;
- `meta` (shown by Prodigy under the task) holds the document id and the pack; a document's
  own metadata goes under `meta.meta`.

Prodigy reads it with e.g. `prodigy rel.manual DATASET blank:en tasks.jsonl --label ... --span-label ...`
(see docs/annotation-loop.md). Lines escape U+0085, U+2028 and U+2029 as the JSONL format does.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from ..document import Document
from ..match import Match
from . import StreamWriter
from .jsonl import one_line_json
from .regions import Region, regions_of

_TOKEN = re.compile(r"\w+|[^\w\s]")


class ProdigyWriter(StreamWriter):
    name = "prodigy"

    def write(self, doc: Document, matches: Sequence[Match]) -> None:
        self._check_open()
        self.documents += 1
        self.matches += len(matches)
        self.out.write(one_line_json(task(doc, matches, str(self.options.get("model_version") or "rulex"))))
        self.out.flush()


def task(doc: Document, matches: Sequence[Match], pack: str) -> dict:
    """The Prodigy task of one document."""
    found = regions_of(matches)
    tokens = tokenize(doc.text, {offset for r in found.regions for offset in (r.start, r.end)})
    starts, ends = [t["start"] for t in tokens], [t["end"] for t in tokens]

    def token_range(start: int, end: int) -> range:
        return range(bisect_right(ends, start), bisect_left(starts, end))

    def span(region: Region) -> dict:
        start, end = region.start, region.end
        arguments = [found.regions[arc.child] for arc in found.arcs if arc.head == region.index]
        if arguments:
            start, end = trigger(tokens, token_range(start, end), [token_range(a.start, a.end) for a in arguments],
                                 (start, end))
        out: dict = {"start": start, "end": end}
        inside = token_range(start, end)
        if inside:   # a span of only white space has no tokens
            out.update(token_start=inside[0], token_end=inside[-1])
        out["label"] = region.label
        return out

    spans = [span(r) for r in found.regions]
    relations = [{"head": spans[arc.head].get("token_end", 0), "child": spans[arc.child].get("token_end", 0),
                  "label": arc.role, "head_span": spans[arc.head], "child_span": spans[arc.child]}
                 for arc in found.arcs]
    meta: dict = {"doc": doc.id, "pack": pack}
    if doc.meta:
        meta["meta"] = doc.meta
    return {"text": doc.text, "tokens": tokens, "spans": spans, "relations": relations, "meta": meta}


def trigger(tokens: list[dict], match: range, arguments: list[range], whole: tuple[int, int]) -> tuple[int, int]:
    """The (start, end) of the first run of the match's tokens in none of its arguments, else `whole`."""
    free = [i for i in match if not any(i in argument for argument in arguments)]
    if not free:
        return whole
    last = free[0]
    while last + 1 in match and not any(last + 1 in argument for argument in arguments):
        last += 1
    return tokens[free[0]]["start"], tokens[last]["end"]


def tokenize(text: str, cuts: set[int]) -> list[dict]:
    """Prodigy tokens of `text`: word runs and other single characters, also cut at `cuts`."""
    tokens: list[dict] = []
    ordered = sorted(cuts)
    for m in _TOKEN.finditer(text):
        inner = ordered[bisect_right(ordered, m.start()):bisect_left(ordered, m.end())]
        bounds = [m.start(), *inner, m.end()]
        for start, end in zip(bounds, bounds[1:]):
            tokens.append({"text": text[start:end], "start": start, "end": end, "id": len(tokens),
                           "ws": end < len(text) and text[end].isspace()})
    return tokens
