"""Peak memory and throughput of `rulex run` on a large corpus: does memory stay flat?

Builds JSONL corpora of about 10 MB and 100 MB by repeating ../shared/corpus/news (each copy
a new document id), runs `rulex run PACK CORPUS -o /dev/null` on each as a subprocess and
reports its peak RSS and MB/s, then the ratio of the two peaks (flat memory: about 1x) and,
with --jobs N, the speed-up of N worker processes over one on the large corpus. With --huge MB,
also one document of that size (the news texts joined by blank lines): its peak RSS above that
of the smallest corpus (the same texts as many documents, so the same rules tried and their
regexes built), as a multiple of its size in UTF-8 (docs/security.md, "Memory").

    .venv/bin/python benchmarks/bench_cli.py [--pack rules/conflict] [--sizes 10,100] [--jobs 2] [--huge 20]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "news"


def build_corpus(target: Path, megabytes: float) -> int:
    """Write about `megabytes` MB of JSONL documents; return the exact size in bytes."""
    records = [json.loads(line) for path in sorted(CORPUS.glob("*.jsonl")) for line in path.open(encoding="utf-8")]
    written, copy = 0, 0
    with target.open("w", encoding="utf-8") as fh:
        while written < megabytes * 1e6:
            for record in records:
                if written >= megabytes * 1e6:
                    break
                line = json.dumps({"id": f"{record.get('id')}#{copy}", "text": record["text"],
                                   **({"date": record["date"]} if record.get("date") else {})}) + "\n"
                fh.write(line)
                written += len(line.encode())
            copy += 1
    return written


def build_document(target: Path, megabytes: float) -> int:
    """Write one JSONL document: the corpus texts joined by blank lines, repeated to about
    `megabytes` million characters; return the size of its text in UTF-8."""
    one = "\n\n".join(json.loads(line)["text"] for path in sorted(CORPUS.glob("*.jsonl"))
                      for line in path.open(encoding="utf-8") if line.strip())
    size = int(megabytes * 1e6)
    text = "\n\n".join([one] * (size // (len(one) + 2) + 1))[:size]
    target.write_text(json.dumps({"id": target.stem, "text": text}) + "\n", encoding="utf-8")
    return len(text.encode("utf-8"))


MEASURE = """
import resource, subprocess, sys
result = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(result.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.stderr.write(result.stderr)
"""


def run(pack: str, corpus: Path, jobs: int) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one `rulex run`, measured from a fresh parent process so that
    the peak is this run's alone (with --jobs, the largest of its processes)."""
    command = [sys.executable, "-m", "rulex", "run", pack, str(corpus), "-o", os.devnull, "--jobs", str(jobs), "--quiet"]
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    code, peak_kb = result.stdout.split()
    if int(code) not in (0, 1):
        raise SystemExit(f"rulex run failed: {result.stderr}")
    return elapsed, int(peak_kb) / 1024  # ru_maxrss is in KB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", default=str(ROOT / "rules" / "conflict"))
    parser.add_argument("--sizes", default="10,100", help="corpus sizes in MB, smallest first")
    parser.add_argument("--jobs", type=int, default=2, help="also time the largest corpus with this many workers")
    parser.add_argument("--huge", type=float, default=0, help="also one document of this many MB (0: none)")
    args = parser.parse_args()
    if not CORPUS.exists():
        raise SystemExit(f"no corpus at {CORPUS}")
    subprocess.run([sys.executable, "-m", "rulex", "check", args.pack], capture_output=True)  # warm the cache
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in (float(s) for s in args.sizes.split(",")):
            corpus = Path(tmp) / f"corpus-{size:g}.jsonl"
            actual = build_corpus(corpus, size)
            seconds, peak = run(args.pack, corpus, 1)
            rows.append((size, actual, 1, seconds, peak))
            print(f"{actual / 1e6:8.1f} MB  jobs 1  {seconds:7.1f} s  {actual / 1e6 / seconds:6.2f} MB/s  "
                  f"peak RSS {peak:7.1f} MB", flush=True)
        if args.jobs > 1:
            seconds, _ = run(args.pack, corpus, args.jobs)
            print(f"{actual / 1e6:8.1f} MB  jobs {args.jobs}  {seconds:7.1f} s  {actual / 1e6 / seconds:6.2f} MB/s  "
                  f"speed-up {rows[-1][3] / seconds:.2f}x over jobs 1", flush=True)
        if args.huge:
            huge = Path(tmp) / "huge-document.jsonl"
            size = build_document(huge, args.huge)
            seconds, peak = run(args.pack, huge, 1)
            base = rows[0][4]
            print(f"{size / 1e6:8.1f} MB  one document  {seconds:7.1f} s  peak RSS {peak:7.1f} MB: "
                  f"{(peak - base) * 1024 * 1024 / size:.1f}x its size above the {rows[0][1] / 1e6:.0f} MB corpus",
                  flush=True)
    small, large = rows[0], rows[-1]
    print(f"peak RSS: {large[4]:.1f} MB on {large[1] / 1e6:.0f} MB of input, {small[4]:.1f} MB on "
          f"{small[1] / 1e6:.0f} MB: ratio {large[4] / small[4]:.2f}x for {large[1] / small[1]:.1f}x the input")
    return 0


if __name__ == "__main__":
    sys.exit(main())
