"""spaCy EntityRuler patterns imported as a rulex pack, and both run on one sentence
(docs/spacy.md; its output is checked by tests/test_docs.py).

    python docs/examples/spacy/import_patterns.py
"""
import json
import tempfile
from pathlib import Path

import spacy

from rulex.importers.spacy_patterns import read_patterns, report_lines, write_pack

PATTERNS = "docs/examples/spacy/patterns.jsonl"
TEXT = "Apple Inc. paid $500 for an office in San Francisco, then moved to New York City."


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        # --8<-- [start:import]
        imported = read_patterns(PATTERNS)                   # what `rulex import spacy` does
        written = write_pack(imported, Path(folder) / "entities", "entities")
        print("\n".join(report_lines(imported, written.types)))
        print((written.folder / "imported.rulex").read_text(encoding="utf-8"))
        # --8<-- [end:import]

        # --8<-- [start:compare]
        refused = {r.line for r in imported.refused}        # POS and SHAPE need a tagger in spaCy too
        lines = Path(PATTERNS).read_text(encoding="utf-8").splitlines()
        ruler = spacy.blank("en")
        ruler.add_pipe("entity_ruler").add_patterns([json.loads(line) for n, line in enumerate(lines, 1) if n not in refused])
        print("spaCy:", [(e.text, e.label_, e.ent_id_) for e in ruler(TEXT).ents])

        nlp = spacy.blank("en")
        nlp.add_pipe("rulex", config={"pack": str(written.folder)})
        doc = nlp(TEXT)
        spans = sorted((s for key in ("rulex_ORG", "rulex_GPE", "rulex_MONEY") for s in doc.spans[key]),
                       key=lambda s: s.start)
        print("rulex:", [(s.text, s.label_, s.kb_id_) for s in spans])
        # --8<-- [end:compare]


if __name__ == "__main__":
    main()
