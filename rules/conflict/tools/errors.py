#!/usr/bin/env python3
"""Print the conflict pack's misses and false alarms on a gold file, to see what to fix.

    .venv/bin/rulex run rules/conflict GOLD.jsonl > /tmp/pred.jsonl
    .venv/bin/python rules/conflict/tools/errors.py GOLD.jsonl /tmp/pred.jsonl [--cat attack|violence] [--args]

Matching is the scorer's (shared/tools/score_events.py): a predicted Attack (or Kill, for
`--cat violence`) is right when its span overlaps the trigger of a gold event of the
category in the same sentence. Prints each false positive (FP) and miss (FN) with its
sentence, the rule that fired, and with `--args` the argument errors of matched events.
"""
from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict

ROLE = {"attack": {"Attacker": "attacker", "Target": "target", "Instrument": "weapon", "Place": "place", "Victim": "victim"},
        "death": {"Agent": "killer", "Killer": "killer", "Victim": "victim", "Instrument": "weapon", "Place": "place"}}
PRED_CAT = {"Attack": "attack", "Kill": "death"}


def overlap(a, b):
    return a[0] < b[1] and b[0] < a[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("gold")
    ap.add_argument("pred")
    ap.add_argument("--cat", default="attack", choices=["attack", "violence"])
    ap.add_argument("--args", action="store_true")
    ap.add_argument("--only", choices=["fp", "fn"])
    a = ap.parse_args()
    cats = {"attack"} if a.cat == "attack" else {"attack", "death"}
    gold, text = {}, {}
    for line in open(a.gold):
        rec = json.loads(line)
        text[rec["id"]] = rec["text"]
        gold[rec["id"]] = [e for e in rec["events"] if e.get("category") in cats and e.get("trigger_span")]
    preds = defaultdict(list)
    for line in open(a.pred):
        rec = json.loads(line)
        if PRED_CAT.get(rec.get("type")) in cats and rec["doc"] in gold:
            preds[rec["doc"]].append(rec)
    rules_fp, rules_tp, words_fn = Counter(), Counter(), Counter()
    for sid, gevs in gold.items():
        used = set()
        for p in preds.get(sid, []):
            hit = next((i for i, g in enumerate(gevs) if i not in used and overlap((p["start"], p["end"]), g["trigger_span"])), None)
            if hit is None:
                rules_fp[p["rule"]] += 1
                if a.only != "fn":
                    print(f"FP {p['rule']:32s} [{p['text']}]  ||  {text[sid][:300]}")
            else:
                used.add(hit)
                rules_tp[p["rule"]] += 1
                g = gevs[hit]
                if a.args:
                    roles = ROLE[g["category"]]
                    gargs = [(roles[x["role"]], x["span"], x["text"]) for x in g.get("arg_list", []) if x.get("span") and x["role"] in roles]
                    pargs = [(r, (v["start"], v["end"]), v["text"]) for r, vs in p["args"].items() if r in roles.values()
                             for v in (vs if isinstance(vs, list) else [vs])]
                    bad = [x for x in pargs if not any(x[0] == y[0] and overlap(x[1], y[1]) for y in gargs)]
                    miss = [y for y in gargs if not any(x[0] == y[0] and overlap(x[1], y[1]) for x in pargs)]
                    if bad or miss:
                        print(f"ARG {p['rule']:30s} wrong={[(r, t) for r, _, t in bad]} missed={[(r, t) for r, _, t in miss]}"
                              f"  ||  {p['text'][:150]}")
        for i, g in enumerate(gevs):
            if i not in used:
                words_fn[g["trigger"].lower()] += 1
                if a.only != "fp":
                    print(f"FN {g['category']:6s} {g['trigger']!r:20s} ||  {text[sid][:300]}")
    print("\nper rule (tp, fp):", {r: (rules_tp[r], rules_fp[r]) for r in sorted(set(rules_tp) | set(rules_fp))})
    print("missed triggers:", words_fn.most_common(30))


if __name__ == "__main__":
    main()
