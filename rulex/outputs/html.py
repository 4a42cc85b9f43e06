"""HTML: one self-contained report (inline CSS and JavaScript, nothing loaded from anywhere).

Layout, written as the run goes (the page is usable while it is still being written):

- head and header, at the first document: the pack name (`options["pack"]`), and places for
  the counts and the legend, which a small script fills from the footer once the page has
  loaded (a report is streamed, so the counts are only known at the end);
- one `<section class="rx-doc">` per document, in input order: its id, date and metadata; its
  text with every match highlighted; the list of its matches with their provenance.
  In the text, the spans of all matches and arguments are cut at every start and end into
  non-overlapping segments, each a `<mark class="rx-seg">` listing the matches (`data-m`)
  and arguments (`data-a`, `match.argument`) covering it. A segment takes the colour of the
  innermost match covering it, with a bar on top in the colour of the outermost when
  matches nest or overlap; argument segments are underlined in their type's colour. A match
  start shows its type as a label and an argument start its role (CSS labels that are not
  part of the text). Hovering a segment shows (as its title) the rule id, rule file:line and
  the arguments' values and derivations; clicking it opens a panel with the full provenance
  of the matches there (type, text, offsets, rule, file:line, alternative, sentence,
  attributes, every argument with its value and how it was found, the raw derivation).
  A document without matches shows its text folded away (or nothing with
  `options["skip_empty"]`);
- the footer, at close: the counts and the legend of types (each with its colour and how
  many matches and arguments have it), then the script.

Every document text, id, value and provenance string is escaped with `html.escape`, so a
document holding `<script>` shows it as text. The page works without JavaScript (only the
click panel and the header counts need it). Colours follow the order in which types first
appear, the same as the brat output's visual.conf.
"""
from __future__ import annotations

from functools import lru_cache
from html import escape
from typing import Sequence

from .. import __version__
from ..document import Document
from ..match import Match
from . import StreamWriter, colour, describe_derivation, rule_location, to_json, value_text


def esc(value) -> str:
    return escape(str(value), quote=True)


@lru_cache(maxsize=None)
def darken(hex_colour: str, factor: float = 0.45) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(v * factor):02x}" for v in (r, g, b))


class HtmlWriter(StreamWriter):
    name = "html"
    appendable = False      # one document: its footer closes it

    def __init__(self, target, options=None):
        super().__init__(target, options)
        self.pack = self.options.get("pack")
        self.skip_empty = bool(self.options.get("skip_empty"))
        self._types: dict[str, int] = {}        # type -> colour index, in order of first appearance
        self._as_match: dict[str, int] = {}     # type -> matches
        self._as_arg: dict[str, int] = {}       # type -> arguments
        self._started = False

    # -- the stream -------------------------------------------------------------------------

    def write(self, doc: Document, matches: Sequence[Match]) -> None:
        self._check_open()
        if not self._started:
            self._header()
        self.documents += 1
        self.matches += len(matches)
        for match in matches:
            self._type(match.type)
            self._as_match[match.type] = self._as_match.get(match.type, 0) + 1
            for arg in match.arguments:
                self._type(arg.type)
                self._as_arg[arg.type] = self._as_arg.get(arg.type, 0) + 1
        if matches or not self.skip_empty:
            self.out.write(self._document(self.documents, doc, matches))
        self.out.flush()

    def finish(self) -> None:
        if not self._started:
            self._header()
        self.out.write(self._footer())

    def _type(self, name: str) -> int:
        if name not in self._types:
            self._types[name] = len(self._types)
        return self._types[name]

    def _colour(self, name: str) -> str:
        return colour(self._type(name))

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
        items = []
        for name, index in self._types.items():
            c = colour(index)
            uses = []
            if name in self._as_match:
                uses.append(f"{self._as_match[name]} match{'es' if self._as_match[name] != 1 else ''}")
            if name in self._as_arg:
                uses.append(f"{self._as_arg[name]} argument{'s' if self._as_arg[name] != 1 else ''}")
            items.append(f"<li><span class=\"rx-swatch\" style=\"--c:{c};--d:{darken(c)}\"></span>"
                         f"{esc(name)} <small>{esc(', '.join(uses))}</small></li>")
        legend = "".join(items) or "<li>no matches</li>"
        return ("</main>\n<footer class=\"rx-footer\">\n"
                f"<p id=\"rx-totals\" data-documents=\"{self.documents}\" data-matches=\"{self.matches}\">"
                f"{esc(totals)}</p>\n<ul id=\"rx-legend\" class=\"rx-legend\">{legend}</ul>\n</footer>\n"
                "<aside id=\"rx-panel\" class=\"rx-panel\" hidden>"
                "<button type=\"button\" id=\"rx-close\" aria-label=\"close\">&times;</button>"
                "<div id=\"rx-panel-body\"></div></aside>\n"
                f"<script>{SCRIPT}</script>\n</body>\n</html>\n")

    # -- one document ---------------------------------------------------------------------

    def _document(self, n: int, doc: Document, matches: Sequence[Match]) -> str:
        info = []
        if doc.date is not None:
            info.append(f"date {doc.date.isoformat()} ({doc.date_source})")
        info.append(f"{len(matches)} match{'es' if len(matches) != 1 else ''}")
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
                a = matches[key[1]].arguments[key[2]]
                line = f"{a.role} = {a.text!r} ({a.type})"
                if a.has_value:
                    line += f" -> {value_text(a.value)}"
                if a.derivation:
                    line += f"; {describe_derivation(a.derivation)}"
            else:
                m = matches[key[1]]
                line = f"{m.type}: rule {m.rule} at {rule_location(m)}"
                if m.provenance.alternative is not None:
                    line += f" (alternative {m.provenance.alternative})"
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
            inner = matches[by_size[0]]
            c = self._colour(inner.type)
            style += [f"--c:{c}", f"--d:{darken(c)}"]
            if len(ms) > 1:
                classes.append("rx-multi")
                style.append(f"--d2:{darken(self._colour(matches[by_size[-1]].type))}")
        if args:
            classes.append("rx-arg")
            i, j = max(args, key=lambda ij: (matches[ij[0]].arguments[ij[1]].start, -ij[0]))
            style.append(f"--ad:{darken(self._colour(matches[i].arguments[j].type), 0.6)}")
        labels = [matches[i].type for i in ms if matches[i].start == start]
        labels += [matches[i].arguments[j].role for i, j in args if matches[i].arguments[j].start == start]
        title = [self._title(("a", i, j), matches) for i, j in args]
        title += [self._title(("m", i), matches) for i in by_size]
        title.append("click for details")
        attrs = [f"class=\"{' '.join(classes)}\"", f"style=\"{';'.join(style)}\"",
                 f"data-m=\"{' '.join(map(str, ms))}\""]
        if args:
            attrs.append(f"data-a=\"{' '.join(f'{i}.{j}' for i, j in args)}\"")
        if labels:
            attrs.append(f"data-label=\"{esc(' · '.join(labels))}\"")
        attrs.append(f"title=\"{chr(10).join(title)}\"")
        return f"<mark {' '.join(attrs)}>{piece}</mark>"

    def _item(self, n: int, i: int, m: Match) -> str:
        c = self._colour(m.type)
        prov = m.provenance
        where = f"rule <code>{esc(m.rule)}</code> at <code>{esc(rule_location(m))}</code>"
        if prov.alternative is not None:
            where += f", alternative {prov.alternative}"
        where += f" · sentence {prov.sentence[0]}–{prov.sentence[1]} · pack {esc(prov.pack)} {esc(prov.pack_version)}"
        parts = [f"<li class=\"rx-item\" id=\"rx-d{n}-m{i}\" style=\"--c:{c};--d:{darken(c)}\">",
                 f"<div class=\"rx-item-head\"><span class=\"rx-badge\">{esc(m.type)}</span> "
                 f"<q>{esc(m.text)}</q> <span class=\"rx-off\">{m.start}–{m.end}</span></div>",
                 f"<div class=\"rx-prov\">{where}</div>"]
        if m.has_value:
            parts.append(f"<div class=\"rx-value\">value <code>{esc(value_text(m.value))}</code></div>")
        if m.attrs:
            parts.append(f"<div class=\"rx-attrs\">attrs <code>{esc(to_json(m.attrs))}</code></div>")
        if m.arguments:
            rows = []
            for j, a in enumerate(m.arguments):
                value = esc(value_text(a.value)) if a.has_value else "<span class=\"rx-none\">–</span>"
                how = esc(describe_derivation(a.derivation)) if a.derivation else ""
                rows.append(f"<tr data-arg=\"{i}.{j}\"><td>{esc(a.role)}</td><td>{esc(a.text)}</td>"
                            f"<td>{esc(a.type)}</td><td>{value}</td><td>{how}</td>"
                            f"<td class=\"rx-off\">{a.start}–{a.end}</td></tr>")
            parts.append("<table class=\"rx-args\"><thead><tr><th>role</th><th>text</th><th>type</th>"
                         "<th>value</th><th>found by</th><th>offsets</th></tr></thead>"
                         f"<tbody>{''.join(rows)}</tbody></table>")
        if prov.derivation:
            raw = "\n".join(to_json(how) for how in prov.derivation)   # one step a line
            parts.append(f"<details class=\"rx-raw\"><summary>derivation</summary><pre>{esc(raw)}</pre></details>")
        parts.append("</li>\n")
        return "".join(parts)


CSS = """
:root{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#212529;background:#fff}
body{margin:0 auto;max-width:60rem;padding:1rem 1.5rem 4rem}
h1{font-size:1.4rem;margin:.2rem 0}.rx-pack{font-weight:normal;color:#495057}
h2.rx-docid{font-size:1.05rem;margin:0;font-family:ui-monospace,monospace;word-break:break-all}
.rx-header{border-bottom:1px solid #dee2e6;padding-bottom:.5rem;margin-bottom:1rem}
.rx-doc{border:1px solid #dee2e6;border-radius:6px;padding:.8rem 1rem;margin:0 0 1.2rem}
.rx-docinfo{color:#6c757d;font-size:.85rem;margin:.2rem 0 .6rem;word-break:break-all}
.rx-text{white-space:pre-wrap;line-height:2.1;overflow-wrap:anywhere}
mark.rx-seg{background:transparent;color:inherit;cursor:pointer;padding:.1em 0}
mark.rx-m{background:var(--c);box-shadow:inset 0 -1px 0 var(--d)}
mark.rx-multi{box-shadow:inset 0 3px 0 var(--d2),inset 0 -1px 0 var(--d)}
mark.rx-arg{text-decoration:underline 2px var(--ad);text-underline-offset:.25em}
mark.rx-seg[data-label]::before{content:attr(data-label);font-size:.62em;font-weight:600;line-height:1;
  vertical-align:.9em;margin-right:.15em;padding:0 .25em;border-radius:3px;background:#343a40;color:#fff}
mark.rx-selected{outline:2px solid #1c7ed6}
.rx-list{font-size:.85rem;padding-left:1.6rem}.rx-item{margin:.5rem 0}
.rx-badge{display:inline-block;background:var(--c);border:1px solid var(--d);border-radius:3px;padding:0 .3em;font-weight:600}
.rx-off{color:#868e96;font-size:.8em;white-space:nowrap}.rx-prov,.rx-value,.rx-attrs{color:#495057}
.rx-args{border-collapse:collapse;margin:.3rem 0}.rx-args td,.rx-args th{border:1px solid #dee2e6;padding:.1rem .4rem;text-align:left;vertical-align:top}
.rx-args tr.rx-hit{background:#fff3bf}.rx-none{color:#adb5bd}
.rx-raw pre{white-space:pre-wrap;font-size:.75rem;background:#f8f9fa;padding:.4rem;max-height:20rem;overflow:auto}
.rx-legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3rem 1rem;font-size:.85rem}
.rx-swatch{display:inline-block;width:1em;height:1em;vertical-align:-.15em;margin-right:.3em;background:var(--c);border:1px solid var(--d);border-radius:2px}
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
