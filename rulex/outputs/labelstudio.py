"""Label Studio tasks with the matches as predictions, to review and correct in Label Studio.

The output is one JSON array (what Label Studio imports from a `.json` file), one task per
document, each on a line of its own, documents without matches included (so misses can be
annotated too):

    [
    {"data": {"text": "...", "doc": "000_e877"}, "predictions": [{"model_version": "conflict@0.2.0+00cfcad1cd16", "result": [
        {"id": "1-1", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 412, "end": 515, "text": "Iran launched ...", "labels": ["Attack"]}},
        {"id": "1-2", ..., "value": {"start": 412, "end": 416, "text": "Iran", "labels": ["Actor"]}},
        {"from_id": "1-1", "to_id": "1-2", "type": "relation", "direction": "right", "labels": ["attacker"]}]}]}
    ]

- regions and relations as `rulex.outputs.regions` makes them: the event's span labelled with
  its type, each argument's labelled with its type, a relation from the event to each argument
  labelled with its role; an entity match is a region alone;
- `start`/`end` count characters (code points) of `data.text`, as Python and Label Studio do;
- `data.doc` is the document id, `data.meta` the document's metadata (JSONL keys other than
  id, text and date), when it has any;
- `model_version` is `options["model_version"]`: `rulex run` sets the pack's `name@version+digest`
  (the first 12 hex digits of `Pack.digest`, which any edit of the pack's files changes);
- region ids are `<task>-<region>` (1-based), unique in the file.

The array is written as it goes (`[` first, a task per document, `]` at close), so memory
stays flat. With a file target `OUT.json`, close() also writes the labeling configuration
Label Studio needs for these tasks, `OUT.labelconfig.xml` (`labelconfig_path`): a `Labels`
of every type seen, a `Relations` of every role seen (if any), and the `Text`. Written to stdout,
the tasks come without it.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

from ..document import Document
from ..match import Match
from . import StreamWriter, colour, to_json
from .regions import regions_of

LABELS_NAME, TEXT_NAME = "label", "text"   # the names of the Labels and Text tags of the config


class LabelStudioWriter(StreamWriter):
    name = "labelstudio"
    appendable = False

    def __init__(self, target, options=None):
        super().__init__(target, options)
        self.model_version = str(self.options.get("model_version") or "rulex")
        self._labels: dict[str, None] = {}   # every label and role seen, in order of first use
        self._roles: dict[str, None] = {}
        self.out.write("[")

    def write(self, doc: Document, matches: Sequence[Match]) -> None:
        self._check_open()
        self.documents += 1
        self.matches += len(matches)
        self.out.write(("\n" if self.documents == 1 else ",\n") + to_json(self.task(doc, matches)))
        self.out.flush()

    def task(self, doc: Document, matches: Sequence[Match]) -> dict:
        """The Label Studio task of one document."""
        found = regions_of(matches)
        ids = [f"{self.documents}-{region.index + 1}" for region in found.regions]
        result: list[dict] = [
            {"id": ids[r.index], "from_name": LABELS_NAME, "to_name": TEXT_NAME, "type": "labels",
             "value": {"start": r.start, "end": r.end, "text": r.text, "labels": [r.label]}}
            for r in found.regions]
        result += [{"from_id": ids[arc.head], "to_id": ids[arc.child], "type": "relation", "direction": "right",
                    "labels": [arc.role]} for arc in found.arcs]
        self._labels.update(dict.fromkeys(found.labels))
        self._roles.update(dict.fromkeys(arc.role for arc in found.arcs))
        data: dict = {"text": doc.text, "doc": doc.id}
        if doc.meta:
            data["meta"] = doc.meta
        return {"data": data, "predictions": [{"model_version": self.model_version, "result": result}]}

    def finish(self) -> None:
        self.out.write("\n]\n")
        if self._owns and self.target is not None:
            labelconfig_path(self.target).write_text(label_config(self._labels, self._roles), encoding="utf-8")


def labelconfig_path(target) -> Path:
    """Where the labeling configuration of tasks written to the file `target` goes: OUT.json -> OUT.labelconfig.xml."""
    path = Path(target)
    return path.with_name(f"{path.name.removesuffix(path.suffix) or path.name}.labelconfig.xml")


def label_config(labels: dict[str, None] | list[str], roles: dict[str, None] | list[str]) -> str:
    """The labeling configuration (XML) of tasks with these region labels and relation roles."""
    lines = ["<View>", f'  <Labels name="{LABELS_NAME}" toName="{TEXT_NAME}">']
    lines += [f"    <Label value={quoteattr(label)} background={quoteattr(colour(i))}/>" for i, label in enumerate(labels)]
    lines.append("  </Labels>")
    if roles:
        lines += ["  <Relations>", *(f"    <Relation value={quoteattr(role)}/>" for role in roles), "  </Relations>"]
    lines += [f'  <Text name="{TEXT_NAME}" value="${TEXT_NAME}"/>', "</View>"]
    return "\n".join(lines) + "\n"
