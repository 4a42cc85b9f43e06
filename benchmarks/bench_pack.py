"""The conflict pack, start-up included, against spaCy's blank English tokenizer alone.

Over the mixed-case files of ../shared/corpus/news (wikinews + aeb, about 2 MB), in one run:
- rulex: `rulex run rules/conflict FILES -o /dev/null` as a subprocess, wall time, with the
  compiled pack cached (the usual case) and, with --cold, also from an empty cache;
- peer: `spacy.blank("en")` tokenizing the same texts (the tokenizer only: spaCy's import
  and pipeline construction are not counted, which favours the peer). rulex runs from
  byte-compiled modules, as an installed rulex does (compiled here first).
Prints both times and the ratio rulex / spaCy (below 1: rulex is faster).

    .venv/bin/python benchmarks/bench_pack.py [--pack rules/conflict] [--repeat 3] [--cold]
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "news"
FILES = ("wikinews.jsonl", "aeb_groundtruth.jsonl")


def rulex_seconds(pack: str, files: list[Path], env: dict) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "rulex", "run", pack, *map(str, files), "-o", os.devnull, "--quiet"],
                            capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):
        raise SystemExit(f"rulex run failed: {result.stderr}")
    return elapsed


def spacy_seconds(texts: list[str]) -> float:
    import spacy
    nlp = spacy.blank("en")
    started = time.perf_counter()
    for text in texts:
        nlp.tokenizer(text)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", default=str(ROOT / "rules" / "conflict"))
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs of each")
    parser.add_argument("--cold", action="store_true", help="also time a run that compiles the pack")
    args = parser.parse_args()
    files = [CORPUS / name for name in FILES]
    texts = [json.loads(line)["text"] for path in files for line in path.open(encoding="utf-8") if line.strip()]
    size = sum(len(t.encode()) for t in texts) / 1e6
    env = dict(os.environ)
    # An installed rulex runs from byte-compiled modules (pip compiles them; an editable
    # install writes them at first import, unless PYTHONDONTWRITEBYTECODE is set, as on some
    # machines, where every run would compile rulex's source anew, ~0.2 s): compile them
    # here, so that start-up is measured as users get it.
    compileall.compile_dir(str(ROOT / "rulex"), quiet=1)
    rulex_seconds(args.pack, files, env)  # fill the cache
    warm = min(rulex_seconds(args.pack, files, env) for _ in range(args.repeat))
    peer = min(spacy_seconds(texts) for _ in range(args.repeat))
    print(f"{len(texts)} documents, {size:.2f} MB (mixed case: {', '.join(FILES)})")
    print(f"rulex run {Path(args.pack).name}, start-up included, cached pack: {warm:.2f} s ({size / warm:.2f} MB/s)")
    if args.cold:
        with tempfile.TemporaryDirectory() as cache:
            cold = rulex_seconds(args.pack, files, {**env, "RULEX_CACHE_DIR": cache})
        print(f"rulex run, start-up included, empty cache (compiles the pack): {cold:.2f} s")
    print(f"spaCy blank('en') tokenizer alone: {peer:.2f} s ({size / peer:.2f} MB/s)")
    print(f"ratio rulex / spaCy tokenizer: {warm / peer:.2f}x (target < 1)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
