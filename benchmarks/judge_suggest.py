"""How good are suggested rules (issue 22 part 2)? Each event of the conflict gold's development
half (../shared/gold/adjudicated/adjudicated_sentences.dev.jsonl) is marked as a user would mark
it (its trigger, its arguments with their roles) and a rule is suggested from that sentence
alone, with the conflict pack's lexicons. Reported:

- marks refused (MarkError: e.g. an argument that overlaps the trigger without being it);
- how often the rule compiles, matches its own sentence at the trigger, gives the arguments its
  example lists (what `rulex test` checks), and gives exactly the marked arguments (all of them,
  nothing more; an argument the rule had to leave out counts against it);
- precision over a sample of corpus documents (../shared/corpus/news, mixed-case files). A hit is
  counted correct when the conflict pack (rules/conflict) extracts an event of the same type
  overlapping it. This is an APPROXIMATION: the pack's own precision and recall are far from
  perfect, so it counts some right hits wrong and some wrong ones right. `--sample FILE` writes
  a random sample of hits to check by hand;
- "several sentences -> one rule": events of one type grouped by the lemma of their trigger
  (2-4 a group), and random groups of 3 of one type (differing triggers), one rule per group.

    .venv/bin/python benchmarks/judge_suggest.py [--docs 120] [--sample hits.jsonl]
"""
from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import rulex  # noqa: E402
from rulex.document import Document  # noqa: E402
from rulex.matcher import match_document  # noqa: E402
from rulex.suggest import MarkedArgument, MarkedSentence, MarkError, Suggestion, TextSpan, compile_rule, lemma, suggest  # noqa: E402

SHARED = ROOT.parent / "shared"
GOLD = SHARED / "gold" / "adjudicated" / "adjudicated_sentences.dev.jsonl"
CORPUS = [SHARED / "corpus" / "news" / "wikinews.jsonl", SHARED / "corpus" / "news" / "aeb_groundtruth.jsonl"]


@dataclass(frozen=True)
class Judged:
    """One suggestion and what it got."""
    sentence: MarkedSentence
    suggestion: Suggestion


def marked_events(path: Path) -> tuple[list[MarkedSentence], list[str]]:
    """Every gold event as a marked sentence, and the reasons of those refused."""
    out, refused = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        date = rulex.document.parse_date(record.get("doc_date"))
        for event in record["events"]:
            args = tuple(MarkedArgument(role, TextSpan(*filler["span"]))
                         for role, fillers in event["args"].items() for filler in fillers)
            try:
                out.append(MarkedSentence(record["text"], TextSpan(*event["trigger"]), args, event["type"], date))
            except MarkError as err:
                refused.append(str(err))
    return out, refused


def rate(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "0/0"


def corpus_sample(count: int, seed: int) -> list[Document]:
    docs = []
    for path in CORPUS:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            docs.append(Document(record["id"], record["text"], rulex.document.parse_date(record.get("date"))))
    return random.Random(seed).sample(docs, min(count, len(docs)))


def combined_rules(judged: list[Judged]) -> str:
    """Every compiled suggestion in one rule file, each with its own id and `overlap: all`."""
    out = []
    for number, item in enumerate(judged):
        # its defines are named after it (suggested_attack_fired_words_4): after its new id
        text = item.suggestion.rule_text.replace(item.suggestion.rule_id.replace(".", "_") + "_", f"judge_e{number}_")
        text = re.sub(r"^rule: \S+$", f"rule: judge.e{number}\n  overlap: all", text, count=1, flags=re.M)
        out.append(text.split("  example:")[0])
    return "\n".join(out)


def precision(pack, judged: list[Judged], docs: list[Document], sample_path: str | None, seed: int) -> None:
    usable = [j for j in judged if j.suggestion.check.compiled]
    made = compile_rule(pack, combined_rules(usable))
    compiled = made.pack
    if compiled is None:
        print("combined rules do not compile:", made.errors[:3])
        return
    hits_by_rule: dict[int, list[bool]] = defaultdict(list)
    hits = []
    started = time.perf_counter()
    for doc in docs:
        reference = [(m.type, m.start, m.end) for m in pack.process(doc).matches]
        for match in match_document(compiled.program, doc).matches:
            index = int(match.rule.rsplit(".e", 1)[1])
            agrees = any(t == match.type and s < match.end and match.start < e for t, s, e in reference)
            hits_by_rule[index].append(agrees)
            sentence = doc.text[match.provenance.sentence[0]:match.provenance.sentence[1]]
            hits.append({"rule": index, "type": match.type, "doc": doc.id, "match": match.text,
                         "sentence": " ".join(sentence.split()), "pack_agrees": agrees,
                         "pattern": usable[index].suggestion.rule_text.split("pattern: ")[1].split("\n")[0]})
    all_hits = [ok for found in hits_by_rule.values() for ok in found]
    print(f"\ncorpus: {len(docs)} documents (wikinews + aeb, seed {seed}), {time.perf_counter() - started:.1f} s")
    print(f"  rules with a hit: {rate(len(hits_by_rule), len(usable))}; hits: {len(all_hits)}; "
          f"per rule with hits, median {statistics.median(len(v) for v in hits_by_rule.values()) if hits_by_rule else 0}")
    print(f"  precision (approximate: the conflict pack extracts an event of the same type there): "
          f"micro {rate(sum(all_hits), len(all_hits))}")
    for label, wanted in (("rules with an argument slot", True), ("rules of the trigger alone", False)):
        part = [ok for index, found in hits_by_rule.items() for ok in found
                if ("{" in usable[index].suggestion.rule_text.split("pattern: ")[1].split("\n")[0]) == wanted]
        print(f"    {label}: {rate(sum(part), len(part))}")
    if hits_by_rule:
        macro = statistics.mean(sum(v) / len(v) for v in hits_by_rule.values())
        print(f"  macro (mean over rules with hits): {100 * macro:.1f}%")
    if sample_path:
        chosen = random.Random(seed).sample(hits, min(30, len(hits)))
        with open(sample_path, "w", encoding="utf-8") as fh:
            for hit in chosen:
                fh.write(json.dumps(hit, ensure_ascii=False) + "\n")
        print(f"  a sample of {len(chosen)} hits for checking by hand: {sample_path}")


def single(pack, sentences: list[MarkedSentence]) -> list[Judged]:
    judged = [Judged(s, suggest(pack, [s])) for s in sentences]
    checks = [j.suggestion.check for j in judged]
    total = len(checks)
    print(f"  compiles: {rate(sum(c.compiled for c in checks), total)}")
    print(f"  matches its sentence at the trigger: {rate(sum(c.matches_all for c in checks), total)}")
    print(f"  gives its example's arguments (rulex test passes): {rate(sum(c.passes_all for c in checks), total)}")
    print(f"  gives exactly the marked arguments: {rate(sum(c.exact_all for c in checks), total)}")
    left_out = sum(any(n.change.value == "left out" for n in j.suggestion.notes) for j in judged)
    print(f"  left some marked argument out (too far and untyped, other sentence...): {rate(left_out, total)}")
    by_type: dict[str, list[bool]] = defaultdict(list)
    for j in judged:
        by_type[j.sentence.event_type].append(j.suggestion.check.exact_all)
    print("  exact, per type: " + ", ".join(f"{t} {rate(sum(v), len(v))}" for t, v in sorted(by_type.items())))
    return judged


def groups(sentences: list[MarkedSentence], seed: int) -> tuple[list[list[MarkedSentence]], list[list[MarkedSentence]]]:
    """Events of one type with the same trigger lemma (2-4 a group), and random triples of one type."""
    by_lemma: dict[tuple[str, str], list[MarkedSentence]] = defaultdict(list)
    for s in sentences:
        by_lemma[(s.event_type, lemma(s.text[s.trigger.start:s.trigger.end].split()[-1]))].append(s)
    same = [items[i:i + 4] for items in by_lemma.values() for i in range(0, len(items), 4) if len(items[i:i + 4]) >= 2]
    rng = random.Random(seed)
    by_type: dict[str, list[MarkedSentence]] = defaultdict(list)
    for s in sentences:
        by_type[s.event_type].append(s)
    mixed = []
    for items in by_type.values():
        items = items[:]
        rng.shuffle(items)
        mixed += [items[i:i + 3] for i in range(0, len(items) - 2, 3)][:15]
    return same, mixed


def several(pack, name: str, grouped: list[list[MarkedSentence]]) -> None:
    found = [suggest(pack, group) for group in grouped]
    results = [f.check for f in found]
    apart = sum(any("one alternative per sentence" in n.why for n in f.notes) for f in found)
    sentences = sum(len(g) for g in grouped)
    print(f"\n{name}: {len(grouped)} groups, {sentences} sentences")
    print(f"  compiles: {rate(sum(c.compiled for c in results), len(results))}")
    print(f"  matches every sentence of its group: {rate(sum(c.matches_all for c in results), len(results))}")
    print(f"  sentences matched: {rate(sum(e.matched for c in results for e in c.examples), sentences)}")
    print(f"  sentences with exactly the marked arguments: {rate(sum(e.exact for c in results for e in c.examples), sentences)}")
    print(f"  groups exact on every sentence: {rate(sum(c.exact_all for c in results), len(results))}")
    print(f"  rules made of one alternative per sentence: {rate(apart, len(results))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=120, help="corpus documents sampled for precision")
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--sample", help="write 30 random corpus hits here (JSONL) to check by hand")
    parser.add_argument("--limit", type=int, default=0, help="only the first N gold events (0: all)")
    options = parser.parse_args()
    started = time.perf_counter()
    pack = rulex.load(ROOT / "rules" / "conflict")
    sentences, refused = marked_events(GOLD)
    if options.limit:
        sentences = sentences[:options.limit]
    print(f"gold events: {len(sentences) + len(refused)}; marks refused: {len(refused)}")
    for reason in sorted(set(refused))[:5]:
        print(f"  e.g. {reason}")
    print(f"\none sentence -> one rule: {len(sentences)} events")
    judged = single(pack, sentences)
    same, mixed = groups(sentences, options.seed)
    several(pack, "several sentences, same type and trigger lemma", same)
    several(pack, "several sentences, same type, random triples", mixed)
    precision(pack, judged, corpus_sample(options.docs, options.seed), options.sample, options.seed)
    print(f"\n{time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
