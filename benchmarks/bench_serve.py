"""The playground's answer to an edit (`rulex serve`, issue 22): edit one rule of the conflict pack,
and time the request that brings back its diagnostics, the sentence's matches and the rule's
examples (POST /api/compile, through Starlette's TestClient, in this process).

The peer, measured in the same run and interleaved with it: what the same edit costs without the
playground, in one process with its stores warm: `rulex.load` of the edited pack (a new cache
entry: every rule compiled again, its regexes rebuilt from their stored code where they did not
change) and matching the sentence. Both work on a copy of the pack, in a compile cache of their
own; the session is frozen out of the garbage collector's sight as `rulex serve` keeps it, and
each timed step starts after a collection (neither pays for the other's garbage).

The rules edited are spread over the pack (every `--every`-th rule); each edit adds an
optional word at the end of the rule's first pattern line, a different one each time and for each
side (of the same length), so its regex is new to both (the `regex` module compiles it: the larger
part of an answer for a large rule).

    .venv/bin/python benchmarks/bench_serve.py [--pack rules/conflict] [--every 6]
"""
from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SENTENCE = "Iran launched more than a dozen ballistic missiles against U.S. forces in Iraq on Tuesday."


def edited(text: str, rule: str, word: str) -> str | None:
    """`text` with an optional `word` added at the end of `rule`'s first pattern line, or None."""
    found = re.search(r"(?m)^rule:\s*" + re.escape(rule) + r"\s*$(?:\n(?!rule:).*)*?\n\s*pattern:[^\n]*", text)
    if found is None:
        return None
    return text[:found.end()] + f" ({word})?" + text[found.end():]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", default=str(ROOT / "rules" / "conflict"))
    parser.add_argument("--every", type=int, default=6, help="edit every N-th rule of the pack")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["RULEX_CACHE_DIR"] = str(work / "cache")
        served, peer = work / "served", work / "peer"
        shutil.copytree(args.pack, served)
        shutil.copytree(args.pack, peer)
        from starlette.testclient import TestClient

        import rulex
        from rulex.serve import Session, create_app, local_hosts
        started = time.perf_counter()
        rulex.load(peer)  # the stores warm for the peer: lexicons, alias index, regex code
        print(f"peer: first load {time.perf_counter() - started:.1f} s", file=sys.stderr)
        started = time.perf_counter()
        session = Session(served, freeze=True)  # as `rulex serve` keeps it
        print(f"playground: first compile {time.perf_counter() - started:.1f} s", file=sys.stderr)
        client = TestClient(create_app(session, local_hosts("127.0.0.1", 8765)), base_url="http://127.0.0.1:8765")
        rules = [(rule.local_id, Path(rule.file).name) for rule in session.current.pack.rules][::args.every]
        answers, compiles, loads = [], [], []
        for count, (rule, file_name) in enumerate(rules):
            text = session.texts[file_name]
            # each side its own word: a regex compiled by one is not taken by the other from this process's memory
            new, theirs = edited(text, rule, f"served{count:04d}"), edited(text, rule, f"peering{count:03d}")
            if new is None or theirs is None:
                continue
            gc.collect()  # each side starts from a heap without the other's garbage
            started = time.perf_counter()
            answer = client.post("/api/compile", json={"file": file_name, "text": new, "sentence": SENTENCE,
                                                       "date": "2020-01-08", "rule": rule})
            answers.append(time.perf_counter() - started)
            body = answer.json()
            if answer.status_code != 200 or body.get("stale"):
                raise SystemExit(f"the edit of {rule} did not compile: {body.get('error') or body['diagnostics'][:1]}")
            compiles.append(body["compile_ms"] / 1000)
            (peer / file_name).write_text(theirs, encoding="utf-8")
            gc.collect()
            started = time.perf_counter()
            rulex.load(peer).extract(SENTENCE, date="2020-01-08")
            loads.append(time.perf_counter() - started)
            print(f"{rule:<32} answer {answers[-1] * 1000:7.0f} ms (compile {compiles[-1] * 1000:5.0f} ms, "
                  f"{body['recompiled']} rule(s) compiled)   peer {loads[-1] * 1000:7.0f} ms", file=sys.stderr)
    print(f"an edit of one rule of {Path(args.pack).name} ({len(answers)} rules edited, wall ms)")
    print(f"{'':<36}{'median':>8}{'p90':>8}{'max':>8}")
    for name, found in (("playground: edit -> answer", answers), ("  of it, the compile", compiles),
                        ("peer: rulex.load + extract", loads)):
        ordered = sorted(found)
        p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
        print(f"{name:<36}{statistics.median(found) * 1000:8.0f}{p90 * 1000:8.0f}{max(found) * 1000:8.0f}")
    print(f"playground / peer (medians): {statistics.median(answers) / statistics.median(loads):.3f}x; "
          f"answers within 300 ms: {sum(a <= 0.3 for a in answers)} of {len(answers)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
