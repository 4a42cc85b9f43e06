"""Generate realistic rulex event-rule packs and lexicons, and their spaCy `Matcher` translation.

A generated rule is a small structure (a list of pattern elements) so that one description is
rendered twice: as rulex pattern text and as spaCy token patterns. Rules follow the shapes of
hand-written event rules (see rules/conflict): an actor, a trigger verb or event noun, a patient
or target, an optional weapon, an optional place; with optional words, alternatives and gaps.

Each rule has its own trigger words: the first rules use common news verbs and event nouns,
later ones draw from lemminflect's English lemma list (so a 1,000-rule pack has over 1,000
different triggers, many of them rare). The no-hit pack uses made-up trigger words instead.
"""
from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

try:  # run as a script (benchmarks/ on sys.path) or imported as benchmarks.rulegen
    from . import names
except ImportError:  # pragma: no cover
    import names  # type: ignore[no-redef]

from rulex.forms import word_forms

LEXICON_TYPES = ("Actor", "Place", "Weapon")
LEXICON_FILES = {"Actor": "actors.yaml", "Place": "places.yaml", "Weapon": "weapons.yaml"}
RULES_PER_FILE = 10


# ---------------------------------------------------------------------------- pattern elements

@dataclass(frozen=True)
class Words:
    """Literal alternatives: `(has|have|had)`, `"carried out"`; `optional` adds `?`."""
    options: tuple[str, ...]
    optional: bool = False


@dataclass(frozen=True)
class Forms:
    """Every inflection of one or more lemmas: `<launch|fire>`."""
    lemmas: tuple[str, ...]
    optional: bool = False


@dataclass(frozen=True)
class Slot:
    """An argument: `{role:Type|Type}`."""
    role: str
    types: tuple[str, ...]
    optional: bool = False


@dataclass(frozen=True)
class Gap:
    """`_{min,max}`: up to `max` words."""
    min: int
    max: int


@dataclass(frozen=True)
class Group:
    """An optional group: `(in|at {place:Place})?`."""
    items: tuple


@dataclass
class GenRule:
    id: str
    type: str
    template: str
    triggers: tuple[str, ...]
    elements: list = field(default_factory=list)


def W(*options: str, opt: bool = False) -> Words:
    return Words(tuple(options), opt)


def F(*lemmas: str, opt: bool = False) -> Forms:
    return Forms(tuple(lemmas), opt)


def S(role: str, *types: str, opt: bool = False) -> Slot:
    return Slot(role, tuple(types), opt)


PLACE_PREP = W("in", "at", "near")


# Rule templates. `v`/`v2` are verb lemmas, `n` an event noun; each returns the elements.
def t_active(v, v2=None):
    return [S("agent", "Actor"), W("has", "have", "had", opt=True), W("reportedly", "allegedly", "also", opt=True),
            F(v), S("count", "Quantity", opt=True),
            S("patient", "Phrase"), Group((PLACE_PREP, S("place", "Place")))]


def t_passive(v, v2=None):
    return [S("patient", "Phrase"), W("was", "were", "has been", "have been", "had been"), F(v),
            W("by"), S("agent", "Actor"), Group((W("in", "at", "near", "on"), S("place", "Place")))]


def t_weapon(v, v2=None):
    return [S("agent", "Actor"), Gap(0, 2), F(v), S("patient", "Phrase"), W("with", "using"),
            W("a", "an", "the", opt=True), S("weapon", "Weapon")]


def t_place_first(v, v2=None):
    return [W("in", "at", "near"), S("place", "Place"), W(",", opt=True), S("agent", "Actor"),
            W("reportedly", "allegedly", opt=True), F(v), S("patient", "Phrase")]


def t_alternatives(v, v2):
    return [S("agent", "Actor", "Place"), F(v, v2), W("to", opt=True), S("patient", "Phrase")]


def t_noun_by(n, v2=None):
    return [W("a", "an", "the", opt=True), S("weapon", "Weapon", opt=True), F(n), W("by", "from"),
            S("agent", "Actor"), Group((W("in", "at", "near", "on"), S("place", "Place")))]


def t_noun_support(n, v2=None):
    return [S("agent", "Actor"), W("'s", opt=True), W("carried out", "conducted", "staged", "claimed"),
            W("a", "an", "the", opt=True), Gap(0, 2), F(n), Group((W("against", "on", "in"), S("target", "Phrase")))]


def t_noun_place(n, v2=None):
    return [F(n), W("in", "at", "near", "on"), S("place", "Place"), Gap(0, 4),
            Group((W("by", "from"), S("agent", "Actor")))]


# (name, template, number of trigger lemmas, weight): the common shapes of news event rules
# (actor-verb-patient) are the most frequent, as in hand-written packs.
VERB_TEMPLATES = [("active", t_active, 1, 4), ("passive", t_passive, 1, 2), ("weapon", t_weapon, 1, 1),
                  ("place_first", t_place_first, 1, 1), ("alternatives", t_alternatives, 2, 3)]
NOUN_TEMPLATES = [("noun_by", t_noun_by, 1, 1), ("noun_support", t_noun_support, 1, 2),
                  ("noun_place", t_noun_place, 1, 2)]


# ---------------------------------------------------------------------------- trigger words

_ALPHA = re.compile(r"^[a-z]{4,}$")


def _trigger_stream(seed: int):
    """(kind, lemma) pairs: news verbs and nouns first (2 verbs : 1 noun), then lemminflect's lemmas."""
    verbs = list(names.NEWS_VERBS)
    nouns = list(names.NEWS_NOUNS)
    head: list[tuple[str, str]] = []
    vi = ni = 0
    while vi < len(verbs) or ni < len(nouns):
        for _ in range(2):
            if vi < len(verbs):
                head.append(("verb", verbs[vi]))
                vi += 1
        if ni < len(nouns):
            head.append(("noun", nouns[ni]))
            ni += 1
    yield from head
    rng = random.Random(seed)
    table = names.lemma_table()
    rest_verbs = [w for w in table.get("verb", []) if _ALPHA.match(w)]
    rest_nouns = [w for w in table.get("noun", []) if _ALPHA.match(w)]
    rng.shuffle(rest_verbs)
    rng.shuffle(rest_nouns)
    iv, inn = iter(rest_verbs), iter(rest_nouns)
    while True:
        pick = "verb" if rng.random() < 0.7 else "noun"
        word = next(iv if pick == "verb" else inn, None)
        if word is None:
            word = next(inn if pick == "verb" else iv, None)
            pick = "noun" if pick == "verb" else "verb"
            if word is None:
                return
        yield pick, word


def _fresh(stream, used_forms: set[str]):
    """The next trigger whose word forms no earlier rule uses (each rule has its own triggers)."""
    for kind, word in stream:
        if word in names.TEMPLATE_WORDS:
            continue
        forms = set(word_forms(word))
        if forms & used_forms or forms & names.TEMPLATE_WORDS:
            continue
        used_forms.update(forms)
        return kind, word
    raise RuntimeError("ran out of trigger words")


def made_up_words(count: int, seed: int, forbidden_text: str = "") -> list[str]:
    """Pronounceable made-up words that hold "q" + consonant, so they occur in no English text."""
    rng = random.Random(seed)
    onsets = list("bdfgklmnprstvz") + ["br", "dr", "gr", "kr", "tr", "st", "sk", "pl"]
    vowels = ["a", "e", "i", "o", "u", "ai", "ei", "ou"]
    q_tails = ["qz", "qv", "qj", "qx", "qk", "qd", "qt"]
    endings = ["ak", "ek", "ik", "ot", "ap", "ud", "em", "ir", "al"]
    out: list[str] = []
    seen: set[str] = set()
    used_forms: set[str] = set()
    while len(out) < count:
        word = rng.choice(onsets) + rng.choice(vowels) + rng.choice(q_tails) + rng.choice(endings)
        if word in seen:
            continue
        seen.add(word)
        forms = set(word_forms(word))
        if forms & used_forms:
            continue
        if forbidden_text and any(f in forbidden_text for f in forms):
            continue
        used_forms.update(forms)
        out.append(word)
    return out


def generate_rules(count: int, seed: int = 1, no_hit: bool = False, forbidden_text: str = "") -> list[GenRule]:
    """`count` event rules with distinct triggers; `no_hit` uses made-up trigger words."""
    rng = random.Random(seed)
    rules: list[GenRule] = []
    if no_hit:
        fake = iter(made_up_words(count * 2, seed, forbidden_text))
        def next_trigger(kind_wanted):
            return kind_wanted, next(fake)
    else:
        stream = _trigger_stream(seed)
        used: set[str] = set()
        def next_trigger(kind_wanted):
            return _fresh(stream, used)
    for index in range(count):
        kind, word = next_trigger("verb" if rng.random() < 0.7 else "noun")
        templates = VERB_TEMPLATES if kind == "verb" else NOUN_TEMPLATES
        name, make, arity, _ = rng.choices(templates, weights=[t[3] for t in templates])[0]
        triggers = (word,)
        if arity == 2:
            triggers += (next_trigger("verb")[1],)
        elements = make(*triggers) if arity == 2 else make(word)
        file_index = index // RULES_PER_FILE
        rules.append(GenRule(id=f"r{index:04d}.{name}_{word}", type=f"Event{file_index:03d}",
                             template=name, triggers=triggers, elements=elements))
    return rules


# ---------------------------------------------------------------------------- rulex text

def _literal(text: str) -> str:
    if re.fullmatch(r"[A-Za-z]+( [A-Za-z]+)*", text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_element(el) -> str:
    if isinstance(el, Words):
        body = _literal(el.options[0]) if len(el.options) == 1 and " " not in el.options[0] \
            else "(" + "|".join(_literal(o) for o in el.options) + ")"
        return body + ("?" if el.optional else "")
    if isinstance(el, Forms):
        return "<" + "|".join(el.lemmas) + ">" + ("?" if el.optional else "")
    if isinstance(el, Slot):
        return "{" + el.role + ":" + "|".join(el.types) + "}" + ("?" if el.optional else "")
    if isinstance(el, Gap):
        return f"_{{{el.min},{el.max}}}"
    if isinstance(el, Group):
        return "(" + " ".join(render_element(i) for i in el.items) + ")?"
    raise TypeError(el)


def render_rule(rule: GenRule) -> str:
    pattern = " ".join(render_element(e) for e in rule.elements)
    return f"rule: {rule.id}\n  pattern: {pattern}\n"


# ---------------------------------------------------------------------------- lexicons

@dataclass
class LexEntry:
    id: str
    aliases: list[str]


def _real_entries() -> dict[str, list[LexEntry]]:
    actors = [LexEntry(_ident(k), list(v)) for k, v in names.GROUPS.items()]
    places: list[LexEntry] = []
    for country in names.split_names(names.COUNTRIES):
        if country in names.DEMONYMS:  # states that act in the news: "Iran", "Iranian"
            actors.append(LexEntry(_ident(country) + "_state", [country, names.DEMONYMS[country]]))
        places.append(LexEntry(_ident(country), [country] + names.COUNTRY_ALIASES.get(country, [])))
    places += [LexEntry(_ident(c), [c]) for c in names.split_names(names.CITIES)]
    places += [LexEntry(_ident(c), [c]) for c in names.split_names(names.PLACE_EXTRA)]
    weapons = [LexEntry(_ident(k), list(v)) for k, v in names.WEAPONS.items()]
    # one entry per alias key in a lexicon (two entries sharing an alias is a warning)
    out = {}
    for type_name, entries in (("Actor", actors), ("Place", places), ("Weapon", weapons)):
        seen_ids: set[str] = set()
        seen_keys: set[str] = set()
        kept = []
        for entry in entries:
            aliases = [a for a in entry.aliases if _key(a) not in seen_keys]
            if not aliases or entry.id in seen_ids:
                continue
            seen_keys.update(_key(a) for a in aliases)
            seen_ids.add(entry.id)
            kept.append(LexEntry(entry.id, aliases))
        out[type_name] = kept
    return out


def _ident(text: str) -> str:
    return re.sub(r"\W+", "_", text).strip("_") or "x"


def _key(alias: str) -> str:
    return " ".join(alias.lower().replace("-", " ").split())


def real_alias_count() -> int:
    return sum(len(e.aliases) for entries in _real_entries().values() for e in entries)


class _NameMaker:
    """Pronounceable made-up proper names ("Kalidor", "Vesh Tamran") that are not English words."""

    FIRST = ["b", "d", "g", "h", "k", "l", "m", "n", "r", "s", "t", "v", "z", "br", "dr", "kr",
             "tr", "st", "sh", "kh", "j", "f", "p", "al-"]
    MIDDLE = ["b", "d", "g", "k", "l", "m", "n", "r", "s", "t", "v", "z", "sh", "nd", "rk", "st"]
    VOWELS = ["a", "a", "e", "i", "o", "u", "ai", "ou", "ia", "ei"]
    LAST = ["", "", "n", "r", "l", "s", "k", "m", "sh", "d", "t"]

    def __init__(self, seed: int, taken: set[str]):
        self.rng = random.Random(seed)
        self.taken = taken
        self.words = names.english_words()

    def name(self) -> str:
        rng = self.rng
        while True:
            syllables = rng.choice((2, 2, 2, 3))
            raw = rng.choice(self.FIRST) + rng.choice(self.VOWELS)
            for _ in range(syllables - 1):
                raw += rng.choice(self.MIDDLE) + rng.choice(self.VOWELS)
            raw += rng.choice(self.LAST)
            name = "al-" + raw[3:].capitalize() if raw.startswith("al-") else raw.capitalize()
            key = name.lower()
            if len(key) < 5 or key in self.words or key in self.taken:
                continue
            self.taken.add(key)
            return name


PLACE_FORMS = ["{n}", "{n} Province", "{n} District", "North {n}", "South {n}", "East {n}", "West {n}",
               "Port {n}", "San {n}", "Santa {n}", "{n} Valley", "{n} Airport", "{n} air base", "Lake {n}",
               "{n} City", "{n} Heights", "Mount {n}", "{n} Department", "{n} refugee camp"]
ACTOR_FORMS = ["{n} Liberation Front", "{n} People's Army", "Army of {n}", "{n} Brigade",
               "{n} Battalion", "{n} Militia", "{n} police", "Movement for {n}", "{n} Party",
               "{n} Resistance", "{n} Defense Forces", "{n} Revolutionary Council", "{n} Front",
               "{n} Patriotic Union", "{n} National Guard", "{n} Rebels", "{n} Cartel"]
WEAPON_FORMS = ["{n}-{d} missile", "{n}-{d} rocket", "{n} rifle", "{n} mortar", "{n}-{d} launcher",
                "{n} grenade", "{n}-{d} drone", "{n} howitzer", "{n}-{d} tank", "{n} cannon"]


def build_lexicons(total_aliases: int, seed: int = 7) -> dict[str, list[LexEntry]]:
    """Lexicons of about `total_aliases` aliases: the real names first, made-up names after.

    With fewer aliases than the real lists hold, each lexicon takes its share of the real
    names (most common first). Made-up entries have 1-3 aliases each.
    """
    real = _real_entries()
    shares = {"Actor": 0.4, "Place": 0.5, "Weapon": 0.1}
    real_total = sum(len(e.aliases) for entries in real.values() for e in entries)
    out: dict[str, list[LexEntry]] = {}
    if total_aliases <= real_total:
        for type_name, entries in real.items():
            budget = max(1, int(total_aliases * shares[type_name]))
            kept, n = [], 0
            for entry in entries:
                if n >= budget:
                    break
                aliases = entry.aliases[: budget - n]
                kept.append(LexEntry(entry.id, aliases))
                n += len(aliases)
            out[type_name] = kept
        return out
    taken = {_key(a) for entries in real.values() for e in entries for a in e.aliases}
    maker = _NameMaker(seed, taken)
    rng = random.Random(seed + 1)
    extra = total_aliases - real_total
    for type_name, forms in (("Actor", ACTOR_FORMS), ("Place", PLACE_FORMS), ("Weapon", WEAPON_FORMS)):
        entries = list(real[type_name])
        budget = int(extra * shares[type_name]) if type_name != "Weapon" else \
            extra - int(extra * shares["Actor"]) - int(extra * shares["Place"])
        n, index = 0, 0
        while n < budget:
            base = maker.name()
            k = min(budget - n, rng.choice((1, 1, 2, 2, 3)))
            chosen = rng.sample(forms, k)
            if type_name == "Place" and "{n}" not in chosen:
                chosen[0] = "{n}"  # a place is mostly named by its bare name
            aliases = [f.format(n=base, d=rng.randint(2, 99)) for f in chosen]
            entries.append(LexEntry(f"{type_name.lower()}_{index:05d}_{_ident(base)}", aliases))
            n += len(aliases)
            index += 1
        out[type_name] = entries
    return out


# ---------------------------------------------------------------------------- packs on disk

def slot_types(rules: list[GenRule]) -> set[str]:
    """Every type named in a slot of these rules."""
    found: set[str] = set()

    def walk(items):
        for el in items:
            if isinstance(el, Slot):
                found.update(el.types)
            elif isinstance(el, Group):
                walk(el.items)

    for rule in rules:
        walk(rule.elements)
    return found


def used_lexicons(rules: list[GenRule], lexicons: dict[str, list[LexEntry]]) -> dict[str, list[LexEntry]]:
    """The lexicons some rule uses (an unused lexicon is a warning in `rulex check`)."""
    used = slot_types(rules)
    return {t: entries for t, entries in lexicons.items() if t in used}


def write_pack(directory: Path, name: str, rules: list[GenRule], lexicons: dict[str, list[LexEntry]]) -> Path:
    """A pack directory: pack.yaml, rule files of 10 rules each (one event type a file), the used lexicons."""
    lexicons = used_lexicons(rules, lexicons)
    directory = Path(directory)
    (directory / "lexicons").mkdir(parents=True, exist_ok=True)
    (directory / "pack.yaml").write_text(
        f"name: {name}\nversion: 0.0.1\ndescription: generated benchmark pack ({len(rules)} rules)\n"
        'files:\n  - "*.rulex"\nlexicons:\n  - lexicons/*.yaml\noverlap: longest\n', encoding="utf-8")
    for file_index in range(0, len(rules), RULES_PER_FILE):
        chunk = rules[file_index:file_index + RULES_PER_FILE]
        body = [f"# generated: rules {file_index}..{file_index + len(chunk) - 1}\n", f"event: {chunk[0].type}\n\n"]
        body += [render_rule(r) + "\n" for r in chunk]
        (directory / f"events_{file_index // RULES_PER_FILE:03d}.rulex").write_text("".join(body), encoding="utf-8")
    for type_name, entries in lexicons.items():
        data = {"type": type_name, "description": f"generated {type_name} lexicon for benchmarks",
                "source": "benchmarks/rulegen.py", "licence": "MIT",
                "entries": [{"id": e.id, "aliases": e.aliases} for e in entries]}
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=200)
        (directory / "lexicons" / LEXICON_FILES[type_name]).write_text(text, encoding="utf-8")
    return directory


def alias_count(lexicons: dict[str, list[LexEntry]]) -> int:
    return sum(len(e.aliases) for entries in lexicons.values() for e in entries)


# ---------------------------------------------------------------------------- spaCy translation

DETERMINERS = ["the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her", "our",
               "some", "several", "many", "both", "each", "every"]
# Words a Phrase neither starts with nor runs through (prepositions, conjunctions, auxiliaries,
# time words), as in rulex/view.py.
PHRASE_STOP = ("in at on near from to into onto with by for against over under after before during since as "
               "than toward towards across through between without within around about amid despite outside "
               "inside along via per upon and or but nor that which who whom whose where when while because "
               "if whether then so is are was were be been being has have had do does did will would can "
               "could may might shall should must said says say not no last yesterday today tomorrow tonight "
               "monday tuesday wednesday thursday friday saturday sunday").split()


def _label_sets(types: tuple[str, ...]) -> list[str]:
    """Entity labels (one per combination of lexicon types sharing an alias) holding any of `types`."""
    out = []
    for r in range(1, len(LEXICON_TYPES) + 1):
        for combo in itertools.combinations(LEXICON_TYPES, r):
            if set(combo) & set(types):
                out.append("_".join(combo))
    return out


def _element_variants(el) -> list[list[dict]]:
    """The token-pattern alternatives of one element (a multi-token option is its own variant)."""
    if isinstance(el, Words):
        single = [o.lower() for o in el.options if " " not in o]
        multi = [o.lower().split() for o in el.options if " " in o]
        variants: list[list[dict]] = []
        if single:
            token = {"LOWER": single[0]} if len(single) == 1 else {"LOWER": {"IN": single}}
            if el.optional:
                token["OP"] = "?"
            variants.append([token])
        variants += [[{"LOWER": w} for w in words] for words in multi]
        if el.optional and multi:
            variants.append([])
        return variants
    if isinstance(el, Forms):
        forms = sorted({f for lemma in el.lemmas for f in word_forms(lemma)})
        token = {"LOWER": {"IN": forms}}
        if el.optional:
            token["OP"] = "?"
        return [[token]]
    if isinstance(el, Slot):
        lexical = [t for t in el.types if t in LEXICON_TYPES]
        if lexical:
            token = {"ENT_TYPE": {"IN": _label_sets(tuple(lexical))}}
            if el.optional:
                token["OP"] = "?"
            return [[token]]
        if el.types == ("Quantity",) or el.types == ("Number",):
            token = {"LIKE_NUM": True}
            if el.optional:
                token["OP"] = "?"
            return [[token]]
        if el.types == ("Phrase",):
            # rulex bounds a Phrase at 8 words; "+" (stopped by punctuation and the stop words,
            # longest match kept) is the fair translation: "{1,8}" makes spaCy ~8x slower.
            phrase = [{"LOWER": {"IN": DETERMINERS}, "OP": "?"},
                      {"IS_PUNCT": False, "LOWER": {"NOT_IN": PHRASE_STOP}, "OP": "+"}]
            return [phrase, []] if el.optional else [phrase]
        raise ValueError(f"no spaCy translation for {el.types}")
    if isinstance(el, Gap):
        return [[{"OP": f"{{{el.min},{el.max}}}"}]]
    if isinstance(el, Group):
        inner = [sum(combo, []) for combo in itertools.product(*(_element_variants(i) for i in el.items))]
        return inner + [[]]
    raise TypeError(el)


def spacy_patterns(rule: GenRule) -> list[list[dict]]:
    """spaCy Matcher patterns for a rule: the product of its elements' variants."""
    out = []
    for combo in itertools.product(*(_element_variants(e) for e in rule.elements)):
        pattern = [dict(t) for t in itertools.chain.from_iterable(combo)]
        if pattern:
            out.append(pattern)
    return out


def spacy_alias_patterns(lexicons: dict[str, list[LexEntry]]):
    """(attr, label, phrases) for PhraseMatchers: a label is the set of lexicon types of an alias.

    Short all-capitals aliases ("US", "UN") match case-sensitively (ORTH), as in rulex; the
    others by LOWER, with hyphenated aliases also spelt with spaces.
    """
    by_key: dict[tuple[str, str], set[str]] = {}
    spelling: dict[tuple[str, str], str] = {}
    for type_name, entries in lexicons.items():
        for entry in entries:
            for alias in entry.aliases:
                caps = len(alias) <= 5 and alias.isupper()
                spellings = {alias, alias.replace("-", " ")} if "-" in alias else {alias}
                for s in spellings:
                    key = ("ORTH", s) if caps else ("LOWER", s.lower())
                    by_key.setdefault(key, set()).add(type_name)
                    spelling.setdefault(key, s)
    grouped: dict[tuple[str, str], list[str]] = {}
    for key, types in by_key.items():
        label = "_".join(t for t in LEXICON_TYPES if t in types)
        grouped.setdefault((key[0], label), []).append(spelling[key])
    return [(attr, label, phrases) for (attr, label), phrases in sorted(grouped.items())]
