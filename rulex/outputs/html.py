"""HTML: one self-contained report (inline CSS and JavaScript, nothing loaded from anywhere).

Layout, written as the run goes (the page is usable while it is still being written):

- head and header, at the first document: the pack name (`options["pack"]`), and places for
  the counts and the legend, which a small script fills from the footer once the page has
  loaded (a report is streamed, so the counts are only known at the end);
- one `<section class="rx-doc">` per document, in input order: its id, date and metadata; its
  text with every match highlighted; the list of its matches with their provenance.
  In the text, the spans of all matches and arguments are cut at every start and end into
  non-overlapping segments, each a `<mark class="rx-seg">` listing the matches (`data-m`)
  and arguments (`data-a`, `match.argument`) covering it. A segment takes the fill of the
  innermost match covering it, with a thick bar on top in the fill of the outermost when
  matches nest or overlap; argument segments are underlined in their role's colour and line
  style. Where matches and arguments start, label chips (empty `<span class="rx-chip">`
  whose CSS shows `data-l`, so they are not part of the text) name them: the match types,
  outer first, with their true attributes ("Attack (future)"), then each role once, with its
  value when it is a date or a count ("time = 2020-01-03"). Hovering shows the rule, file:line,
  values and derivations; clicking opens a panel with the full provenance of the matches there.
  A document without matches shows its text folded away (or nothing with
  `options["skip_empty"]`);
- the footer, at close: the counts and the legend: the event (and entity) types and the
  roles a reader knows, each with its colour and count; the internal types of the slots
  (sub-patterns, lexicon names) stay in the "found by" column. Then the script.

Colours: match types get fills from Paul Tol's "light" scheme and roles line colours from his
"muted" scheme, both chosen to stay apart for colour-blind readers; past a scheme's end the
colours come round again with hatching (types) or another line style (roles). A type or role
keeps the colour of its first appearance for the whole report, and every label carries its
name, so colour is never the only cue.

Every document text, id, value and provenance string is escaped with `html.escape`, so a
document holding `<script>` shows it as text. The page works without JavaScript (only the
click panel and the header counts need it).
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from html import escape
from typing import Any

from .. import __version__
from ..document import Document
from ..match import Argument, Match
from . import StreamWriter, describe_derivation, rule_location, to_json

# fills for match types: Tol's light scheme without its olive (the closest to pear), the most
# different first, so the few types of most packs are far apart
TYPE_FILLS = ("#77AADD", "#EE8866", "#EEDD88", "#44BB99", "#FFAABB", "#BBCC33", "#99DDFF", "#DDDDDD")
# line and chip colours for roles (Tol's muted scheme), then the line styles that follow them
ROLE_COLOURS = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499")
LINE_STYLES = ("solid", "dashed", "dotted", "double")


def esc(value) -> str:
    return escape(str(value), quote=True)


@cache
def darken(hex_colour: str, factor: float = 0.45) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(v * factor):02x}" for v in (r, g, b))


@cache
def ink(hex_colour: str) -> str:
    """Black or white, whichever reads better on `hex_colour`."""
    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return "#000" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "#fff"


def type_style(index: int) -> str:
    """The CSS variables of the index-th match type: fill, its dark edge, its ink, hatching."""
    fill = TYPE_FILLS[index % len(TYPE_FILLS)]
    hatch = ";--h:var(--rx-hatch)" if index >= len(TYPE_FILLS) else ""
    return f"--c:{fill};--d:{darken(fill)};--k:{ink(fill)}{hatch}"


def role_style(index: int) -> tuple[str, str]:
    """The line colour and line style of the index-th role."""
    return (ROLE_COLOURS[index % len(ROLE_COLOURS)],
            LINE_STYLES[(index // len(ROLE_COLOURS)) % len(LINE_STYLES)])


def readable_value(value: Any) -> str:
    """A normalised value in words: a count {min, max, approximate} as "at least 13",
    "about 24 or more", "10-15"; a lexicon id or a date as itself."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return to_json(value)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict) and value and set(value) <= {"min", "max", "approximate"}:
        low, high, about = value.get("min"), value.get("max"), "about " if value.get("approximate") else ""
        if low is not None and low == high:
            return f"{about}{low}"
        if low is not None and high is not None:
            return f"{about}{low}–{high}"
        if low is not None:
            return f"{about}{low} or more" if about else f"at least {low}"
        return f"{about}{high} or fewer" if about else f"at most {high}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {readable_value(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(readable_value(v) for v in value)
    return str(value)


def attribute_words(match: Match, with_cues: bool = True) -> list[str]:
    """The match's attributes that are set, in words: "negated", "future (cue “planned to”)",
    "country Iraq"; false ones are left out."""
    cues = {c.get("attribute"): c.get("cue") for c in match.provenance.attributes} if with_cues else {}
    words = []
    for name, value in match.attrs.items():
        if value is True:
            words.append(f"{name} (cue “{cues[name]}”)" if cues.get(name) else name)
        elif value not in (False, None, ""):
            words.append(f"{name} {readable_value(value)}")
    return words


def shows_value(arg: Argument) -> bool:
    """Whether an argument's label shows its value: dates and counts, not lexicon ids."""
    return arg.has_value and (not isinstance(arg.value, str) or arg.derivation.get("via") == "builtin")


class HtmlWriter(StreamWriter):
    name = "html"
    appendable = False      # one document: its footer closes it

    def __init__(self, target, options=None):
        super().__init__(target, options)
        self.pack = self.options.get("pack")
        self.skip_empty = bool(self.options.get("skip_empty"))
        self._types: dict[str, int] = {}        # match type -> colour index, in order of first appearance
        self._kinds: dict[str, str] = {}        # match type -> "event" or "entity"
        self._roles: dict[str, int] = {}        # role -> colour index, in order of first appearance
        self._as_match: dict[str, int] = {}     # type -> matches
        self._as_role: dict[str, int] = {}      # role -> arguments
        self._started = False

    # -- the stream -------------------------------------------------------------------------

    def write(self, doc: Document, matches: Sequence[Match]) -> None:
        self._check_open()
        if not self._started:
            self._header()
        section = self.section(doc, matches)
        if matches or not self.skip_empty:
            self.out.write(section)
        self.out.flush()

    def section(self, doc: Document, matches: Sequence[Match]) -> str:
        """One document as the report shows it, counted in the totals and the legend; without
        the page around it, for `rulex serve` (which uses CSS, the report's style sheet)."""
        self.documents += 1
        self.matches += len(matches)
        for match in matches:
            self._type_index(match.type)
            self._kinds.setdefault(match.type, match.kind)
            self._as_match[match.type] = self._as_match.get(match.type, 0) + 1
            for arg in match.arguments:
                self._role_index(arg.role)
                self._as_role[arg.role] = self._as_role.get(arg.role, 0) + 1
        return self._document(self.documents, doc, matches)

    def finish(self) -> None:
        if not self._started:
            self._header()
        self.out.write(self._footer())

    def _type_index(self, name: str) -> int:
        return self._types.setdefault(name, len(self._types))

    def _role_index(self, name: str) -> int:
        return self._roles.setdefault(name, len(self._roles))

    def _type_style(self, name: str) -> str:
        return type_style(self._type_index(name))

    def _role_style(self, name: str) -> str:
        line, style = role_style(self._role_index(name))
        return f"--c:{line};--k:{ink(line)};--s:{style}"

    # -- header and footer ----------------------------------------------------------------

    def _header(self) -> None:
        self._started = True
        title = f"rulex report: {self.pack}" if self.pack else "rulex report"
        pack = f' <span class="rx-pack">pack <b>{esc(self.pack)}</b></span>' if self.pack else ""
        self.out.write(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta name=\"generator\" content=\"rulex {esc(__version__)}\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f"<header class=\"rx-header\">\n<h1>rulex report{pack}</h1>\n"
            "<p id=\"rx-summary\">Counts and legend: at the end of the report.</p>\n"
            "<div id=\"rx-legend-slot\"></div>\n</header>\n<main>\n")

    def _footer(self) -> str:
        counts = f"{self.documents} document{'s' if self.documents != 1 else ''}, " \
                 f"{self.matches} match{'es' if self.matches != 1 else ''}"
        by_type = ", ".join(f"{t} {n}" for t, n in self._as_match.items())
        totals = counts + (f" ({by_type})" if by_type else "")
        groups = []
        for kind, heading in (("event", "events"), ("entity", "entities")):
            names = [t for t in self._types if self._kinds.get(t) == kind]
            if names:
                rows = [self._legend_row(t, kind, "rx-swatch-type", self._type_style(t),
                                         plural(self._as_match[t], "match", "matches")) for t in names]
                groups.append(f"<ul class=\"rx-legend\"><li class=\"rx-legend-head\">{heading}</li>{''.join(rows)}</ul>")
        if self._roles:
            rows = [self._legend_row(r, "role", "rx-swatch-role", self._role_style(r),
                                     plural(self._as_role[r], "argument", "arguments")) for r in self._roles]
            groups.append(f"<ul class=\"rx-legend\"><li class=\"rx-legend-head\">roles</li>{''.join(rows)}</ul>")
        legend = "".join(groups) or "<ul class=\"rx-legend\"><li class=\"rx-legend-head\">no matches</li></ul>"
        return ("</main>\n<footer class=\"rx-footer\">\n"
                f"<p id=\"rx-totals\" data-documents=\"{self.documents}\" data-matches=\"{self.matches}\">"
                f"{esc(totals)}</p>\n<div id=\"rx-legend\">{legend}</div>\n</footer>\n"
                "<aside id=\"rx-panel\" class=\"rx-panel\" hidden>"
                "<button type=\"button\" id=\"rx-close\" aria-label=\"close\">&times;</button>"
                "<div id=\"rx-panel-body\"></div></aside>\n"
                f"<script>{SCRIPT}</script>\n</body>\n</html>\n")

    @staticmethod
    def _legend_row(name: str, group: str, swatch: str, style: str, uses: str) -> str:
        return (f"<li data-name=\"{esc(name)}\" data-group=\"{group}\"><span class=\"rx-swatch {swatch}\" "
                f"style=\"{style}\"></span>{esc(name)} <small>{uses}</small></li>")

    # -- one document ---------------------------------------------------------------------

    def _document(self, n: int, doc: Document, matches: Sequence[Match]) -> str:
        info = []
        if doc.date is not None:
            info.append(f"date {doc.date.isoformat()} ({doc.date_source})")
        info.append(plural(len(matches), "match", "matches"))
        if doc.meta:
            info.append(f"meta {to_json(doc.meta)}")
        head = (f"<section class=\"rx-doc{'' if matches else ' rx-empty'}\" id=\"rx-d{n}\" data-n=\"{n}\">\n"
                f"<h2 class=\"rx-docid\">{esc(doc.id)}</h2>\n<p class=\"rx-docinfo\">{esc(' · '.join(info))}</p>\n")
        if not matches:
            return (head + "<details><summary>no matches: show the text</summary>"
                    f"<div class=\"rx-text\">{esc(doc.text)}</div></details>\n</section>\n")
        items = "".join(self._item(n, i, m) for i, m in enumerate(matches))
        return (head + f"<div class=\"rx-text\">{self._highlight(doc.text, matches)}</div>\n"
                f"<ol class=\"rx-list\">\n{items}</ol>\n</section>\n")

    def _highlight(self, text: str, matches: Sequence[Match]) -> str:
        """The text with every match and argument span marked, as non-overlapping segments."""
        starts: dict[int, list] = {}
        ends: dict[int, list] = {}
        for i, m in enumerate(matches):
            spans = [(("m", i), m.start, m.end)] + [(("a", i, j), a.start, a.end) for j, a in enumerate(m.arguments)]
            for key, s, e in spans:
                s, e = max(0, s), min(len(text), e)
                if e > s:
                    starts.setdefault(s, []).append(key)
                    ends.setdefault(e, []).append(key)
        out: list[str] = []
        active: dict[tuple, None] = {}
        self._titles: dict[tuple, str] = {}     # this document's hover lines, escaped, by key
        pos = 0
        for point in sorted(set(starts) | set(ends)):
            if point > pos:
                out.append(self._segment(text, pos, point, active, matches))
            for key in ends.get(point, ()):
                active.pop(key, None)
            for key in starts.get(point, ()):
                active[key] = None
            pos = point
        out.append(esc(text[pos:]))
        self._titles = {}
        return "".join(out)

    def _title(self, key: tuple, matches: Sequence[Match]) -> str:
        """The escaped hover line of a match ("m", i) or an argument ("a", i, j)."""
        line = self._titles.get(key)
        if line is None:
            if key[0] == "a":
                m = matches[key[1]]
                a = m.arguments[key[2]]
                line = f"{m.type} {a.role} = {a.text!r}"
                if a.has_value:
                    line += f" -> {readable_value(a.value)}"
                if a.derivation:
                    line += f"; {describe_derivation(a.derivation)}"
            else:
                m = matches[key[1]]
                line = f"{m.type}: rule {m.rule} at {rule_location(m)}"
                if m.provenance.alternative is not None:
                    line += f" (alternative {m.provenance.alternative})"
                words = attribute_words(m)
                if words:
                    line += f"; {', '.join(words)}"
            line = self._titles[key] = esc(line)
        return line

    def _segment(self, text: str, start: int, end: int, active: dict, matches: Sequence[Match]) -> str:
        piece = esc(text[start:end])
        if not active:
            return piece
        ms = sorted(k[1] for k in active if k[0] == "m")
        args = sorted((k[1], k[2]) for k in active if k[0] == "a")
        by_size = sorted(ms, key=lambda i: (matches[i].end - matches[i].start, i))
        classes = ["rx-seg"]
        style = []
        if ms:
            classes.append("rx-m")
            style.append(self._type_style(matches[by_size[0]].type))
            if len(ms) > 1:
                classes.append("rx-multi")
                outer = TYPE_FILLS[self._type_index(matches[by_size[-1]].type) % len(TYPE_FILLS)]
                style.append(f"--o:{outer}")
        if args:
            classes.append("rx-arg")
            i, j = max(args, key=lambda ij: (matches[ij[0]].arguments[ij[1]].start, -ij[0]))
            line, line_style = role_style(self._role_index(matches[i].arguments[j].role))
            style.append(f"--ac:{line};--as:{line_style}")
        title = [self._title(("a", i, j), matches) for i, j in args]
        title += [self._title(("m", i), matches) for i in by_size]
        title.append("click for details")
        attrs = [f"class=\"{' '.join(classes)}\"", f"style=\"{';'.join(style)}\"",
                 f"data-m=\"{' '.join(map(str, ms))}\""]
        if args:
            attrs.append(f"data-a=\"{' '.join(f'{i}.{j}' for i, j in args)}\"")
        attrs.append(f"title=\"{chr(10).join(title)}\"")
        return f"<mark {' '.join(attrs)}>{self._chips(start, by_size, args, matches)}{piece}</mark>"

    def _chips(self, start: int, by_size: list[int], args: list[tuple[int, int]], matches: Sequence[Match]) -> str:
        """The label chips of what starts at `start`: match types outer first, then each role once."""
        chips = []
        for i in reversed(by_size):
            m = matches[i]
            if m.start == start:
                words = attribute_words(m, with_cues=False)
                label = f"{m.type} ({', '.join(words)})" if words else m.type
                chips.append(f"<span class=\"rx-chip rx-chip-type\" data-kind=\"type\" data-name=\"{esc(m.type)}\" "
                             f"style=\"{self._type_style(m.type)}\" data-l=\"{esc(label)}\"></span>")
        roles: dict[tuple, list[Match]] = {}
        for i, j in args:
            a = matches[i].arguments[j]
            if a.start == start:
                value = readable_value(a.value) if shows_value(a) else None
                roles.setdefault((a.role, value), []).append(matches[i])
        for (role, value), owners in roles.items():
            label = f"{role} = {value}" if value is not None else role
            of = ", ".join(dict.fromkeys(m.type for m in owners))
            chips.append(f"<span class=\"rx-chip rx-chip-role\" data-kind=\"role\" data-name=\"{esc(role)}\" "
                         f"style=\"{self._role_style(role)}\" data-l=\"{esc(label)}\" title=\"{esc(role)} of {esc(of)}\">"
                         "</span>")
        return "".join(chips)

    def _item(self, n: int, i: int, m: Match) -> str:
        prov = m.provenance
        where = f"rule <code>{esc(m.rule)}</code> at <code>{esc(rule_location(m))}</code>"
        if prov.alternative is not None:
            where += f", alternative {prov.alternative}"
        where += f" · sentence {prov.sentence[0]}–{prov.sentence[1]} · pack {esc(prov.pack)} {esc(prov.pack_version)}"
        parts = [f"<li class=\"rx-item\" id=\"rx-d{n}-m{i}\" style=\"{self._type_style(m.type)}\">",
                 f"<div class=\"rx-item-head\"><span class=\"rx-badge\">{esc(m.type)}</span> "
                 f"<q>{esc(m.text)}</q> <span class=\"rx-off\">{m.start}–{m.end}</span></div>",
                 f"<div class=\"rx-prov\">{where}</div>"]
        if m.has_value:
            parts.append(f"<div class=\"rx-value\">value <strong>{esc(readable_value(m.value))}</strong></div>")
        if m.attrs:
            words = attribute_words(m)
            said = (", ".join(f"<strong>{esc(w)}</strong>" for w in words) if words
                    else f"none set (of {esc(', '.join(m.attrs))})")
            parts.append(f"<div class=\"rx-attrs\">attributes: {said}</div>")
        if m.arguments:
            rows = []
            for j, a in enumerate(m.arguments):
                value = esc(readable_value(a.value)) if a.has_value else "<span class=\"rx-none\">–</span>"
                how = esc(describe_derivation(a.derivation)) if a.derivation else ""
                rows.append(f"<tr data-arg=\"{i}.{j}\"><td><span class=\"rx-role\" style=\"{self._role_style(a.role)}\">"
                            f"{esc(a.role)}</span></td><td>{esc(a.text)}</td><td>{value}</td><td>{how}</td>"
                            f"<td class=\"rx-off\">{a.start}–{a.end}</td></tr>")
            parts.append("<table class=\"rx-args\"><thead><tr><th>role</th><th>text</th>"
                         "<th>value</th><th>found by</th><th>offsets</th></tr></thead>"
                         f"<tbody>{''.join(rows)}</tbody></table>")
        if prov.derivation:
            raw = "\n".join(to_json(how) for how in prov.derivation)   # one step a line
            parts.append(f"<details class=\"rx-raw\"><summary>derivation</summary><pre>{esc(raw)}</pre></details>")
        parts.append("</li>\n")
        return "".join(parts)


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


CSS = """
:root{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#212529;background:#fff;
  --rx-hatch:repeating-linear-gradient(135deg,transparent 0 5px,rgba(255,255,255,.6) 5px 8px)}
body{margin:0 auto;max-width:60rem;padding:1rem 1.5rem 4rem}
h1{font-size:1.4rem;margin:.2rem 0}.rx-pack{font-weight:normal;color:#495057}
h2.rx-docid{font-size:1.05rem;margin:0;font-family:ui-monospace,monospace;word-break:break-all}
.rx-header{border-bottom:1px solid #dee2e6;padding-bottom:.5rem;margin-bottom:1rem}
.rx-doc{border:1px solid #dee2e6;border-radius:6px;padding:.8rem 1rem;margin:0 0 1.2rem}
.rx-docinfo{color:#6c757d;font-size:.85rem;margin:.2rem 0 .6rem;word-break:break-all}
.rx-text{white-space:pre-wrap;line-height:2.3;overflow-wrap:anywhere}
mark.rx-seg{background:transparent;color:inherit;cursor:pointer;padding:.15em 0}
mark.rx-m{background-color:var(--c);background-image:var(--h,none);box-shadow:inset 0 -1px 0 var(--d)}
mark.rx-multi{box-shadow:inset 0 4px 0 var(--o),inset 0 -1px 0 var(--d)}
mark.rx-arg{text-decoration-line:underline;text-decoration-color:var(--ac);text-decoration-style:var(--as);
  text-decoration-thickness:3px;text-underline-offset:.3em;text-decoration-skip-ink:none}
.rx-chip{display:inline-block;font-size:.64em;font-weight:600;line-height:1.25;vertical-align:.85em;margin-right:.2em;
  padding:0 .3em;background-color:var(--c);background-image:var(--h,none);color:var(--k);user-select:none;white-space:nowrap}
.rx-chip::before{content:attr(data-l)}
.rx-chip-type{border-radius:2px;border:1px solid var(--d)}
.rx-chip-role{border-radius:.8em;padding:0 .45em;border:1px var(--s) var(--k)}
.rx-chip-role[style*="--s:solid"]{border-color:var(--c)}
mark.rx-selected{outline:2px solid #1c7ed6}
.rx-list{font-size:.85rem;padding-left:1.6rem}.rx-item{margin:.5rem 0}
.rx-badge{display:inline-block;background-color:var(--c);background-image:var(--h,none);color:var(--k);
  border:1px solid var(--d);border-radius:3px;padding:0 .3em;font-weight:600}
.rx-role{display:inline-block;background:var(--c);color:var(--k);border-radius:.8em;padding:0 .45em;font-weight:600;
  border:1px var(--s) var(--k)}
.rx-off{color:#868e96;font-size:.8em;white-space:nowrap}.rx-prov,.rx-value,.rx-attrs{color:#495057}
.rx-args{border-collapse:collapse;margin:.3rem 0}
.rx-args td,.rx-args th{border:1px solid #dee2e6;padding:.1rem .4rem;text-align:left;vertical-align:top}
.rx-args tr.rx-hit{background:#fff3bf}.rx-none{color:#adb5bd}
.rx-raw pre{white-space:pre-wrap;font-size:.75rem;background:#f8f9fa;padding:.4rem;max-height:20rem;overflow:auto}
.rx-legend{list-style:none;padding:0;margin:.3rem 0;display:flex;flex-wrap:wrap;gap:.3rem 1rem;font-size:.85rem}
.rx-legend-head{font-weight:600;color:#495057;min-width:4.5em}
.rx-swatch{display:inline-block;margin-right:.3em}
.rx-swatch-type{width:1em;height:1em;vertical-align:-.15em;background-color:var(--c);background-image:var(--h,none);
  border:1px solid var(--d);border-radius:2px}
.rx-swatch-role{width:1.6em;height:.45em;vertical-align:.1em;border-bottom:4px var(--s) var(--c)}
.rx-footer{border-top:1px solid #dee2e6;margin-top:1rem;font-size:.9rem}
.rx-panel{position:fixed;right:1rem;bottom:1rem;width:min(34rem,90vw);max-height:60vh;overflow:auto;background:#fff;
  border:1px solid #adb5bd;border-radius:6px;box-shadow:0 4px 16px rgba(0,0,0,.2);padding:.6rem .8rem;font-size:.85rem}
.rx-panel .rx-item{list-style:none;margin:.3rem 0 .8rem}
#rx-close{float:right;border:0;background:none;font-size:1.3rem;cursor:pointer;line-height:1}
"""

SCRIPT = """
(function () {
  "use strict";
  var totals = document.getElementById("rx-totals");
  var summary = document.getElementById("rx-summary");
  if (totals && summary) { summary.textContent = totals.textContent; }
  var legend = document.getElementById("rx-legend");
  var slot = document.getElementById("rx-legend-slot");
  if (legend && slot) { var copy = legend.cloneNode(true); copy.removeAttribute("id"); slot.appendChild(copy); }
  var panel = document.getElementById("rx-panel");
  var body = document.getElementById("rx-panel-body");
  function clearSelection() {
    var old = document.querySelectorAll("mark.rx-selected");
    for (var k = 0; k < old.length; k++) { old[k].classList.remove("rx-selected"); }
  }
  function hide() { panel.hidden = true; clearSelection(); }
  document.getElementById("rx-close").addEventListener("click", hide);
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") { hide(); } });
  document.addEventListener("click", function (ev) {
    var seg = ev.target.closest ? ev.target.closest("mark.rx-seg") : null;
    if (!seg) { return; }
    var section = seg.closest(".rx-doc");
    var n = section.getAttribute("data-n");
    var ms = (seg.getAttribute("data-m") || "").split(" ").filter(Boolean);
    var args = (seg.getAttribute("data-a") || "").split(" ").filter(Boolean);
    while (body.firstChild) { body.removeChild(body.firstChild); }
    var h = document.createElement("p");
    h.textContent = section.querySelector(".rx-docid").textContent;
    body.appendChild(h);
    ms.forEach(function (i) {
      var item = document.getElementById("rx-d" + n + "-m" + i);
      if (item) { var c = item.cloneNode(true); c.removeAttribute("id"); body.appendChild(c); }
    });
    args.forEach(function (a) {
      var rows = body.querySelectorAll('tr[data-arg="' + a + '"]');
      for (var k = 0; k < rows.length; k++) { rows[k].classList.add("rx-hit"); }
    });
    clearSelection();
    var segs = section.querySelectorAll("mark.rx-seg");
    for (var k = 0; k < segs.length; k++) {
      var own = (segs[k].getAttribute("data-m") || "").split(" ");
      if (ms.some(function (i) { return own.indexOf(i) >= 0; })) { segs[k].classList.add("rx-selected"); }
    }
    panel.hidden = false;
  });
  document.documentElement.setAttribute("data-rx-ready", String(document.querySelectorAll("mark.rx-m").length));
})();
"""
