// The page of `rulex serve` (rulex/serve/app.py has the API it talks to).
//
// Left: the pack's rule files and the rules of the open one. Middle: the open file in CodeMirror,
// with rulex highlighting and the pack's diagnostics in the lint gutter at their line and column.
// Right: a sentence (and its document date), its matches highlighted as the HTML report shows
// them, and a tab area: Explain (the chosen rule on the sentence), Examples (its inline examples,
// pass or fail), Corpus (its hits in the corpus, keyword in context), Suggest (a rule from a sentence
// with its trigger and arguments marked: suggest.js), Problems (every diagnostic).
// Every edit (of the file, the sentence or the date) is sent once typing pauses, and only the
// answer to the latest request is shown. Ctrl-S (or Save) writes the file.
//
// More tabs are added with `addTab(id, title, render)`: `render(panel,
// state)` is called with the tab's element whenever the tab is shown or an answer arrives.
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, highlightActiveLine, drawSelection } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { HighlightStyle, syntaxHighlighting, bracketMatching } from "@codemirror/language";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { tags, highlightCode } from "@lezer/highlight";
import { rulexLanguage } from "./rulex-mode.js";
import { suggestTab } from "./suggest.js";

const DELAY_MS = 150;

const rulexStyle = HighlightStyle.define([
  { tag: tags.keyword, color: "#7d3c98", fontWeight: "600" },
  { tag: tags.comment, color: "#6c757d", fontStyle: "italic" },
  { tag: tags.string, color: "#a84300" },
  { tag: tags.regexp, color: "#b02a37" },
  { tag: tags.typeName, color: "#0b7285", fontWeight: "600" },
  { tag: tags.definition(tags.variableName), color: "#1864ab", fontWeight: "600" },
  { tag: tags.variableName, color: "#2b8a3e" },
  { tag: tags.tagName, color: "#5f3dc4" },
  { tag: [tags.operator, tags.bracket, tags.punctuation], color: "#495057" },
  { tag: [tags.number, tags.atom], color: "#c92a2a" },
]);

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") { node.className = value; } else if (key.startsWith("on")) { node.addEventListener(key.slice(2), value); } else { node.setAttribute(key, value); }
  }
  for (const child of children) { if (child !== null && child !== undefined) { node.append(child); } }
  return node;
}

const state = {
  pack: null, files: [], open: null, rule: null, rules: [], answer: null, views: {},
  sequence: 0, shownSequence: 0, tab: "explain", corpus: null, explain: null,
};
const tabs = [];

export function addTab(id, title, render) {
  tabs.push({ id, title, render });
  const button = el("button", { class: "rx-tab", "data-tab": id, role: "tab", onclick: () => showTab(id) }, title);
  $("rx-tabs").append(button);
  $("rx-tab-panels").append(el("div", { class: "rx-tab-panel", id: `rx-tab-${id}`, role: "tabpanel", hidden: "" }));
}

function showTab(id) {
  const before = state.tab;
  state.tab = id;
  if (id === "explain" && before !== id) { explainRule(); }
  for (const button of document.querySelectorAll(".rx-tab")) { button.classList.toggle("rx-active", button.dataset.tab === id); }
  for (const tab of tabs) { $(`rx-tab-${tab.id}`).hidden = tab.id !== id; }
  renderTabs();
}

function renderTabs() {
  for (const tab of tabs) {
    if (tab.id === state.tab) { tab.render($(`rx-tab-${tab.id}`), state); }
  }
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method, headers: body ? { "Content-Type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined,
  });
  let data;
  try { data = await response.json(); } catch (err) { data = { error: `${response.status} ${response.statusText}` }; }
  if (!response.ok && !data.error) { data.error = `${response.status} ${response.statusText}`; }
  return data;
}

function setStatus(text, kind = "") {
  const status = $("rx-status");
  status.textContent = text;
  status.dataset.kind = kind;
}

// ---- files and the editor ------------------------------------------------------------------

function renderFiles() {
  const list = $("rx-files");
  list.replaceChildren(...state.files.map((file) => {
    const badge = file.problems.errors ? el("span", { class: "rx-badge-err" }, String(file.problems.errors))
      : file.problems.warnings ? el("span", { class: "rx-badge-warn" }, String(file.problems.warnings)) : null;
    return el("li", {},
      el("button", { class: "rx-file" + (file.name === state.open ? " rx-active" : ""), "data-file": file.name,
        onclick: () => openFile(file.name) }, file.name, file.dirty ? el("span", { class: "rx-dirty", title: "not saved" }, " ●") : null, badge));
  }));
}

function renderRules() {
  const list = $("rx-rules");
  list.replaceChildren(...state.rules.map((rule) => el("li", {},
    el("button", { class: "rx-rule" + (rule.id === state.rule ? " rx-active" : ""), "data-rule": rule.id,
      onclick: () => { chooseRule(rule.id); jumpToLine(rule.line); } }, rule.local_id))));
}

function makeView(name, text) {
  const view = new EditorView({
    parent: $("rx-editor"),
    state: EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(), history(), drawSelection(), highlightActiveLine(), bracketMatching(), highlightSelectionMatches(),
        name.endsWith(".rulex") ? rulexLanguage : [], syntaxHighlighting(rulexStyle), lintGutter(), EditorView.lineWrapping,
        keymap.of([{ key: "Mod-s", run: () => { save(); return true; }, preventDefault: true },
          indentWithTab, ...defaultKeymap, ...historyKeymap, ...searchKeymap]),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) { schedule(); }
          if (update.selectionSet || update.docChanged) { followCursor(update.view); }
        }),
      ],
    }),
  });
  view.dom.dataset.file = name;
  return view;
}

async function openFile(name) {
  if (!state.views[name]) {
    const data = await api("GET", `/api/file?name=${encodeURIComponent(name)}`);
    if (data.error) { setStatus(data.error, "error"); return; }
    state.views[name] = makeView(name, data.text);
  }
  state.open = name;
  for (const [file, view] of Object.entries(state.views)) { view.dom.hidden = file !== name; }
  state.rule = null;
  renderFiles();
  await refresh();
}

function currentView() { return state.views[state.open]; }

function jumpToLine(number) {
  const view = currentView();
  const line = view.state.doc.line(Math.max(1, Math.min(number, view.state.doc.lines)));
  view.dispatch({ selection: { anchor: line.from }, effects: EditorView.scrollIntoView(line.from, { y: "center" }) });
  view.focus();
}

function followCursor(view) {
  if (!state.rules.length) { return; }
  const line = view.state.doc.lineAt(view.state.selection.main.head).number;
  let found = null;
  for (const rule of state.rules) { if (rule.line <= line) { found = rule; } }
  if (found && found.id !== state.rule) { chooseRule(found.id); }
}

function chooseRule(id) {
  if (state.rule === id) { return; }
  state.rule = id;
  state.corpus = null;
  renderRules();
  schedule();
}

// ---- asking the server -----------------------------------------------------------------------

// One request at a time: an edit made while one is out is sent when it comes back (the server
// would otherwise compile every keystroke's version in turn, and fall behind the typing).
let timer = null;
let inFlight = false;
let pending = false;
function schedule() {
  clearTimeout(timer);
  timer = setTimeout(refresh, DELAY_MS);
}

async function refresh() {
  if (!state.open) { return; }
  if (inFlight) { pending = true; return; }
  inFlight = true;
  pending = false;
  try { await ask(); } finally { inFlight = false; }
  if (pending) { refresh(); }
}

async function ask() {
  const sequence = ++state.sequence;
  const started = performance.now();
  const body = { file: state.open, text: currentView().state.doc.toString(), sentence: $("rx-sentence").value,
    date: $("rx-date").value || null, rule: state.rule };
  const answer = await api("POST", "/api/compile", body);
  if (sequence < state.shownSequence) { return; }   // an older request answered late
  state.shownSequence = sequence;
  if (answer.error) { setStatus(answer.error, "error"); return; }
  state.answer = answer;
  state.files = answer.files;
  state.rules = answer.rules;
  followCursor(currentView());  // the rule under the cursor may be new (or gone)
  const errors = answer.diagnostics.filter((d) => d.severity === "error").length;
  const ms = Math.round(performance.now() - started);
  const compiled = answer.changed && !answer.stale
    ? ` (compile ${Math.round(answer.compile_ms)} ms: ${answer.recompiled} rule(s) compiled, ${answer.reused} kept)` : "";
  setStatus(`${errors ? errors + " error(s)" : "compiled"} · answered in ${ms} ms${compiled}` +
    (answer.stale ? " · matching with the last version without errors" : ""), errors ? "error" : "ok");
  showDiagnostics(answer);
  showMatches(answer);
  renderFiles();
  renderRules();
  renderTabs();
  if (state.tab === "explain") { explainRule(); }
}

// The explanation comes after the matches: it compiles a regex per element of the rule, which
// an edit of the rule makes new, and the matches need not wait for it.
async function explainRule() {
  const rule = state.rule;
  const sentence = $("rx-sentence").value;
  if (!rule || !sentence.trim() || !state.answer || state.answer.html === undefined) { state.explain = null; renderTabs(); return; }
  const sequence = state.shownSequence;
  const answer = await api("POST", "/api/explain", { file: state.open, text: currentView().state.doc.toString(),
    sentence, date: $("rx-date").value || null, rule });
  if (sequence !== state.shownSequence || rule !== state.rule) { return; }
  state.explain = answer;
  renderTabs();
}

function showDiagnostics(answer) {
  const view = currentView();
  const doc = view.state.doc;
  const offset = (line, col) => {
    const l = doc.line(Math.max(1, Math.min(line, doc.lines)));
    return Math.min(l.to, l.from + Math.max(0, col - 1));
  };
  const diagnostics = answer.diagnostics.filter((d) => d.file === state.open && d.line).map((d) => {
    const from = offset(d.line, d.col);
    const to = Math.max(from, offset(d.end_line || d.line, d.end_col || d.col));
    return { from, to, severity: d.severity, source: d.code,
      message: `${d.message}${d.hint ? "\nhelp: " + d.hint : ""} [${d.code}] (${d.file}:${d.line}:${d.col})` };
  });
  view.dispatch(setDiagnostics(view.state, diagnostics));
}

// A click on a highlighted span shows its match in the list below (the report's click panel).
function showMatchItem(event) {
  const mark = event.target.closest ? event.target.closest("mark.rx-seg") : null;
  if (!mark) { return; }
  for (const old of document.querySelectorAll("#rx-matches .rx-item.rx-chosen")) { old.classList.remove("rx-chosen"); }
  const section = mark.closest(".rx-doc");
  for (const index of (mark.dataset.m || "").split(" ").filter(Boolean)) {
    const item = document.getElementById(`rx-d${section.dataset.n}-m${index}`);
    if (item) { item.classList.add("rx-chosen"); item.scrollIntoView({ block: "nearest" }); }
  }
}

function showMatches(answer) {
  const box = $("rx-matches");
  if (answer.html === undefined) {
    box.replaceChildren(el("p", { class: "rx-note" }, "The pack has errors and no earlier version compiled: fix them to see matches."));
    return;
  }
  box.innerHTML = answer.html;   // made by rulex/outputs/html.py: every text in it is escaped
  const count = answer.matches.length;
  $("rx-match-count").textContent = `${count} match${count === 1 ? "" : "es"}` +
    (answer.problems.length ? ` · ${answer.problems.join("; ")}` : "");
}

async function save() {
  if (!state.open) { return; }
  const name = state.open;
  const answer = await api("POST", "/api/save", { file: name, text: currentView().state.doc.toString() });
  if (answer.error) { setStatus(answer.error, "error"); return; }
  setStatus(`saved ${name}`, "ok");
  const file = state.files.find((f) => f.name === name);
  if (file) { file.dirty = false; }
  renderFiles();
}

// ---- the tabs --------------------------------------------------------------------------------

function renderExplain(panel, st) {
  const explain = st.explain && st.explain.rule === st.rule ? st.explain : null;
  if (!st.rule) { panel.replaceChildren(el("p", { class: "rx-note" }, "Put the cursor in a rule (or pick one on the left) to explain it.")); return; }
  if (!explain) { panel.replaceChildren(el("p", { class: "rx-note" }, "Type a sentence to see why the rule matches it or not (explaining…).")); return; }
  if (explain.error) { panel.replaceChildren(el("p", { class: "rx-error" }, explain.error)); return; }
  panel.replaceChildren(el("pre", { class: "rx-explain" }, explain.text));
}

function renderExamples(panel, st) {
  const all = (st.answer && st.answer.examples) || [];
  const mine = all.filter((e) => e.rule === st.rule);
  if (!st.rule) { panel.replaceChildren(el("p", { class: "rx-note" }, "Put the cursor in a rule to run its examples.")); return; }
  const failed = mine.filter((e) => !e.ok).length;
  const head = el("p", { class: failed ? "rx-error" : "rx-ok" }, mine.length
    ? `${st.rule}: ${mine.length - failed} of ${mine.length} example(s) pass` : `${st.rule} has no inline example`);
  const list = el("ul", { class: "rx-examples" }, ...mine.map((e) => el("li", { class: e.ok ? "rx-pass" : "rx-fail" },
    el("span", { class: "rx-mark" }, e.ok ? "✓ " : "✗ "),
    el("button", { class: "rx-linklike", title: "go to the example", onclick: () => jumpToLine(e.line) }, `line ${e.line}`),
    ` ${e.positive ? "example" : "counter"}: `,
    el("q", {}, e.text),
    ...e.failures.map((f) => el("div", { class: "rx-failure" }, f)),
    e.miss ? el("div", { class: "rx-miss" }, `nearest miss: ${e.miss}`) : null)));
  panel.replaceChildren(head, list);
}

function renderCorpus(panel, st) {
  if (!st.rule) { panel.replaceChildren(el("p", { class: "rx-note" }, "Put the cursor in a rule to try it on the corpus.")); return; }
  if (!st.pack.corpus.length) { panel.replaceChildren(el("p", { class: "rx-note" }, "No corpus: start the playground with one, `rulex serve PACK CORPUS...`.")); return; }
  const button = el("button", { id: "rx-corpus-run", onclick: runCorpus }, `Run ${st.rule} on the corpus`);
  const out = [button];
  const found = st.corpus;
  if (found && found.error) { out.push(el("p", { class: "rx-error" }, found.error)); }
  if (found && !found.error) {
    out.push(el("p", { class: "rx-corpus-counts" },
      `${found.hit_count} hit(s) in ${found.documents_with_hits} of ${found.documents} document(s) scanned` +
      (found.capped ? ` (the first ${found.documents} of ${found.corpus_documents}: a request scans at most ${found.documents})` : "") +
      `; ${found.tried_without_hit} more document(s) hold its anchor words without a match · ${Math.round(found.seconds * 1000)} ms`));
    out.push(el("table", { class: "rx-kwic" }, el("tbody", {}, ...found.hits.map((hit) => el("tr", {},
      el("td", { class: "rx-doc-id" }, hit.doc),
      el("td", { class: "rx-left" }, el("bdi", {}, hit.left)),
      el("td", { class: "rx-hit", title: hit.args.map((a) => `${a.role} = ${a.text}`).join("\n") }, hit.match),
      el("td", { class: "rx-right" }, hit.right))))));
    if (found.hits.length < found.hit_count) { out.push(el("p", { class: "rx-note" }, `showing the first ${found.hits.length}`)); }
    if (found.misses.length) {
      out.push(el("h3", { class: "rx-misses-head" }, "Nearest misses (documents holding its words, no match)"));
      out.push(el("ul", { class: "rx-misses" }, ...found.misses.map((m) => el("li", {},
        el("span", { class: "rx-doc-id" }, m.doc), " ", el("q", {}, m.sentence), el("div", { class: "rx-miss" }, m.miss)))));
    }
    for (const problem of found.problems) { out.push(el("p", { class: "rx-error" }, problem)); }
  }
  panel.replaceChildren(...out);
}

async function runCorpus() {
  const rule = state.rule;
  $("rx-corpus-run").disabled = true;
  const answer = await api("POST", "/api/corpus", { file: state.open, text: currentView().state.doc.toString(), rule });
  if (rule === state.rule) { state.corpus = answer; renderTabs(); }
}

function renderProblems(panel, st) {
  const found = (st.answer && st.answer.diagnostics) || [];
  if (!found.length) { panel.replaceChildren(el("p", { class: "rx-ok" }, "No problems in the pack.")); return; }
  panel.replaceChildren(el("ul", { class: "rx-problems" }, ...found.map((d) => el("li", { class: `rx-${d.severity}` },
    el("button", { class: "rx-linklike", onclick: async () => { if (d.file !== st.open && st.files.some((f) => f.name === d.file)) { await openFile(d.file); } if (d.line) { jumpToLine(d.line); } } },
      d.file ? `${d.file}:${d.line}:${d.col}` : "pack"),
    ` ${d.severity}: ${d.message} [${d.code}]`))));
}

// Rule text highlighted as the editor does (its style's classes are on the page with the editor).
function highlighted(text) {
  const pre = el("pre", { class: "rx-rule-text" });
  highlightCode(text, rulexLanguage.parser.parse(text), rulexStyle,
    (part, classes) => pre.append(classes ? el("span", { class: classes }, part) : part), () => pre.append("\n"));
  return pre;
}

// ---- start -----------------------------------------------------------------------------------

async function start() {
  addTab("explain", "Explain", renderExplain);
  addTab("examples", "Examples", renderExamples);
  addTab("corpus", "Corpus", renderCorpus);
  addTab("suggest", "Suggest", suggestTab({ el, api, state, currentView, highlighted,
    sentenceBox: () => $("rx-sentence"), dateBox: () => $("rx-date") }));
  addTab("problems", "Problems", renderProblems);
  showTab("explain");
  $("rx-save").addEventListener("click", save);
  $("rx-sentence").addEventListener("input", schedule);
  $("rx-matches").addEventListener("click", showMatchItem);
  $("rx-date").addEventListener("input", schedule);
  const data = await api("GET", "/api/files");
  if (data.error) { setStatus(data.error, "error"); return; }
  state.pack = data;
  state.files = data.files;
  $("rx-pack").textContent = data.pack;
  document.title = `rulex playground: ${data.pack}`;
  if (data.files.length) { await openFile(data.files[0].name); }
  document.documentElement.dataset.ready = "1";
}

window.rulexPlayground = { addTab, state };
start();
