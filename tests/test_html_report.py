"""What a reader sees in the HTML report (rulex/outputs/html.py): the legend names event types and
roles, never the pack's internal sub-pattern or lexicon names; each type and role has one colour
of its own, kept apart for colour-blind readers; attributes and values are in words; labels of
nested and overlapping matches are separate, coloured chips. Checked on real reports: the
conflict pack over the sample articles, and the edge-case pack of test_outputs.py. The last
test opens the report in headless Chromium, takes a screenshot and checks what the page computed.
"""
from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from .test_outputs import CHROMIUM, Report, chromium, conflict_run, edge_run, parse_report, read_png  # noqa: F401 (fixtures)


class ReaderView(Report):
    """The report's parse, plus its legend entries, the label chips of each segment and the text
    of each match's list item."""

    def __init__(self):
        super().__init__()
        self.legend: dict[str, dict] = {}       # name -> {"group", "style", "text"}
        self.entry: dict | None = None
        self.items: dict[str, str] = {}         # list item id -> its text
        self.item: str | None = None
        self.argument_types: list[str] = []     # the cells of an argument table's "type" column

    def handle_starttag(self, tag, attrs):
        attrs_d = dict(attrs)
        in_legend = any(a.get("id") == "rx-legend" for _, a in self.stack)
        super().handle_starttag(tag, attrs)
        if in_legend and tag == "li" and "rx-legend-head" not in attrs_d.get("class", ""):
            self.entry = {"group": attrs_d.get("data-group"), "style": "", "text": "", "uses": ""}
        if self.entry is not None and "rx-swatch" in attrs_d.get("class", ""):
            self.entry["style"] = attrs_d.get("style", "")
        if tag == "span" and "rx-chip" in attrs_d.get("class", "").split():
            assert self.stack[-2][0] == "mark", "a label chip outside a highlight"
            self.sections[-1]["marks"][-1].setdefault("chips", []).append(attrs_d)
        if tag == "li" and "rx-item" in attrs_d.get("class", ""):
            self.item = attrs_d["id"]
            self.items[self.item] = ""

    def handle_endtag(self, tag):
        if tag == "li" and self.entry is not None:
            self.legend[self.entry["text"].strip()] = self.entry
            self.entry = None
        if tag == "li" and self.item is not None and self.stack and self.stack[-1][1].get("id") == self.item:
            self.item = None
        super().handle_endtag(tag)

    def handle_data(self, data):
        super().handle_data(data)
        if self.entry is not None:
            self.entry["uses" if self.stack and self.stack[-1][0] == "small" else "text"] += data
        if self.item is not None:
            self.items[self.item] += data


def view_of(run, tmp_path: Path, name="report.html") -> tuple[ReaderView, str]:
    path = tmp_path / name
    run.write("html", path, {"pack": "conflict"})
    view = ReaderView()
    raw = path.read_text(encoding="utf-8")
    view.feed(raw)
    view.close()
    assert not view.errors, view.errors[:5]
    return view, raw


def style_value(style: str, name: str) -> str | None:
    found = re.search(rf"(?:^|;)\s*{re.escape(name)}:\s*([^;]+)", style)
    return found.group(1).strip() if found else None


# ------------------------------------------------------------------------------------------
# colour arithmetic for the colour-blind check: sRGB -> simulated dichromat -> CIELAB

def linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def to_rgb(hex_colour: str) -> tuple[float, float, float]:
    return tuple(linear(int(hex_colour[i:i + 2], 16) / 255) for i in (1, 3, 5))


# Machado, Oliveira and Fernandes (2009), severity 1.0, applied to linear RGB
DICHROMATS = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}


def lab(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = (min(1.0, max(0.0, c)) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def seen(hex_colour: str, vision: str) -> tuple[float, float, float]:
    rgb = to_rgb(hex_colour)
    if vision in DICHROMATS:
        rgb = tuple(sum(m * c for m, c in zip(row, rgb)) for row in DICHROMATS[vision])
    return lab(rgb)


def nearest_pair(colours: list[str], vision: str) -> float:
    return min(sum((p - q) ** 2 for p, q in zip(seen(a, vision), seen(b, vision))) ** 0.5
               for a, b in itertools.combinations(colours, 2))


# ------------------------------------------------------------------------------------------
# the legend

def test_legend_names_event_types_and_roles_never_internal_names(conflict_run, tmp_path):
    view, raw = view_of(conflict_run, tmp_path)
    matches = conflict_run.matches
    match_types = {m.type for m in matches}
    roles = {a.role for m in matches for a in m.arguments}
    internal = {a.type for m in matches for a in m.arguments} - match_types - roles
    assert {"drone_strikes", "near_np", "target_in"} <= internal      # the run really has them
    assert set(view.legend) == match_types | roles
    assert {n for n, e in view.legend.items() if e["group"] == "role"} == roles
    assert {n for n, e in view.legend.items() if e["group"] in ("event", "entity")} == match_types
    # the argument tables show the role and value, not the slot's internal type name
    for name in internal:
        assert f"<td>{name}</td>" not in raw
    # counts: how many matches of each type, how many arguments in each role
    by_type = Counter(m.type for m in matches)
    by_role = Counter(a.role for m in matches for a in m.arguments)
    for name, entry in view.legend.items():
        count = by_role[name] if entry["group"] == "role" else by_type[name]
        unit = ("argument" if entry["group"] == "role" else "match") + ("" if count == 1 else "s")
        assert entry["uses"] == f"{count} {unit}".replace("matchs", "matches"), (name, entry)


# ------------------------------------------------------------------------------------------
# colours

def legend_colours(view: ReaderView) -> dict[str, tuple[str, str]]:
    """name -> (colour, line style) of its legend swatch."""
    return {name: (style_value(e["style"], "--c"), style_value(e["style"], "--s") or "solid")
            for name, e in view.legend.items()}


def test_each_type_and_role_has_its_own_colour_everywhere(conflict_run, edge_run, tmp_path):
    for run in (conflict_run, edge_run):
        view, _ = view_of(run, tmp_path)
        colours = legend_colours(view)
        types = [n for n, e in view.legend.items() if e["group"] in ("event", "entity")]
        roles = [n for n, e in view.legend.items() if e["group"] == "role"]
        assert len({colours[t][0] for t in types}) == len(types)
        assert len({colours[r] for r in roles}) == len(roles)
        assert not {colours[t][0] for t in types} & {colours[r][0] for r in roles}
        # a chip or a list badge of a type or role has its legend colour, in every document
        checked = Counter()
        for section in view.sections:
            for mark in section["marks"]:
                for chip in mark.get("chips", []):
                    name = chip["data-name"]
                    assert style_value(chip["style"], "--c") == colours[name][0], (name, chip)
                    checked[chip["data-kind"]] += 1
                if "rx-arg" in mark["class"]:
                    assert (style_value(mark["style"], "--ac"), style_value(mark["style"], "--as") or "solid") \
                        in {colours[r] for r in roles}
        assert checked["type"] >= len(types) and checked["role"] >= len(roles)


def test_palette_stays_apart_for_colour_blind_readers(conflict_run, edge_run, tmp_path):
    view, _ = view_of(conflict_run, tmp_path)
    colours = legend_colours(view)
    types = [colours[n][0] for n, e in view.legend.items() if e["group"] in ("event", "entity")]
    roles = [colours[n] for n, e in view.legend.items() if e["group"] == "role"]
    assert len(types) >= 5 and len(roles) >= 12
    for vision in ("normal", *DICHROMATS):
        assert nearest_pair(types, vision) > 10, vision
        for style in {s for _, s in roles}:
            same_line = [c for c, s in roles if s == style]
            if len(same_line) > 1:
                assert nearest_pair(same_line, vision) > 10, (vision, style)


# ------------------------------------------------------------------------------------------
# attributes, values and nested labels

def test_attributes_are_words_with_their_cue(conflict_run, edge_run, tmp_path):
    view, raw = view_of(conflict_run, tmp_path)
    assert '{"negated"' not in raw and "{&quot;negated&quot;" not in raw
    future = [(i, m) for i, m in enumerate(conflict_run.docs[0][1]) if m.attrs.get("future")]
    assert future
    for i, m in future:
        text = view.items[f"rx-d1-m{i}"]
        cue = m.provenance.attributes[0]["cue"]
        assert re.search(rf"\bfuture\b[^\n]*{re.escape(cue)}", text), text
        assert "negated" not in text.split("future")[0].split("attributes")[-1]   # false ones are not listed as set
        chips = [c for s in view.sections for mk in s["marks"] for c in mk.get("chips", [])
                 if c["data-kind"] == "type" and c["data-name"] == m.type]
        assert any("future" in c["data-l"] for c in chips)
    view, raw = view_of(edge_run, tmp_path, "edge.html")
    first = view.items["rx-d1-m0"]
    assert "negated" in first and "country Iraq" in first and "note two words" in first
    assert "hedged" not in first


def test_values_are_shown_in_words_where_useful(conflict_run, tmp_path):
    view, raw = view_of(conflict_run, tmp_path)
    assert "{&quot;min&quot;" not in raw and '{"min"' not in raw
    chips = [c for s in view.sections for mk in s["marks"] for c in mk.get("chips", []) if c["data-kind"] == "role"]
    for doc_matches in (ms for _, ms in conflict_run.docs):
        for m in doc_matches:
            for a in m.arguments:
                if a.role == "time" and a.has_value:
                    assert any(c["data-l"] == f"time = {a.value}" for c in chips), a
                if a.role == "count" and a.value == {"min": 13}:
                    assert any(c["data-l"] == "count = at least 13" for c in chips), a
    # an approximate open count, and a lexicon id in the table
    assert any(c["data-l"] == "count = about 24 or more" for c in chips)
    assert "<td>Qasem_Soleimani</td>" in raw


def test_nested_and_overlapping_labels_are_separate_chips(edge_run, tmp_path):
    view, _ = view_of(edge_run, tmp_path)
    doc, matches = edge_run.docs[0]
    marks = view.sections[0]["marks"]
    first = marks[0]                               # "Iran": Attack and Strike start here, and arguments
    labels = [(c["data-kind"], c["data-name"]) for c in first["chips"]]
    starting = sorted((m for m in matches if m.start == 0), key=lambda m: (m.start - m.end))
    assert labels[:len(starting)] == [("type", m.type) for m in starting]     # outer match first
    roles_here = [a.role for m in matches for a in m.arguments if a.start == 0]
    assert [n for k, n in labels[len(starting):]] == list(dict.fromkeys(roles_here))   # each role once
    # each chip names the matches it belongs to when matches overlap
    for chip in first["chips"]:
        if chip["data-kind"] == "role":
            owners = [m.type for m in matches if any(a.start == 0 and a.role == chip["data-name"] for a in m.arguments)]
            for owner in owners:
                assert owner in chip["title"]
    # inside several matches: the innermost's fill, a bar in the outermost's
    colours = legend_colours(view)
    for mark in marks:
        inside = sorted((matches[int(i)] for i in mark["data-m"].split()), key=lambda m: m.end - m.start)
        assert style_value(mark["style"], "--c") == colours[inside[0].type][0]
        if len(inside) > 1:
            assert style_value(mark["style"], "--o") == colours[inside[-1].type][0], mark
    erbil = next(mk for mk in marks if mk["text"] == "Erbil")
    assert [c["data-name"] for c in erbil["chips"] if c["data-kind"] == "type"] == ["Place"]
    assert len(erbil["data-m"].split()) == 3                                  # inside three matches


# ------------------------------------------------------------------------------------------
# the report in a browser

@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (`make browser`)")
def test_report_reads_well_in_headless_chromium(conflict_run, tmp_path):
    report = tmp_path / "report.html"
    conflict_run.write("html", report, {"pack": "conflict"})
    page = report.read_text(encoding="utf-8")
    probe = """<script>
    (function () {
      var out = {legend: [], chips: [], text: 0};
      document.querySelectorAll("header .rx-legend li[data-name]").forEach(function (li) {
        var sw = li.querySelector(".rx-swatch"), cs = getComputedStyle(sw);
        out.legend.push([li.getAttribute("data-name"), li.getAttribute("data-group"),
                         cs.backgroundColor, cs.borderBottomColor, cs.borderBottomStyle]);
      });
      document.querySelectorAll(".rx-chip").forEach(function (c) {
        var before = getComputedStyle(c, "::before");
        out.chips.push([c.getAttribute("data-name"), before.content,
                        before.backgroundColor || getComputedStyle(c).backgroundColor,
                        c.getBoundingClientRect().width]);
      });
      document.querySelectorAll(".rx-text").forEach(function (t) { out.text += t.innerText.trim().length; });
      var pre = document.createElement("pre"); pre.id = "rx-probe"; pre.textContent = JSON.stringify(out);
      document.body.appendChild(pre);
    })();
    </script></body>"""
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("</body>", probe), encoding="utf-8")
    result = chromium("--dump-dom", probed.as_uri(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    found = re.search(r'<pre id="rx-probe">(.*?)</pre>', result.stdout, re.S)
    assert found, result.stdout[-2000:]
    probe_out = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&")
                           .replace("&lt;", "<").replace("&gt;", ">"))
    matches = conflict_run.matches
    names = {m.type for m in matches} | {a.role for m in matches for a in m.arguments}
    legend = {row[0]: row for row in probe_out["legend"]}
    assert set(legend) == names                                               # the header legend, filled by the script
    assert not {"near_np", "drone_strikes", "target_in", "ActorNP"} & set(legend)
    types = [row for row in legend.values() if row[1] != "role"]
    assert len({row[2] for row in types}) == len(types)                        # computed fills all differ
    roles = [row for row in legend.values() if row[1] == "role"]
    assert len({(row[3], row[4]) for row in roles}) == len(roles)              # computed line colour and style
    assert probe_out["text"] >= sum(len(d.text.strip()) for d, _ in conflict_run.docs) * 0.95
    chips = probe_out["chips"]
    assert chips and all(c[1] not in ("none", "normal", '""') and c[3] > 5 for c in chips)   # chips render their label

    png = tmp_path / "shot.png"
    result = chromium(f"--screenshot={png}", "--window-size=1400,2000", report.as_uri(), cwd=tmp_path)
    assert png.exists(), result.stderr[-2000:]
    width, bpp, rows = read_png(png)
    pixels = Counter(row[x:x + 3] for row in rows for x in range(0, width * bpp, bpp))
    for name, _group, background, _, _ in types:
        rgb = bytes(int(v) for v in re.findall(r"\d+", background)[:3])
        if any(m.type == name for m in conflict_run.docs[0][1][:10]):       # on the first screen
            assert pixels[rgb] > 300, f"{name} highlight {background} not on screen: {pixels[rgb]} pixels"
