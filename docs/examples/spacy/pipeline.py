"""rulex as a spaCy pipeline component (docs/spacy.md; its output is checked by tests/test_docs.py).

    python docs/examples/spacy/pipeline.py
"""
import tempfile
from pathlib import Path

import spacy
from spacy.tokens import Doc

PACK = "docs/examples/news"   # the cookbook's pack
TEXT = "The IRGC fired missiles at Erbil on Wednesday. Iran launched rockets at Ain al-Asad."


def main() -> None:
    # --8<-- [start:add]
    nlp = spacy.blank("en")
    nlp.add_pipe("rulex", config={"pack": PACK, "date": "2020-01-08"})
    doc = nlp(TEXT)
    for key, group in doc.spans.items():
        for span in group:
            print(f"{key:18} {span.label_:9} {span.text!r:40} kb_id={span.kb_id_!r}")
    # --8<-- [end:add]

    # --8<-- [start:matches]
    match = doc._.rulex_matches[0]                  # the output contract's object
    print(match["rule"], match["provenance"]["rule_file"], match["provenance"]["rule_line"])
    print(match["args"]["time"])
    # --8<-- [end:matches]

    # --8<-- [start:date]
    doc = nlp.make_doc("Iran fired missiles at Erbil on Wednesday.")
    doc._.rulex_date = "2021-03-05"                 # the document's own date wins over the config's
    print(nlp(doc)._.rulex_matches[0]["args"]["time"]["value"])
    # --8<-- [end:date]

    # --8<-- [start:misaligned]
    words = ["Iran", "fired", "missiles", "at", "Erbil."]   # "Erbil." is one token here
    doc = nlp(Doc(nlp.vocab, words=words, spaces=[True, True, True, True, False]))
    print([(s.label_, s.text) for s in doc.spans["rulex_Attack_args"]])
    for record in doc._.rulex_misaligned:
        print(record)
    # --8<-- [end:misaligned]

    # --8<-- [start:pipe]
    texts = ["Iran fired missiles at Erbil.", "Nothing happened.", "The IRGC launched rockets at Iraq."]
    for doc in nlp.pipe(texts, n_process=2):
        print(len(doc.spans["rulex_Attack"]), end=" ")
    print()
    # --8<-- [end:pipe]

    # --8<-- [start:save]
    with tempfile.TemporaryDirectory() as folder:
        nlp.to_disk(Path(folder) / "pipeline")      # rulex/pack/ holds a copy of the pack's files
        loaded = spacy.load(Path(folder) / "pipeline")
        doc = loaded(TEXT)
        print([span.text for span in doc.spans["rulex_Attack"]])
    # --8<-- [end:save]


if __name__ == "__main__":
    main()
