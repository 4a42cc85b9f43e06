"""Bytes of generated regex per rule, and the cold compile of a pack, with shared fragments and without.

Each mode runs in a fresh process with an empty cache (a cold compile): the pack is loaded
with cache=False, every regex compiled is timed (CPU time, so that other work on the machine
counts less), and the sizes of the rules' regexes are summed. `inline` writes every fragment
in place (compiler.SHARE = False), as rulex did before the shared fragments (issue 19).

    .venv/bin/python benchmarks/bench_patterns.py [--pack rules/conflict] [--repeat 1] [--mode shared|inline|both]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(pack: str, share: bool) -> dict:
    """In this process: the sizes of the pack's rule regexes and the time their compile took."""
    from rulex import compiler, regexcode
    from rulex import pack as packs
    compiler.SHARE = share
    regex_seconds = [0.0]
    record = regexcode.compile_recording

    def timed(*args, **kwargs):
        started = time.process_time()
        try:
            return record(*args, **kwargs)
        finally:
            regex_seconds[0] += time.process_time() - started

    regexcode.compile_recording = timed
    compile_pack = packs.compile_pack
    pack_seconds = [0.0, 0.0]

    def timed_pack(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return compile_pack(*args, **kwargs)
        finally:
            pack_seconds[0] += time.perf_counter() - wall
            pack_seconds[1] += time.process_time() - cpu

    packs.compile_pack = timed_pack
    wall, cpu = time.perf_counter(), time.process_time()
    loaded = packs.load(pack, cache=False)
    sizes = [len(rule.source.encode()) for rule in loaded.rules]
    return {"rules": len(sizes), "total": sum(sizes), "max": max(sizes), "median": statistics.median(sizes),
            "load_wall": time.perf_counter() - wall, "load_cpu": time.process_time() - cpu,
            "compile_wall": pack_seconds[0], "compile_cpu": pack_seconds[1], "regex_cpu": regex_seconds[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", default=str(ROOT / "rules" / "conflict"))
    parser.add_argument("--mode", choices=("shared", "inline", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each mode, interleaved; the best is shown")
    parser.add_argument("--child", choices=("shared", "inline"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.pack, args.child == "shared")))
        return 0
    modes = ("inline", "shared") if args.mode == "both" else (args.mode,)
    best: dict[str, dict] = {}
    for _ in range(args.repeat):
        for mode in modes:
            with tempfile.TemporaryDirectory() as cache:
                out = subprocess.run([sys.executable, __file__, "--pack", args.pack, "--child", mode],
                                     capture_output=True, text=True, check=True,
                                     env={**os.environ, "RULEX_CACHE_DIR": cache})
            found = json.loads(out.stdout.strip().splitlines()[-1])
            if mode not in best or found["compile_cpu"] < best[mode]["compile_cpu"]:
                best[mode] = found
    for mode, found in best.items():
        print(f"{mode:7} {found['rules']} rules, bytes of regex per rule: total {found['total']:,}, "
              f"max {found['max']:,}, median {found['median']:,.0f}; cold load {found['load_wall']:.2f} s "
              f"(CPU {found['load_cpu']:.2f} s), compile_pack {found['compile_wall']:.2f} s "
              f"(CPU {found['compile_cpu']:.2f} s, of which regex module {found['regex_cpu']:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
