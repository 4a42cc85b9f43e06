"""Importers: rules written for other tools turned into rulex packs (`rulex import ...`).

| source | module |
| --- | --- |
| spaCy EntityRuler / SpanRuler patterns (JSONL) | `spacy_patterns.py` |
"""
