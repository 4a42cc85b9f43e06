"""Sharded runs on one machine and on a local Dask cluster (issue 20): time, MB/s, peak memory
per worker and the cost of one task.

Builds the corpus (../shared/corpus/news, every file) 4 and 16 times over (each copy a new
document id), then runs `rulex run PACK CORPUS -o DIR/` as a subprocess with `-j 1`, `-j 2` and
`--dask local:2` (a local cluster of 2 worker processes, started by the run), and reports for
each: wall time (the run's, start-up and pack loading included), MB/s of JSONL input, the peak
RSS of the biggest worker process (sampled every 0.1 s; -j 1: the one process) and of the
client, and checks that the shards of every run are the same bytes. Then the targets: Dask
within 10% of -j 2 at 16x, 1.8x or better over -j 1, worker memory flat from 4x to 16x.

The cost of a task: 400 files without a document run as 400 partitions and as one, with -j 2
and --dask local:2: (time of 400 - time of 1) x 2 workers / 399 tasks.

    .venv/bin/python benchmarks/bench_cluster.py [--pack rules/conflict] [--copies 4,16] [--partition-mb 4]
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil  # a dependency of distributed

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "news"
RULEX = [sys.executable, "-m", "rulex"]
MODES = {"-j 1": ["-j", "1"], "-j 2": ["-j", "2"], "dask 2": ["--dask", "local:2"]}


def build_corpus(target: Path, copies: int) -> int:
    """The news corpus `copies` times over, as one JSONL file; its size in bytes."""
    records = [json.loads(line) for path in sorted(CORPUS.glob("*.jsonl")) for line in path.open(encoding="utf-8")]
    with target.open("w", encoding="utf-8") as fh:
        for copy in range(copies):
            for record in records:
                fh.write(json.dumps({**record, "id": f"{record.get('id')}#{copy}"}) + "\n")
    return target.stat().st_size


def run(args: list[str]) -> tuple[float, float, float, subprocess.CompletedProcess]:
    """(seconds, peak RSS MB of the biggest worker, of the client) of one `rulex run`."""
    started = time.perf_counter()
    proc = subprocess.Popen(RULEX + args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    main = psutil.Process(proc.pid)
    peaks: dict[int, int] = {}
    while proc.poll() is None:
        try:
            for process in [main, *main.children(recursive=True)]:
                try:
                    peaks[process.pid] = max(peaks.get(process.pid, 0), process.memory_info().rss)
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
        time.sleep(0.1)
    out, err = proc.communicate()
    elapsed = time.perf_counter() - started
    client = peaks.pop(proc.pid, 0)
    worker = max(peaks.values(), default=client)
    return elapsed, worker / 1e6, client / 1e6, subprocess.CompletedProcess(args, proc.returncode, out, err)


def shards(outdir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(outdir.glob("part-*.jsonl")))


def task_cost(pack: str, folder: Path) -> dict[str, float]:
    """Seconds one task costs, per mode with 2 workers: 400 files that hold no document (a
    blank line of 1,100 bytes each) run as 400 partitions and as one; the difference is the
    cost of 399 tasks, shared by 2 workers."""
    inputs = folder / "blank"
    inputs.mkdir()
    for i in range(400):
        (inputs / f"d{i:03d}.jsonl").write_text(" " * 1100 + "\n")
    costs = {}
    for mode in ("-j 2", "dask 2"):
        times = []
        for partition_mb in ("0.001", "1000"):
            out = folder / f"out-{mode.replace(' ', '')}-{partition_mb}"
            elapsed, _, _, result = run(["run", pack, str(inputs), "-o", f"{out}/", "-q", "--partition-mb", partition_mb,
                                         *MODES[mode]])
            assert result.returncode == 0, result.stderr
            times.append(elapsed)
        costs[mode] = (times[0] - times[1]) * 2 / 399
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pack", default=str(ROOT / "rules" / "conflict"))
    parser.add_argument("--copies", default="4,16", help="corpus sizes, as copies of the corpus ('' : only the task cost)")
    parser.add_argument("--partition-mb", default="4")
    options = parser.parse_args()
    subprocess.run(RULEX + ["check", options.pack], capture_output=True, cwd=ROOT)   # compiled into the cache first
    folder = Path(tempfile.mkdtemp(prefix="rulex-bench-cluster-"))
    rows: dict[tuple[int, str], tuple[float, float, float, float]] = {}
    try:
        for copies in [int(c) for c in options.copies.split(",") if c]:
            corpus = folder / f"corpus-{copies}x.jsonl"
            size = build_corpus(corpus, copies)
            reference = None
            for mode, flags in MODES.items():
                out = folder / f"out-{copies}-{mode.replace(' ', '')}"
                elapsed, worker, client, result = run(["run", options.pack, str(corpus), "-o", f"{out}/", "-q",
                                                       "--partition-mb", options.partition_mb, *flags])
                if result.returncode not in (0, 1):
                    sys.exit(f"{mode}: {result.stderr}")
                data = shards(out)
                reference = reference if reference is not None else data
                failed = [f"{f['doc']} {f['code']}" for p in json.loads((out / "manifest.json").read_text())["partitions"]
                          for f in p["done"]["failures"]]
                if data != reference or failed:   # a rule or document out of its time on a busy machine
                    print(f"{mode} at {copies}x: shards {'differ from' if data != reference else 'as'} -j 1's; "
                          f"failed: {', '.join(failed) or 'none'}", flush=True)
                rows[copies, mode] = (elapsed, size / 1e6 / elapsed, worker, client)
                print(f"{copies:3d}x {size / 1e6:6.1f} MB  {mode:7s} {elapsed:7.1f} s {size / 1e6 / elapsed:6.2f} MB/s  "
                      f"peak RSS: worker {worker:6.0f} MB, client {client:6.0f} MB", flush=True)
                shutil.rmtree(out)
            corpus.unlink()
        costs = task_cost(options.pack, folder)
        print("cost of one task (2 workers): " + ", ".join(f"{mode} {1000 * cost:.1f} ms" for mode, cost in costs.items()))
        if not rows:
            return
        big, small = max(c for c, _ in rows), min(c for c, _ in rows)
        dask, j2, j1 = rows[big, "dask 2"][0], rows[big, "-j 2"][0], rows[big, "-j 1"][0]
        print(f"targets at {big}x: dask 2 / -j 2 = {dask / j2:.2f} (<= 1.10), -j 1 / dask 2 = {j1 / dask:.2f} (>= 1.8); "
              f"worker memory {big}x / {small}x: -j 2 {rows[big, '-j 2'][2] / rows[small, '-j 2'][2]:.2f}, "
              f"dask 2 {rows[big, 'dask 2'][2] / rows[small, 'dask 2'][2]:.2f} (flat: ~1)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
