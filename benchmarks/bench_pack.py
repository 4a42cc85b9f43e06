"""The conflict pack, start-up included, against spaCy's blank English tokenizer alone.

Over the mixed-case files of ../shared/corpus/news (wikinews + aeb, about 2 MB), in one run:
- rulex: `rulex run rules/conflict FILES -o /dev/null` as a subprocess, wall time, with the
  compiled pack cached (the usual case) and, with --cold, also from an empty cache;
- peer: `spacy.blank("en")` tokenizing the same texts (the tokenizer only: spaCy's import
  and pipeline construction are not counted, which favours the peer). rulex runs from
  byte-compiled modules, as an installed rulex does (compiled here first).
Prints both times and the ratio rulex / spaCy (below 1: rulex is faster). With `--against
REV`, the same pack and rulex at an earlier git revision (checked out into a temporary
worktree) run in the same sitting, interleaved, and the ratio now / then is printed: how much
a change of the pack or the engine costs.

    .venv/bin/python benchmarks/bench_pack.py [--pack rules/conflict] [--repeat 3] [--cold] [--against REV]
    .venv/bin/python benchmarks/bench_pack.py --against 739ca2d --no-peer   # without spaCy
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


def earlier_version(rev: str, where: Path) -> Path:
    """A worktree of the repository at `rev` (rulex and its rule packs as they were then)."""
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), rev],
                   check=True, capture_output=True)
    compileall.compile_dir(str(where / "rulex"), quiet=1)
    return where


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
    parser.add_argument("--against", metavar="REV", help="also time rulex and its pack at this git revision")
    parser.add_argument("--no-peer", action="store_true", help="do not time spaCy (not installed)")
    args = parser.parse_args()
    if args.against:
        with tempfile.TemporaryDirectory() as tmp:
            try:
                return compare(args, Path(tmp) / "then")
            finally:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(Path(tmp) / "then")],
                               capture_output=True)
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


def compare(args, where: Path) -> int:
    """Now against `args.against`, runs interleaved (then, now, then, now ...), best of each."""
    files = [CORPUS / name for name in FILES]
    size = sum(path.stat().st_size for path in files) / 1e6
    then = earlier_version(args.against, where)
    relative = Path(args.pack).resolve().relative_to(ROOT)
    env_now = dict(os.environ)
    env_then = {**os.environ, "PYTHONPATH": str(then) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    compileall.compile_dir(str(ROOT / "rulex"), quiet=1)
    runs = {"then": [], "now": []}
    for env, pack in ((env_then, str(then / relative)), (env_now, args.pack)):
        rulex_seconds(pack, files, env)  # fill the cache
    for _ in range(args.repeat):
        runs["then"].append(rulex_seconds(str(then / relative), files, env_then))
        runs["now"].append(rulex_seconds(args.pack, files, env_now))
    best = {k: min(v) for k, v in runs.items()}
    print(f"{size:.2f} MB (mixed case: {', '.join(FILES)}), start-up included, cached pack, best of {args.repeat}")
    print(f"rulex at {args.against}: {best['then']:.2f} s ({size / best['then']:.2f} MB/s)  runs: "
          + ", ".join(f"{t:.2f}" for t in runs["then"]))
    print(f"rulex now: {best['now']:.2f} s ({size / best['now']:.2f} MB/s)  runs: " + ", ".join(f"{t:.2f}" for t in runs["now"]))
    print(f"ratio now / {args.against}: {best['now'] / best['then']:.2f}x")
    if not args.no_peer:
        texts = [json.loads(line)["text"] for path in files for line in path.open(encoding="utf-8") if line.strip()]
        peer = min(spacy_seconds(texts) for _ in range(args.repeat))
        print(f"spaCy blank('en') tokenizer alone: {peer:.2f} s; ratio now / spaCy {best['now'] / peer:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
