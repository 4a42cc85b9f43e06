"""The analyst's edit loop on a pack: edit a rule, `rulex test`, read, repeat (issue 19).

Times, as wall-clock seconds of a subprocess each, on a copy of the pack (so nothing in the
repository is touched):
- cold: `rulex check` with an empty cache (everything compiled);
- test, nothing changed: `rulex test` once the cache is warm;
- test after an edit: one rule's pattern changed (an optional word added at its end), then
  `rulex test`;
- check after an edit: the same, `rulex check`.
With `--against REV`, rulex at that git revision (a temporary worktree) times the same steps on
its own copy of the same pack, interleaved, and the ratios now / then are printed.

    .venv/bin/python benchmarks/bench_edit.py [--pack rules/conflict] [--repeat 3] [--against REV]
"""
from __future__ import annotations

import argparse
import compileall
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_pack import ROOT, earlier_version

STEPS = ("cold check", "test, nothing changed", "test after an edit", "check after an edit")


def run_seconds(args: list[str], env: dict, cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "rulex", *args], capture_output=True, text=True, env=env, cwd=cwd)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"rulex {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed


def edit_one_rule(pack: Path, count: int) -> None:
    """Add an optional word at the end of the first pattern of the pack's first rule file (a
    different word each time, so each edit makes a regex not compiled before)."""
    path = sorted(pack.glob("*.rulex"))[0]
    text = path.read_text(encoding="utf-8")
    edited = re.sub(r"(?m)^(\s*pattern:[^\n]*)$", lambda m: m.group(1) + f" (edit{count})?", text, count=1)
    path.write_text(edited, encoding="utf-8")


def one_round(code: Path, pack: Path, cache: Path, count: int) -> dict[str, float]:
    """The four steps on `pack` with rulex from `code`, in a fresh cache directory."""
    shutil.rmtree(cache, ignore_errors=True)
    env = {**os.environ, "RULEX_CACHE_DIR": str(cache), "PYTHONPATH": str(code)}
    out = {"cold check": run_seconds(["check", str(pack)], env, code)}
    run_seconds(["test", str(pack)], env, code)  # the pack compiled and cached for `test`
    out["test, nothing changed"] = run_seconds(["test", str(pack)], env, code)
    edit_one_rule(pack, count)
    out["test after an edit"] = run_seconds(["test", str(pack)], env, code)
    edit_one_rule(pack, count + 1000)
    out["check after an edit"] = run_seconds(["check", str(pack)], env, code)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", default=str(ROOT / "rules" / "conflict"))
    parser.add_argument("--repeat", type=int, default=3, help="best of N rounds")
    parser.add_argument("--against", metavar="REV", help="also time rulex at this git revision")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        versions = {"now": ROOT}
        if args.against:
            versions[args.against] = earlier_version(args.against, work / "then")
        compileall.compile_dir(str(ROOT / "rulex"), quiet=1)
        try:
            runs: dict[str, list[dict[str, float]]] = {name: [] for name in versions}
            for round_number in range(args.repeat):
                for name, code in versions.items():  # interleaved: then, now, then, now ...
                    pack = work / f"pack-{round_number}-{name.replace('/', '_')}"
                    shutil.copytree(args.pack, pack)
                    runs[name].append(one_round(code, pack, work / "cache", round_number))
        finally:
            if args.against:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(work / "then")],
                               capture_output=True)
    print(f"edit loop on {Path(args.pack).name}, wall seconds, best of {args.repeat}")
    best = {name: {step: min(r[step] for r in rounds) for step in STEPS} for name, rounds in runs.items()}
    header = f"{'step':<24}" + "".join(f"{name:>12}" for name in best) + ("   now / then" if args.against else "")
    print(header)
    for step in STEPS:
        line = f"{step:<24}" + "".join(f"{best[name][step]:>12.2f}" for name in best)
        if args.against:
            line += f"   {best['now'][step] / best[args.against][step]:.2f}x"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
