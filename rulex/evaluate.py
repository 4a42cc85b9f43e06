"""`rulex eval`: score a pack against gold event annotations, and `rulex diff`: compare two packs.

Gold is JSONL, one record per sentence or document, in one of two formats, told apart by
`detect_format`:

- **events** (third-party gold: WikiEvents, M2E2, ...): `id`, `text`, `events` with
  `category`, `trigger_span`, `arg_list` of `{role, span}`. A predicted event counts when its
  span overlaps the trigger of a gold event of the mapped category in the same record, each
  gold event matched once; arguments of matched pairs count when their span overlaps a gold
  argument of the mapped role. The default mapping is the one of the shared `score_events.py`,
  so the headline figures agree with it; `--mapping FILE` (YAML) sets others:

      types: {Attack: attack, Kill: death}              # rulex type -> gold category
      roles: {attack: {Attacker: attacker, Target: target}, death: {Victim: victim}}
      scores: {attack: [attack], violence: [attack, death]}
      values: {perp_organization: [attacker, killer]}   # document-level gold value -> roles

  Document-level gold (`doc_level`: MUC-4 templates, GVDB: events without triggers) is scored
  per document: a document counts when the pack finds an event of the mapped categories in
  it, and each gold value (`args`) when some such event has an argument of a mapped role whose
  text holds it or is held by it (case aside): recall only, as templates list only some incidents.

- **adjudicated** (gold annotated in the pack's own schema): `id`, `text`, `doc_date`,
  `events` with `type`, `trigger`, `attrs`, `args` (role -> fillers with `span` and maybe
  `value`). Scored as the shared `score_adjudicated.py` does, see `evaluate_adjudicated`.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .document import Document, parse_date
from .match import Argument, Match
from .pack import Pack

DEFAULT_MAPPING = {
    "types": {"Attack": "attack", "Kill": "death"},
    "roles": {
        "attack": {"Attacker": "attacker", "Target": "target", "Instrument": "weapon", "Place": "place",
                   "Victim": "victim"},
        "death": {"Agent": "killer", "Killer": "killer", "Victim": "victim", "Instrument": "weapon",
                  "Place": "place"},
    },
    "scores": {"attack": ["attack"], "violence": ["attack", "death"]},
    # document-level gold (MUC-4 templates, GVDB): a gold value -> the rulex roles that may hold it
    "values": {"perp_individual": ["attacker", "killer"], "perp_organization": ["attacker", "killer"],
               "human_target_name": ["victim", "target"], "human_target_description": ["victim", "target"],
               "physical_target": ["target"], "instrument": ["weapon"], "location": ["place"],
               "shooter": ["attacker", "killer"], "victim": ["victim", "target"], "city": ["place"]},
}


@dataclass
class Tally:
    tp: int = 0
    pred: int = 0
    gold: int = 0

    def prf(self) -> dict:
        p = self.tp / self.pred if self.pred else 0.0
        r = self.tp / self.gold if self.gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"p": round(p, 3), "r": round(r, 3), "f1": round(f, 3), "tp": self.tp, "pred": self.pred, "gold": self.gold}


@dataclass
class Evaluation:
    scores: dict[str, dict[str, Tally]] = field(default_factory=dict)   # score -> mentions/arguments
    types: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    roles: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    rules: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))  # tp = correct, pred = all
    errors: list[dict] = field(default_factory=list)
    records: int = 0
    documents: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))  # score -> documents
    values: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))     # gold value key -> found (recall)

    def to_dict(self) -> dict:
        return {"records": self.records,
                "scores": {name: {k: t.prf() for k, t in parts.items()} for name, parts in self.scores.items()},
                "documents": {k: t.prf() for k, t in self.documents.items()},
                "values": {k: {"r": round(t.tp / t.gold, 3) if t.gold else 0.0, "tp": t.tp, "gold": t.gold}
                           for k, t in sorted(self.values.items())},
                "types": {k: t.prf() for k, t in sorted(self.types.items())},
                "roles": {k: t.prf() for k, t in sorted(self.roles.items())},
                "rules": {k: {"correct": t.tp, "predicted": t.pred, "precision": round(t.tp / t.pred, 3) if t.pred else 0.0}
                          for k, t in sorted(self.rules.items())}}


def load_mapping(path: str | None) -> dict:
    if path is None:
        return DEFAULT_MAPPING
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return {key: data.get(key, DEFAULT_MAPPING[key]) for key in DEFAULT_MAPPING}


def read_gold(path: str) -> list[dict]:
    """The records of a gold JSONL file (ValueError on a line that is not JSON)."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def detect_format(records: list[dict]) -> str:
    """ "adjudicated" when the first record with events has events with a `type` and a
    `trigger` span ([start, end]) and no `category`, else "events" (the third-party format,
    whose `trigger` is the trigger's text)."""
    for record in records:
        events = record.get("events") if isinstance(record, dict) else None
        if events:
            adjudicated = all(isinstance(e, dict) and "type" in e and isinstance(e.get("trigger"), list)
                              and "category" not in e for e in events)
            return "adjudicated" if adjudicated else "events"
    return "events"


def evaluate(pack: Pack, records: list[dict], mapping: dict = DEFAULT_MAPPING) -> Evaluation:
    """Score the pack against gold records of the events format."""
    result = Evaluation()
    result.records = len(records)
    type_cat = mapping["types"]
    scores = {name: {"mentions": Tally(), "arguments": Tally()} for name in mapping["scores"]}
    result.scores = scores
    for record in records:
        preds = [m for m in pack.process(Document(str(record["id"]), record["text"])).matches if m.type in type_cat]
        if record.get("doc_level"):
            _score_document(result, record, preds, mapping)
            continue
        gold = [e for e in record.get("events", []) if e.get("category") in mapping["roles"] and e.get("trigger_span")]
        for name, cats in mapping["scores"].items():
            _score(scores[name], [g for g in gold if g["category"] in cats],
                   [p for p in preds if type_cat[p.type] in cats], mapping, None)
        for rulex_type, category in type_cat.items():   # per type, with its own category only
            g = [e for e in gold if e["category"] == category]
            p = [m for m in preds if m.type == rulex_type]
            pairs = _score({"mentions": result.types[rulex_type], "arguments": Tally()}, g, p, mapping, result.roles)
            matched = {id(m) for m, _ in pairs}
            for m in p:
                result.rules[m.rule].pred += 1
                result.rules[m.rule].tp += id(m) in matched
                if id(m) not in matched:
                    result.errors.append({"kind": "false_positive", "doc": record["id"], "type": m.type, "rule": m.rule,
                                          "text": m.text, "start": m.start, "end": m.end, "sentence": record["text"]})
            for pred, event in pairs:
                result.errors.extend(_argument_errors(record, pred, event, mapping))
            found = {id(e) for _, e in pairs}
            for e in g:
                if id(e) not in found:
                    s, t = e["trigger_span"]
                    result.errors.append({"kind": "miss", "doc": record["id"], "type": rulex_type, "category": category,
                                          "trigger": record["text"][s:t], "start": s, "end": t, "sentence": record["text"]})
    return result


def _score_document(result: Evaluation, record: dict, preds: list[Match], mapping: dict) -> None:
    """A document-level record: whether the pack finds its events, and which gold values."""
    type_cat = mapping["types"]
    events = record.get("events", [])
    for name, cats in mapping["scores"].items():
        tally = result.documents[name]
        gold = any(e.get("category") in cats for e in events)
        found = [p for p in preds if type_cat[p.type] in cats]
        tally.gold += gold
        tally.pred += bool(found)
        tally.tp += gold and bool(found)
        if gold and not found:
            result.errors.append({"kind": "missed_document", "doc": record["id"], "score": name})
    texts: dict[str, list[str]] = defaultdict(list)   # role -> argument texts, lower-cased
    for pred in preds:
        for role, value in pred.args.items():
            texts[role].extend(a.text.lower() for a in _items(value))
    for event in events:
        values = event.get("arg_values") or {k: [v] for k, v in event.get("args", {}).items()}
        for key, roles in mapping.get("values", {}).items():
            for value in values.get(key, ()):
                forms = _value_forms(str(value))
                if not forms:
                    continue
                result.values[key].gold += 1
                hit = any(wanted in text or (len(text) >= 3 and text in wanted)
                          for wanted in forms for role in roles for text in texts[role])
                result.values[key].tp += hit


def _value_forms(value: str) -> list[str]:
    """The lower-cased forms a gold value may be found as: each alternative of a MUC-4 fill
    ("A / B"), without its brackets and kind labels, the most specific part of a place
    ("PERU: LIMA (CITY)" -> "lima")."""
    forms = []
    for alternative in value.split(" / "):
        text = alternative.strip()
        if text.startswith("(") and text.endswith(")"):
            text = text[1:-1]
        text = re.sub(r"\s*\([A-Z][A-Z ]*\)", "", text).rsplit(":", 1)[-1].strip().lower()
        if len(text) >= 2 and text != "-":
            forms.append(text)
    return forms


def _overlap(a, b) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _items(arg: Argument | list[Argument]) -> list[Argument]:
    """An argument's values: one, or the list of a role filled more than once."""
    return arg if isinstance(arg, list) else [arg]


def _pred_args(pred: Match, role_map: dict) -> list[tuple[str, Argument]]:
    """A predicted event's arguments as (role, argument), for the roles the mapping knows."""
    return [(role, arg) for role, value in pred.args.items() if role in role_map.values() for arg in _items(value)]


def _score(tallies: dict[str, Tally], gold: list[dict], preds: list[Match], mapping: dict,
           roles: dict[str, Tally] | None) -> list[tuple[Match, dict]]:
    """Greedy one-to-one matching of predictions to gold triggers, as score_events.py does."""
    tallies["mentions"].gold += len(gold)
    tallies["mentions"].pred += len(preds)
    used, pairs = set(), []
    for pred in preds:
        for i, event in enumerate(gold):
            if i in used or not _overlap((pred.start, pred.end), event["trigger_span"]):
                continue
            used.add(i)
            tallies["mentions"].tp += 1
            pairs.append((pred, event))
            role_map = mapping["roles"][event["category"]]
            gold_args = _gold_args(event, role_map)
            pred_args = [(role, (arg.start, arg.end)) for role, arg in _pred_args(pred, role_map)]
            tallies["arguments"].gold += len(gold_args)
            tallies["arguments"].pred += len(pred_args)
            tallies["arguments"].tp += sum(any(r == gr and _overlap(s, gs) for gr, gs in gold_args) for r, s in pred_args)
            if roles is not None:
                for role in set(role_map.values()):
                    roles[role].gold += sum(1 for gr, _ in gold_args if gr == role)
                    mine = [s for r, s in pred_args if r == role]
                    roles[role].pred += len(mine)
                    roles[role].tp += sum(any(gr == role and _overlap(s, gs) for gr, gs in gold_args) for s in mine)
            break
    return pairs


def _gold_args(event: dict, role_map: dict) -> list[tuple[str, tuple[int, int]]]:
    """A gold event's arguments as (rulex role, span), for the roles the mapping knows."""
    return [(role_map[a["role"]], tuple(a["span"])) for a in event.get("arg_list", [])
            if a.get("span") and a["role"] in role_map]


def _argument_errors(record: dict, pred: Match, event: dict, mapping: dict) -> list[dict]:
    """For `--errors`: the arguments of a matched pair that no gold argument of their role
    overlaps (wrong), and the gold arguments that none of the pack's overlaps (missed)."""
    role_map = mapping["roles"][event["category"]]
    gold_args = _gold_args(event, role_map)
    pred_args = _pred_args(pred, role_map)
    about = {"doc": record["id"], "type": pred.type, "rule": pred.rule, "event": pred.text, "sentence": record["text"]}
    errors = [{"kind": "wrong_argument", **about, "role": role, "text": arg.text, "start": arg.start, "end": arg.end}
              for role, arg in pred_args
              if not any(r == role and _overlap((arg.start, arg.end), span) for r, span in gold_args)]
    errors += [{"kind": "missed_argument", **about, "role": role, "text": record["text"][span[0]:span[1]],
                "start": span[0], "end": span[1]}
               for role, span in gold_args
               if not any(r == role and _overlap((arg.start, arg.end), span) for r, arg in pred_args)]
    return errors


def _figures(tally: Tally) -> str:
    m = tally.prf()
    return f"P={m['p']:.3f} R={m['r']:.3f} F1={m['f1']:.3f}  (tp {m['tp']}, pred {m['pred']}, gold {m['gold']})"


def render(result: Evaluation | AdjudicatedEvaluation) -> str:
    """The text report of `rulex eval`."""
    if isinstance(result, AdjudicatedEvaluation):
        return _render_adjudicated(result)
    lines = [f"{result.records} gold records"]
    if result.documents:
        lines.append("document-level records: events found per document, gold values found (recall)")
        lines += [f"{name:10s} documents  {_figures(tally)}" for name, tally in result.documents.items()]
        for key, tally in sorted(result.values.items()):
            lines.append(f"  {key:26s} R={tally.tp / tally.gold if tally.gold else 0:.3f}  "
                         f"({tally.tp} of {tally.gold})")
        if not any(t.gold or t.pred for parts in result.scores.values() for t in parts.values()):
            return "\n".join(lines)   # no sentence-level records: the rest would be empty
        lines.append("")
    lines += [f"{name:10s} {part:10s} {_figures(tally)}"
              for name, parts in result.scores.items() for part, tally in parts.items()]
    lines.append("\nper type (against its own category)")
    lines += [f"  {name:12s} {_figures(tally)}" for name, tally in sorted(result.types.items())]
    lines.append("\nper role (arguments of matched events)")
    lines += [f"  {name:12s} {_figures(tally)}" for name, tally in sorted(result.roles.items())]
    lines.append("\nper rule (which rules make the false positives)")
    for rule, tally in sorted(result.rules.items(), key=lambda kv: (kv[1].tp - kv[1].pred, kv[0])):
        lines.append(f"  {rule:40s} {tally.pred - tally.tp:4d} false of {tally.pred:4d}  precision "
                     f"{tally.tp / tally.pred if tally.pred else 0:.3f}")
    return "\n".join(lines)


# ---- adjudicated gold -------------------------------------------------------------------

ADJUDICATED_TYPES = ("Attack", "Kill")
VALUED_ROLES = ("count", "casualties", "time")
PARTS = ("mentions", "arguments", "values")


@dataclass(frozen=True)
class Filler:
    """One argument of an event; `value` is None when it has none."""
    role: str
    start: int
    end: int
    value: Any = None

    def meets(self, other: Filler) -> bool:
        """Same role, overlapping spans."""
        return self.role == other.role and self.start < other.end and other.start < self.end

    def agrees(self, other: Filler) -> bool:
        """Meets `other` and has the same value (quantities by min, max and approximate)."""
        return self.meets(other) and _norm_value(self.value) == _norm_value(other.value)


@dataclass(frozen=True)
class Event:
    """A gold event (its trigger's span) or a prediction (its span and rule)."""
    type: str
    start: int
    end: int
    fillers: tuple[Filler, ...]
    rule: str = ""
    injury: bool = False

    def meets(self, other: Event) -> bool:
        """Same type, overlapping spans."""
        return self.type == other.type and self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Judgement:
    """One filler of a matched pair: `part` is arguments or values; a predicted filler is
    correct when a gold one meets (or agrees with) it, a gold one when a predicted one does."""
    part: str
    predicted: bool
    filler: Filler
    correct: bool

    @property
    def error_kind(self) -> str:
        """What `--errors` calls it when it is not correct."""
        if self.part == "arguments":
            return "spurious_argument" if self.predicted else "missed_argument"
        return "wrong_value" if self.predicted else "missed_value"


@dataclass(frozen=True)
class Pair:
    """A prediction and the gold event it matched (None: a spurious mention), its fillers judged."""
    pred: Event
    gold: Event | None
    judgements: tuple[Judgement, ...] = ()


@dataclass(frozen=True)
class Matching:
    """One sentence scored: its predictions in order, and the gold events none matched."""
    id: str
    text: str
    gold: tuple[Event, ...]
    pairs: tuple[Pair, ...]
    missed: tuple[Event, ...]


@dataclass(frozen=True)
class AdjudicatedEvaluation:
    """Figures against adjudicated gold and the errors behind them. Tallies by part (mentions,
    arguments, values): `scores` per type and "all", `roles` per role (arguments and values),
    `rules` per rule (tp and pred only)."""
    records: int
    scores: dict[str, dict[str, Tally]]
    roles: dict[str, dict[str, Tally]]
    rules: dict[str, dict[str, Tally]]
    errors: list[dict]

    def to_dict(self) -> dict:
        return {"format": "adjudicated", "records": self.records,
                "scores": {name: _prfs(parts) for name, parts in self.scores.items()},
                "roles": {part: _prfs(dict(sorted(roles.items()))) for part, roles in self.roles.items()},
                "rules": {rule: {part: {"tp": t.tp, "pred": t.pred, "p": round(t.tp / t.pred, 3) if t.pred else 0.0}
                                 for part, t in parts.items()} for rule, parts in sorted(self.rules.items())}}


def _prfs(tallies: dict[str, Tally]) -> dict[str, dict]:
    return {name: tally.prf() for name, tally in tallies.items()}


def _parts() -> dict[str, Tally]:
    return {part: Tally() for part in PARTS}


def evaluate_adjudicated(pack: Pack, records: list[dict]) -> AdjudicatedEvaluation:
    """Score the pack against adjudicated gold as the shared score_adjudicated.py does: Attack
    and Kill only, negated and future events left out on both sides; each prediction, in the
    order of the pack's output, matches the first unmatched gold event of its type whose
    trigger its span overlaps; fillers of matched pairs count when their role is the same and
    their spans overlap, values (count, casualties, time) when they are equal too."""
    result = AdjudicatedEvaluation(len(records), {name: _parts() for name in (*ADJUDICATED_TYPES, "all")},
                                   {"arguments": defaultdict(Tally), "values": defaultdict(Tally)},
                                   defaultdict(_parts), [])
    for record in records:
        matching = _match_sentence(record, _predictions(pack, record))
        _count(result, matching)
        result.errors.extend(_adjudicated_errors(matching))
    return result


def _real(attrs: dict | None) -> bool:
    return not (attrs or {}).get("negated") and not (attrs or {}).get("future")


def _norm_value(value):
    """A quantity as the keys among min, max and approximate that are set; anything else as is."""
    if isinstance(value, dict):
        return {k: value[k] for k in ("min", "max", "approximate") if value.get(k) not in (None, False)}
    return value


def _predictions(pack: Pack, record: dict) -> tuple[Event, ...]:
    """The pack's real Attack and Kill events in the record's text, dated by its `doc_date`
    as `rulex run` dates a JSONL document."""
    date = parse_date(record.get("doc_date"))
    doc = Document(str(record["id"]), record["text"], date, date_source="document" if date else "option")
    return tuple(Event(m.type, m.start, m.end, _predicted_fillers(m), m.rule)
                 for m in pack.process(doc).matches if m.type in ADJUDICATED_TYPES and _real(m.attrs))


def _predicted_fillers(match: Match) -> tuple[Filler, ...]:
    """A match's arguments, role by role as `rulex run` writes them."""
    return tuple(Filler(role, a.start, a.end, a.value if a.has_value else None)
                 for role, value in match.args.items() for a in _items(value))


def _gold_events(record: dict) -> tuple[Event, ...]:
    return tuple(Event(e["type"], *_start_end(e["trigger"]),
                       tuple(Filler(role, *_start_end(x["span"]), x.get("value")) for role, xs in e["args"].items() for x in xs),
                       injury=bool((e.get("attrs") or {}).get("injury")))
                 for e in record["events"] if e["type"] in ADJUDICATED_TYPES and _real(e.get("attrs")))


def _start_end(span: list[int]) -> tuple[int, int]:
    """A gold span, [start, end]."""
    start, end = span
    return start, end


def _match_sentence(record: dict, preds: tuple[Event, ...]) -> Matching:
    gold = _gold_events(record)
    used: set[int] = set()
    pairs = []
    for pred in preds:
        i = next((i for i, event in enumerate(gold) if i not in used and pred.meets(event)), None)
        if i is None:
            pairs.append(Pair(pred, None))
            continue
        used.add(i)
        pairs.append(Pair(pred, gold[i], _judge(pred, gold[i])))
    missed = tuple(event for i, event in enumerate(gold) if i not in used)
    return Matching(str(record["id"]), record["text"], gold, tuple(pairs), missed)


def _judge(pred: Event, gold: Event) -> tuple[Judgement, ...]:
    """Every filler of a matched pair, in the order the shared scorer lists misses: predicted
    arguments, gold arguments, predicted values, gold values."""
    pv = [f for f in pred.fillers if f.role in VALUED_ROLES and f.value is not None]
    gv = [f for f in gold.fillers if f.role in VALUED_ROLES and f.value is not None]
    return (*(Judgement("arguments", True, f, any(f.meets(g) for g in gold.fillers)) for f in pred.fillers),
            *(Judgement("arguments", False, g, any(f.meets(g) for f in pred.fillers)) for g in gold.fillers),
            *(Judgement("values", True, f, any(f.agrees(g) for g in gv)) for f in pv),
            *(Judgement("values", False, g, any(f.agrees(g) for f in pv)) for g in gv))


def _count(result: AdjudicatedEvaluation, matching: Matching) -> None:
    for event in matching.gold:
        for name in (event.type, "all"):
            result.scores[name]["mentions"].gold += 1
    for pair in matching.pairs:
        tallies = [result.scores[pair.pred.type], result.scores["all"], result.rules[pair.pred.rule]]
        for parts in tallies:
            parts["mentions"].pred += 1
            parts["mentions"].tp += pair.gold is not None
        for judgement in pair.judgements:
            role = result.roles[judgement.part][judgement.filler.role]
            for tally in [*(parts[judgement.part] for parts in tallies), role]:
                if judgement.predicted:
                    tally.pred += 1
                    tally.tp += judgement.correct
                else:
                    tally.gold += 1


def _adjudicated_errors(matching: Matching) -> list[dict]:
    """For `--errors`: what the shared scorer's --misses lists, in its order, with the rule of
    the prediction concerned."""
    text = matching.text

    def error(kind: str, type_: str, **fields) -> dict:
        for key in ("span", "trigger"):
            if key in fields:
                fields[key + "_text"] = text[fields[key][0]:fields[key][1]]
        return {"kind": kind, "id": matching.id, "type": type_, **fields, "sentence": text}

    errors = []
    for pair in matching.pairs:
        pred = pair.pred
        if pair.gold is None:
            errors.append(error("spurious_mention", pred.type, span=[pred.start, pred.end], rule=pred.rule))
        for judgement in pair.judgements:
            if judgement.correct:
                continue
            filler = judgement.filler
            fields: dict[str, Any] = {"role": filler.role, "span": [filler.start, filler.end]}
            if judgement.part == "values":
                fields["value"] = filler.value
            elif not judgement.predicted:
                assert pair.gold is not None  # a gold filler's pair has its gold event
                fields["trigger"] = [pair.gold.start, pair.gold.end]
            errors.append(error(judgement.error_kind, pred.type, **fields, rule=pred.rule))
    errors += [error("missed_mention", event.type, trigger=[event.start, event.end], injury=event.injury)
               for event in matching.missed]
    return errors


def _render_adjudicated(result: AdjudicatedEvaluation) -> str:
    lines = [f"{result.records} gold records (adjudicated: Attack and Kill; negated and future events left out)"]
    lines += [f"{name:7s} {part:10s} {_figures(tally)}"
              for name, parts in result.scores.items() for part, tally in parts.items()]
    for part, what in (("arguments", "arguments of matched events"), ("values", "values of their count, casualties, time")):
        lines.append(f"\nper role ({what})")
        lines += [f"  {role:12s} {_figures(tally)}" for role, tally in sorted(result.roles[part].items())]
    lines.append("\nper rule (correct of predicted: mentions; arguments and values of its matched events)")
    for rule, parts in sorted(result.rules.items(), key=lambda kv: (kv[1]["mentions"].tp - kv[1]["mentions"].pred, kv[0])):
        lines.append(f"  {rule:40s} " + "  ".join(f"{part} {parts[part].tp:3d} of {parts[part].pred:3d}" for part in PARTS))
    return "\n".join(lines)


# ---- diff -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    kind: str            # "gained" | "lost" | "changed"
    doc: str
    rule: str
    text: str
    start: int
    end: int
    sentence: str
    detail: str = ""


def diff_matches(old: list[Match], new: list[Match], doc: Document) -> list[Change]:
    """Matches gained, lost and changed (same rule and span, other arguments) in one document."""
    def key(m: Match):
        return (m.rule, m.start, m.end)

    def sentence(m: Match) -> str:
        s, e = m.provenance.sentence
        return doc.text[s:e]

    before, after = {key(m): m for m in old}, {key(m): m for m in new}
    out = []
    for k in sorted(after.keys() - before.keys(), key=lambda k: (k[1], k[0])):
        m = after[k]
        out.append(Change("gained", doc.id, m.rule, m.text, m.start, m.end, sentence(m)))
    for k in sorted(before.keys() - after.keys(), key=lambda k: (k[1], k[0])):
        m = before[k]
        out.append(Change("lost", doc.id, m.rule, m.text, m.start, m.end, sentence(m)))
    for k in sorted(before.keys() & after.keys(), key=lambda k: (k[1], k[0])):
        a, b = before[k].to_dict(), after[k].to_dict()
        if a["args"] != b["args"] or a.get("attrs") != b.get("attrs"):
            changed = sorted(r for r in set(a["args"]) | set(b["args"]) if a["args"].get(r) != b["args"].get(r))
            detail = "; ".join(f"{r}: {_arg_text(a['args'].get(r))} -> {_arg_text(b['args'].get(r))}" for r in changed)
            if a.get("attrs") != b.get("attrs"):
                detail = (detail + "; " if detail else "") + f"attrs: {a.get('attrs')} -> {b.get('attrs')}"
            m = after[k]
            out.append(Change("changed", doc.id, m.rule, m.text, m.start, m.end, sentence(m), detail))
    return out


def _arg_text(arg) -> str:
    if arg is None:
        return "(none)"
    items = arg if isinstance(arg, list) else [arg]
    return " | ".join(json.dumps(a["text"], ensure_ascii=False) + (f"={json.dumps(a['value'], ensure_ascii=False)}"
                                                                    if "value" in a else "") for a in items)
