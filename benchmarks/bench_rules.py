"""Throughput of the whole rulex pipeline on real news text, against spaCy's Matcher as the peer.

    .venv/bin/python benchmarks/bench_rules.py --corpus ../shared/corpus/news [--limit-mb 1]
        [--repeat 3] [--peer-sample 0.5] [--peer-budget 90] [--packs rules-10,rules-100]
        [--json out.json] [--profile prof_dir] [--clock cpu|wall] [--no-peer]

Generated packs (benchmarks/rulegen.py), written to a temporary directory:

    rules-10, rules-100, rules-1000   realistic event rules, distinct trigger verbs/nouns each,
                                      lexicons Actor/Place/Weapon of 1,000 aliases
    nohit-1000                        1,000 rules of the same shapes whose trigger words are
                                      made up (occur nowhere in the corpus); same lexicons
    rules-100/50k                     the rules of rules-100 with lexicons of 50,000 aliases

Each pack is loaded once (compile time = first `rulex.load`, which writes the cache under a
temporary RULEX_CACHE_DIR; cached-load time = second `rulex.load`), then timed over the corpus
with `pack.process(Document)` per document: normalising, sentence splitting, both literal
scans, the regexes and building Match objects with provenance. One process, pinned to one core.
MB = 1e6 bytes of UTF-8 text. Times are the best of --repeat runs.

The peer runs the same rules translated to spaCy: `spacy.blank("en")` tokenisation, a
PhraseMatcher pass over the same lexicon aliases (entities merged into single tokens), then
`Matcher` patterns (trigger forms as LOWER IN [...], lexicon slots as ENT_TYPE, optional parts
as OP "?" or extra patterns, gaps as OP "{0,n}"), and the same longest-match overlap settling.
The peer is timed on the first --peer-sample MB of the corpus (documents taken round-robin from
the corpus files, so the sample mixes them), or on fewer documents when it takes longer than
--peer-budget seconds, and its MB/s extrapolated; the ratio compares rulex and spaCy on exactly
the documents the peer ran on.

Times are process CPU time by default (--clock cpu), since the machine may be shared; --clock
wall gives elapsed time. A quick run: --limit-mb 1 --repeat 1 --peer-sample 0.1.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import json
import linecache
import os
import pstats
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import regex

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import rulegen  # noqa: E402

import rulex  # noqa: E402

# Keep the source of the rulex modules as imported, to label profile lines even if the files
# are edited while the benchmark runs.
for _module in list(sys.modules.values()):
    if getattr(_module, "__file__", None) and f"{os.sep}rulex{os.sep}" in _module.__file__:
        linecache.getlines(_module.__file__)

TARGETS_MBPS = {"rules-10": 20.0, "rules-100": 5.0, "rules-1000": 1.0}
TARGET_PEER_RATIO = {"rules-100": 100.0, "rules-1000": 100.0}
TARGET_NOHIT_RATIO = 1.5
TARGET_ALIAS_RATIO = 1.5
WARM_UP_DOCS = 20


# ---------------------------------------------------------------------------- corpus

@dataclass
class CorpusDoc:
    id: str
    text: str
    date: dt.date | None
    upper: bool
    nbytes: int
    source: str


def load_corpus(directory: Path, limit_mb: float | None = None) -> list[CorpusDoc]:
    """Every document of every *.jsonl file, interleaved round-robin across files."""
    per_file: list[list[CorpusDoc]] = []
    for path in sorted(Path(directory).glob("*.jsonl")):
        docs = []
        with path.open(encoding="utf-8") as fh:
            for line_no, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                record = json.loads(line)
                text = record.get("text") or ""
                if not text:
                    continue
                date = None
                if record.get("date"):
                    try:
                        date = dt.date.fromisoformat(str(record["date"])[:10])
                    except ValueError:
                        date = None
                upper = record.get("case") == "upper" or "upper" in path.name
                docs.append(CorpusDoc(str(record.get("id") or f"{path.stem}:{line_no}"), text, date, upper,
                                      len(text.encode("utf-8")), path.stem))
        if docs:
            per_file.append(docs)
    if not per_file:
        raise SystemExit(f"bench: no *.jsonl documents under {directory}")
    # round-robin, weighted by file size so that every prefix mixes the files in proportion
    out: list[CorpusDoc] = []
    totals = [sum(d.nbytes for d in docs) for docs in per_file]
    taken = [0] * len(per_file)
    done = [0] * len(per_file)
    while any(done[i] < len(per_file[i]) for i in range(len(per_file))):
        i = min((i for i in range(len(per_file)) if done[i] < len(per_file[i])),
                key=lambda i: taken[i] / totals[i])
        doc = per_file[i][done[i]]
        out.append(doc)
        taken[i] += doc.nbytes
        done[i] += 1
    if limit_mb:
        out = prefix_mb(out, limit_mb)
    return out


def prefix_mb(docs: list[CorpusDoc], mb: float) -> list[CorpusDoc]:
    out, total = [], 0
    for doc in docs:
        if total >= mb * 1e6:
            break
        out.append(doc)
        total += doc.nbytes
    return out


def megabytes(docs) -> float:
    return sum(d.nbytes for d in docs) / 1e6


# ---------------------------------------------------------------------------- packs

@dataclass
class PackSpec:
    name: str
    rules: list
    lexicons: dict
    note: str = ""
    path: Path | None = None


def build_packs(root: Path, wanted: set[str] | None, corpus_lower_q: str, seed: int) -> list[PackSpec]:
    lex_1k = rulegen.build_lexicons(1_000, seed=seed)
    specs: list[PackSpec] = []
    rules_1000 = rulegen.generate_rules(1000, seed=seed)
    specs.append(PackSpec("rules-10", rules_1000[:10], lex_1k, "10 rules, 1k aliases"))
    specs.append(PackSpec("rules-100", rules_1000[:100], lex_1k, "100 rules, 1k aliases"))
    specs.append(PackSpec("rules-1000", rules_1000, lex_1k, "1,000 rules, 1k aliases"))
    if wanted is None or "nohit-1000" in wanted:
        nohit = rulegen.generate_rules(1000, seed=seed, no_hit=True, forbidden_text=corpus_lower_q)
        specs.append(PackSpec("nohit-1000", nohit, lex_1k, "1,000 rules with made-up triggers, 1k aliases"))
    if wanted is None or "rules-100/50k" in wanted:
        specs.append(PackSpec("rules-100/50k", rules_1000[:100], rulegen.build_lexicons(50_000, seed=seed),
                              "100 rules, 50k aliases"))
    if wanted is not None:
        specs = [s for s in specs if s.name in wanted]
    for spec in specs:
        spec.lexicons = rulegen.used_lexicons(spec.rules, spec.lexicons)
        spec.path = rulegen.write_pack(root / spec.name.replace("/", "_"), "bench_" + re.sub(r"\W", "_", spec.name),
                                       spec.rules, spec.lexicons)
    return specs


# ---------------------------------------------------------------------------- rulex timing

@dataclass
class RulexRun:
    seconds: float = 0.0
    seconds_mixed: float = 0.0
    seconds_upper: float = 0.0
    matches: int = 0
    problems: int = 0


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}
clock = time.process_time  # set by --clock


def run_rulex(pack, docs: list[CorpusDoc], rx_docs: list) -> RulexRun:
    run = RulexRun()
    process = pack.process
    gc.collect()
    for doc, rx_doc in zip(docs, rx_docs):
        t0 = clock()
        result = process(rx_doc)
        elapsed = clock() - t0
        run.seconds += elapsed
        if doc.upper:
            run.seconds_upper += elapsed
        else:
            run.seconds_mixed += elapsed
        run.matches += len(result.matches)
        run.problems += len(result.problems)
    return run


def best_of(repeat: int, fn):
    best = None
    for _ in range(max(1, repeat)):
        result = fn()
        if best is None or result.seconds < best.seconds:
            best = result
    return best


# ---------------------------------------------------------------------------- spaCy peer

class SpacyPeer:
    """The same pack through spaCy: tokenizer, PhraseMatcher lexicon pass (merged), Matcher."""

    def __init__(self, nlp, spec: PackSpec):
        from spacy.matcher import Matcher, PhraseMatcher

        self.nlp = nlp
        self.phrase_matchers = []
        for attr in ("LOWER", "ORTH"):
            matcher = PhraseMatcher(nlp.vocab, attr=attr)
            count = 0
            for pattern_attr, label, phrases in rulegen.spacy_alias_patterns(spec.lexicons):
                if pattern_attr == attr:
                    matcher.add(label, list(nlp.tokenizer.pipe(phrases)))
                    count += len(phrases)
            if count:
                self.phrase_matchers.append(matcher)
        self.matcher = Matcher(nlp.vocab, validate=True)
        self.type_of: dict[int, str] = {}
        self.patterns = 0
        for rule in spec.rules:
            patterns = rulegen.spacy_patterns(rule)
            self.patterns += len(patterns)
            self.matcher.add(rule.id, patterns, greedy="LONGEST")
            self.type_of[nlp.vocab.strings[rule.id]] = rule.type

    def tag_lexicons(self, doc):
        from spacy.tokens import Span
        from spacy.util import filter_spans

        spans = [Span(doc, start, end, label=match_id)
                 for matcher in self.phrase_matchers for match_id, start, end in matcher(doc)]
        if spans:
            doc.ents = filter_spans(spans)
            with doc.retokenize() as retokenizer:
                for ent in doc.ents:
                    if len(ent) > 1:
                        retokenizer.merge(ent)
        return doc

    def process(self, text: str) -> int:
        doc = self.tag_lexicons(self.nlp.make_doc(text))
        found = self.matcher(doc)
        return len(settle(found, self.type_of))


def settle(found, type_of: dict[int, str]) -> list:
    """Among overlapping matches of one event type keep the longest (rulex's `overlap: longest`)."""
    by_type: dict[str, list] = {}
    for match_id, start, end in found:
        by_type.setdefault(type_of[match_id], []).append((start, end))
    kept = []
    for spans in by_type.values():
        chosen: list[tuple[int, int]] = []
        for start, end in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
            if all(end <= s or e <= start for s, e in chosen):
                chosen.append((start, end))
        kept.extend(chosen)
    return kept


@dataclass
class PeerRun:
    seconds: float = 0.0
    matches: int = 0
    docs: int = 0


def run_peer(peer: SpacyPeer, docs: list[CorpusDoc], budget: float | None = None) -> PeerRun:
    """The peer over `docs`, stopping after the document that takes it past `budget` seconds."""
    run = PeerRun()
    gc.collect()
    t0 = clock()
    for doc in docs:
        run.matches += peer.process(doc.text)
        run.docs += 1
        if budget is not None and clock() - t0 > budget:
            break
    run.seconds = clock() - t0
    return run


def time_peer(peer: SpacyPeer, docs: list[CorpusDoc], repeat: int, budget: float) -> PeerRun:
    """Best of up to `repeat` runs; the first may stop early (budget), the others rerun its documents."""
    first = run_peer(peer, docs, budget)
    done = docs[:first.docs]
    best, spent = first, first.seconds
    for _ in range(repeat - 1):
        if spent + first.seconds > 2 * budget:
            break
        run = run_peer(peer, done)
        spent += run.seconds
        if run.seconds < best.seconds:
            best = run
    return best


def run_tokenizer(nlp, docs: list[CorpusDoc]) -> PeerRun:
    run = PeerRun()
    gc.collect()
    t0 = clock()
    for doc in docs:
        run.matches += len(nlp.make_doc(doc.text))  # tokens
    run.seconds = clock() - t0
    return run


# ---------------------------------------------------------------------------- profile

def profile_rulex(pack, docs, rx_docs, out_file: Path, top: int = 30) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for rx_doc in rx_docs:
        pack.process(rx_doc)
    profiler.disable()
    profiler.dump_stats(str(out_file))
    stats = pstats.Stats(profiler)
    total = stats.total_tt or 1e-9
    by_file: dict[str, float] = {}
    for (filename, line, func), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():
        source = linecache.getline(filename, line).strip() if func.startswith("<") else ""
        if "finditer(" in source:
            # the C regex engine runs while a comprehension pulls matches from finditer();
            # cProfile books that time to the comprehension
            key = f"regex scan in a comprehension, {Path(filename).name}:{line}: {source[:70]}"
        elif "rulex" in filename and "site-packages" not in filename:
            key = "rulex/" + Path(filename).name
        elif filename == "~":
            key = "builtin: " + func
        else:
            key = Path(filename).parent.name + "/" + Path(filename).name
        by_file[key] = by_file.get(key, 0.0) + tt
    buf = io.StringIO()
    buf.write(f"  total {total:.2f} s under cProfile; own time by module / builtin:\n")
    for key, tt in sorted(by_file.items(), key=lambda kv: -kv[1])[:15]:
        buf.write(f"    {tt:8.2f} s {100 * tt / total:5.1f}%  {key}\n")
    buf.write(f"  top {top} functions by own time:\n")
    stats.stream = buf
    stats.sort_stats("tottime").print_stats(top)
    return buf.getvalue()


# ---------------------------------------------------------------------------- main

def forget_compiled_regexes() -> None:
    """Empty rulex's process-wide cache of compiled regexes (if it has one), so each pack pays its own compile."""
    import rulex.compiler as compiler

    cache = getattr(compiler, "_COMPILED", None)
    if isinstance(cache, dict):
        cache.clear()
    regex.purge()  # the regex module's own cache of compiled patterns


def compile_all(pack) -> None:
    """Compile every regex of the pack that rulex would compile on first use."""
    for rule in pack.rules:
        rule.regex  # noqa: B018 - the property compiles it
        getattr(rule, "finder_regex", None)


def anchor_summary(program) -> dict:
    words = lexicon = 0
    for rule in program.rules:
        if not rule.standalone:
            continue
        if rule.anchors is None:
            continue
        kinds = {a.kind.value for a in rule.anchors}
        words += "word" in kinds
        lexicon += "lexicon" in kinds and "word" not in kinds
    return {"word_anchored": words, "lexicon_anchored": lexicon, "every_sentence": len(program.placement.every_sentence)}


def fmt(value, spec=".2f", missing="-"):
    return missing if value is None else format(value, spec)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, required=True, help="directory of *.jsonl documents with `text`")
    ap.add_argument("--limit-mb", type=float, default=None, help="use only the first N MB of the corpus")
    ap.add_argument("--repeat", type=int, default=3, help="best of N timed runs (default 3)")
    ap.add_argument("--peer-sample", type=float, default=0.5,
                    help="time spaCy on the first N MB only and extrapolate (default 0.5; 0 = whole corpus)")
    ap.add_argument("--peer-budget", type=float, default=90.0,
                    help="stop timing spaCy on a pack after this many seconds of the sample and extrapolate "
                         "from the documents done (default 90)")
    ap.add_argument("--no-peer", action="store_true", help="skip spaCy")
    ap.add_argument("--packs", default=None,
                    help="comma-separated subset of: rules-10,rules-100,rules-1000,nohit-1000,rules-100/50k")
    ap.add_argument("--json", type=Path, default=None, help="write the figures here")
    ap.add_argument("--profile", type=Path, default=None,
                    help="also cProfile rulex on --profile-packs and write .prof files into this directory")
    ap.add_argument("--profile-packs", default="rules-100,rules-1000")
    ap.add_argument("--clock", choices=sorted(CLOCKS), default="cpu",
                    help="cpu: process CPU time (default; robust on a shared machine), wall: elapsed time")
    ap.add_argument("--pin-cpu", type=int, default=None, help="pin the process to this CPU")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the generated packs (prints where)")
    args = ap.parse_args(argv)

    global clock
    clock = CLOCKS[args.clock]
    cpu = None
    if args.pin_cpu is not None:
        os.sched_setaffinity(0, {args.pin_cpu})
        cpu = args.pin_cpu
    wanted = set(args.packs.split(",")) if args.packs else None

    corpus = load_corpus(args.corpus, args.limit_mb)
    corpus_mb = megabytes(corpus)
    mixed_mb = megabytes([d for d in corpus if not d.upper])
    upper_mb = corpus_mb - mixed_mb
    sample = prefix_mb(corpus, args.peer_sample) if args.peer_sample and args.peer_sample > 0 else corpus
    print(f"corpus: {args.corpus}  {len(corpus)} docs, {corpus_mb:.2f} MB "
          f"({mixed_mb:.2f} MB mixed case, {upper_mb:.2f} MB upper case)")
    print(f"python {sys.version.split()[0]}, rulex {rulex.__version__}; one process, one thread"
          f"{f', pinned to cpu {cpu}' if cpu is not None else ''}; {args.clock} time, best of {args.repeat}; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cpus")

    lowered = "\n".join(d.text.lower() for d in corpus)
    q_words = " ".join(sorted({w for w in re.findall(r"\w+", lowered) if re.search(r"q[^u]", w)}))

    work = Path(tempfile.mkdtemp(prefix="rulex-bench-"))
    os.environ["RULEX_CACHE_DIR"] = str(work / "cache")
    results: dict = {"corpus": {"dir": str(args.corpus), "docs": len(corpus), "mb": corpus_mb,
                                "mixed_mb": mixed_mb, "upper_mb": upper_mb},
                     "config": {"repeat": args.repeat, "peer_sample_mb": args.peer_sample,
                                "peer_budget_s": args.peer_budget, "cpu": cpu, "clock": args.clock,
                                "python": sys.version.split()[0]},
                     "packs": {}}
    try:
        t0 = time.perf_counter()
        specs = build_packs(work / "packs", wanted, q_words, args.seed)
        print(f"generated {len(specs)} packs in {time.perf_counter() - t0:.1f} s under {work}")

        rx_docs = [rulex.Document(d.id, d.text, d.date) for d in corpus]
        sample_rx = rx_docs[:len(sample)]
        nlp = None
        if not args.no_peer:
            try:
                import spacy
                nlp = spacy.blank("en")
                results["config"]["spacy"] = spacy.__version__
            except ImportError:
                print("spaCy is not installed: the peer is skipped (pip install 'spacy>=3.7')")

        loaded = {}
        for spec in specs:
            print(f"\n== {spec.name}: {spec.note}")
            forget_compiled_regexes()
            t0 = clock()
            rulex.load(spec.path)
            compile_s = clock() - t0
            forget_compiled_regexes()  # as in a new process that finds the pack in the cache
            t0 = clock()
            pack = rulex.load(spec.path)
            cached_s = clock() - t0
            # regexes that rulex compiles lazily, on first use, compiled here (not timed with the run)
            t0 = clock()
            compile_all(pack)
            first_use_s = clock() - t0
            loaded[spec.name] = pack
            anchors = anchor_summary(pack.program)
            row = {"rules": len(spec.rules), "aliases": rulegen.alias_count(spec.lexicons),
                   "compile_s": compile_s, "cached_load_s": cached_s, "first_use_compile_s": first_use_s,
                   "anchors": anchors}
            print(f"   load (compile, cache miss) {compile_s:.2f} s, cached load {cached_s:.2f} s, regexes compiled "
                  f"on first use {first_use_s:.2f} s; rules anchored on a word: "
                  f"{anchors['word_anchored']}, on a lexicon only: {anchors['lexicon_anchored']}, "
                  f"tried on every sentence: {anchors['every_sentence']}")
            if cached_s > 0.5 * compile_s and compile_s > 1.0:
                row["cache_miss_suspected"] = True
                print("   note: the cached load took as long as compiling: the cache was probably missed "
                      "(rulex keys it on its own files too: were they edited during the run?)")
            word_anchors = pack.program.placement.word_anchors
            if spec.name.startswith("nohit") and word_anchors is not None:
                # trigger words only: the automaton also holds the words of rules' other required
                # items ("carried out", "claimed"), which are real words (value: (length, AnchorWord))
                hits = sum(1 for _, (_, word) in word_anchors.iter(lowered) if word.rules)
                row["nohit_anchor_hits"] = hits
                print(f"   made-up trigger words found in the corpus: {hits} (should be 0)")

            for rx_doc in rx_docs[:WARM_UP_DOCS]:
                pack.process(rx_doc)
            run = best_of(args.repeat, partial(run_rulex, pack, corpus, rx_docs))
            row.update(rulex_s=run.seconds, rulex_mbps=corpus_mb / run.seconds, matches=run.matches,
                       problems=run.problems,
                       rulex_mixed_mbps=mixed_mb / run.seconds_mixed if run.seconds_mixed else None,
                       rulex_upper_mbps=upper_mb / run.seconds_upper if run.seconds_upper else None)
            print(f"   rulex: {run.seconds:.2f} s, {row['rulex_mbps']:.2f} MB/s "
                  f"(mixed {fmt(row['rulex_mixed_mbps'])}, upper {fmt(row['rulex_upper_mbps'])}), "
                  f"{run.matches} matches, {run.problems} problems")
            if nlp is not None:
                t0 = clock()
                peer = SpacyPeer(nlp, spec)
                setup_s = clock() - t0
                peer_run = time_peer(peer, sample, args.repeat, args.peer_budget)
                peer_docs = sample[:peer_run.docs]
                peer_mb = megabytes(peer_docs)
                on_sample = best_of(args.repeat, partial(run_rulex, pack, peer_docs, sample_rx[:len(peer_docs)]))
                row.update(peer_sample_mb=peer_mb, peer_sample_docs=len(peer_docs),
                           rulex_sample_mbps=peer_mb / on_sample.seconds, rulex_sample_matches=on_sample.matches,
                           spacy_setup_s=setup_s, spacy_patterns=peer.patterns, spacy_s=peer_run.seconds,
                           spacy_mbps=peer_mb / peer_run.seconds, spacy_matches=peer_run.matches,
                           spacy_sampled=len(peer_docs) < len(corpus),
                           ratio=peer_run.seconds / on_sample.seconds)
                print(f"   on the {peer_mb:.3f} MB peer sample ({len(peer_docs)} docs): rulex "
                      f"{row['rulex_sample_mbps']:.2f} MB/s, {on_sample.matches} matches; spaCy Matcher "
                      f"({peer.patterns} patterns, setup {setup_s:.1f} s) {row['spacy_mbps']:.4f} MB/s, "
                      f"{peer_run.matches} matches; rulex/spaCy {row['ratio']:.1f}x")
            results["packs"][spec.name] = row

        if nlp is not None:
            tok = best_of(args.repeat, lambda: run_tokenizer(nlp, corpus))
            results["spacy_tokenizer"] = {"mbps": corpus_mb / tok.seconds, "seconds": tok.seconds,
                                          "tokens": tok.matches}

        rows = results["packs"]
        ratios = {}
        if "rules-10" in rows and "nohit-1000" in rows:
            ratios["nohit1000_vs_rules10_time"] = rows["nohit-1000"]["rulex_s"] / rows["rules-10"]["rulex_s"]
        if "rules-100" in rows and "rules-100/50k" in rows:
            ratios["alias50k_vs_alias1k_time"] = rows["rules-100/50k"]["rulex_s"] / rows["rules-100"]["rulex_s"]
            if "spacy_s" in rows["rules-100"] and "spacy_s" in rows["rules-100/50k"]:
                ratios["spacy_alias50k_vs_alias1k_time"] = rows["rules-100/50k"]["spacy_s"] / rows["rules-100"]["spacy_s"]
        results["ratios"] = ratios
        print_table(results)

        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
            report = {}
            for name in args.profile_packs.split(","):
                if name not in loaded:
                    continue
                out = args.profile / (name.replace("/", "_") + ".prof")
                compile_all(loaded[name])  # later packs emptied the regex caches
                for rx_doc in rx_docs[:WARM_UP_DOCS]:
                    loaded[name].process(rx_doc)
                print(f"\n== cProfile of rulex on {name} ({corpus_mb:.2f} MB) -> {out}")
                text = profile_rulex(loaded[name], corpus, rx_docs, out)
                print(text)
                report[name] = text
            results["profile"] = report

        if args.json:
            args.json.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
            print(f"\nwrote {args.json}")
    finally:
        if args.keep:
            print(f"packs kept under {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def print_table(results: dict) -> None:
    rows = results["packs"]
    print("\n" + "=" * 124)
    head = (f"{'pack':<15}{'rules':>6}{'aliases':>8}{'load s':>8}{'cached s':>9}{'1st use':>8}{'rulex MB/s':>11}"
            f"{'mixed':>8}{'upper':>8}{'matches':>9}{'spaCy MB/s':>11}{'sp.match':>9}{'rx.match':>9}{'rulex/spaCy':>12}")
    print(head)
    print("-" * 124)
    for name, r in rows.items():
        print(f"{name:<15}{r['rules']:>6}{r['aliases']:>8}{r['compile_s']:>8.2f}{r['cached_load_s']:>9.2f}"
              f"{r['first_use_compile_s']:>8.2f}"
              f"{r['rulex_mbps']:>11.2f}{fmt(r.get('rulex_mixed_mbps')):>8}{fmt(r.get('rulex_upper_mbps')):>8}"
              f"{r['matches']:>9}{fmt(r.get('spacy_mbps'), '.4f'):>11}{fmt(r.get('spacy_matches'), 'd'):>9}"
              f"{fmt(r.get('rulex_sample_matches'), 'd'):>9}{fmt(r.get('ratio'), '.1f'):>11}x")
    print("-" * 124)
    print("load s: first rulex.load (compile, write the cache); cached s: second rulex.load (from the cache); "
          "1st use: regexes rulex compiles lazily, forced before timing; MB/s: whole pipeline per document, "
          "1 MB = 1e6 bytes of UTF-8 text; mixed/upper: the mixed-case and upper-case (MUC) parts of the corpus")
    tok = results.get("spacy_tokenizer")
    if tok:
        print(f"spaCy tokenizer alone (spacy.blank('en'), whole corpus): {tok['mbps']:.2f} MB/s, {tok['tokens']} tokens")
    sampled = {name: r["peer_sample_mb"] for name, r in rows.items() if r.get("spacy_sampled")}
    if sampled:
        print("spaCy Matcher MB/s is timed on a prefix of the corpus (documents round-robin from the files) and "
              "extrapolated: " + ", ".join(f"{n} {mb:.3f} MB" for n, mb in sampled.items()) +
              "; rulex/spaCy compares the two on that same prefix; sp.match and rx.match are the match counts there.")
    ratios = results.get("ratios", {})
    if "nohit1000_vs_rules10_time" in ratios:
        v = ratios["nohit1000_vs_rules10_time"]
        print(f"no-hit 1,000 rules vs 10 rules, time: {v:.2f}x (target <= {TARGET_NOHIT_RATIO}x: "
              f"{'ok' if v <= TARGET_NOHIT_RATIO else 'MISSED'})")
    if "alias50k_vs_alias1k_time" in ratios:
        v = ratios["alias50k_vs_alias1k_time"]
        extra = ""
        if "spacy_alias50k_vs_alias1k_time" in ratios:
            extra = f"; spaCy: {ratios['spacy_alias50k_vs_alias1k_time']:.2f}x"
        print(f"50k vs 1k aliases (100 rules), time: {v:.2f}x (target <= {TARGET_ALIAS_RATIO}x: "
              f"{'ok' if v <= TARGET_ALIAS_RATIO else 'MISSED'}){extra}")
    for name, target in TARGETS_MBPS.items():
        if name in rows:
            v = rows[name]["rulex_mbps"]
            print(f"target {name}: >= {target:g} MB/s: {v:.2f} MB/s {'ok' if v >= target else 'MISSED'}")
    for name, target in TARGET_PEER_RATIO.items():
        if name in rows and rows[name].get("ratio") is not None:
            v = rows[name]["ratio"]
            print(f"target {name}: >= {target:g}x spaCy Matcher: {v:.1f}x {'ok' if v >= target else 'MISSED'}")


if __name__ == "__main__":
    sys.exit(main())
