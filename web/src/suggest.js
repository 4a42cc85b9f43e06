// The "Suggest" tab of the playground (issue 22): mark the trigger and the arguments of a sentence
// (select words, then "Mark as trigger" or "Mark as argument" with a role), pick the event type,
// and POST /api/suggest proposes a rule made with the pack as edited, checks it on the sentence
// and shows its hits in the corpus. "Add to file" puts the rule at the end of the open rule file
// in the editor, unsaved: the panel never writes a file. Several sentences may make one rule.
//
// `suggestTab(page)` returns the tab's render function; `page` gives what it needs of the page:
// { el, api, state, currentView, sentenceBox, dateBox, highlighted(text) }.

import { EditorView } from "@codemirror/view";

// Colours of the argument chips, by the order the roles are first marked in.
const COLOURS = ["#d0ebff", "#d3f9d8", "#ffe3e3", "#fff3bf", "#e5dbff", "#c5f6fa", "#ffd8a8", "#eebefa"];

export function suggestTab(page) {
  const { el } = page;
  const mine = { sentences: [], marks: [], answer: null, asking: false, message: null, built: false };
  let parts = null;

  function colour(role) {
    const roles = [...new Set([...mine.sentences.flatMap((s) => s.marks), ...mine.marks].filter((m) => m.role).map((m) => m.role))];
    return COLOURS[Math.max(0, roles.indexOf(role)) % COLOURS.length];
  }

  // A selection of the sentence, without the spaces and punctuation at its ends.
  function selection() {
    const box = parts.text;
    let start = box.selectionStart;
    let end = box.selectionEnd;
    const text = box.value;
    while (start < end && /[\s,.;:!?"'()]/.test(text[start])) { start += 1; }
    while (end > start && /[\s,.;:!?"'()]/.test(text[end - 1])) { end -= 1; }
    return start < end ? { start, end, text: text.slice(start, end) } : null;
  }

  function mark(role) {
    const found = selection();
    if (!found) { say("Select words of the sentence first.", "error"); return; }
    if (role === null) {
      mine.marks = mine.marks.filter((m) => m.role !== null);
    } else if (!role) {
      say("Type the argument's role (attacker, target…) first.", "error"); parts.role.focus(); return;
    }
    mine.marks.push({ role, ...found });
    if (role) { parts.role.value = ""; }
    mine.marks.sort((a, b) => a.start - b.start);
    say(null);
    update();
  }

  // Marks whose words are no longer where they were are dropped when the sentence is edited.
  function sentenceEdited() {
    const text = parts.text.value;
    mine.marks = mine.marks.filter((m) => text.slice(m.start, m.end) === m.text);
    update();
  }

  function chips(marks, remove) {
    return el("span", { class: "rx-sg-chips" }, ...marks.map((m, index) => el("span", {
      class: "rx-sg-chip" + (m.role === null ? " rx-sg-trigger" : ""), "data-role": m.role === null ? "trigger" : m.role,
      style: m.role === null ? "" : `background:${colour(m.role)}`,
    }, el("b", {}, m.role === null ? "trigger" : m.role), " ", m.text,
    remove ? el("button", { class: "rx-sg-remove", title: "remove this mark", "aria-label": "remove",
      onclick: () => remove(index) }, "×") : null)));
  }

  // The sentence with its marks in their chips' colours (the innermost mark where marks nest).
  function preview(text, marks) {
    const cuts = [...new Set([0, text.length, ...marks.flatMap((m) => [m.start, m.end])])].sort((a, b) => a - b);
    const pieces = [];
    for (let i = 0; i + 1 < cuts.length; i += 1) {
      const [from, to] = [cuts[i], cuts[i + 1]];
      const inner = marks.filter((m) => m.start <= from && to <= m.end).sort((a, b) => (a.end - a.start) - (b.end - b.start))[0];
      pieces.push(inner ? el("mark", { class: "rx-sg-marked" + (inner.role === null ? " rx-sg-trigger" : ""),
        style: inner.role === null ? "" : `background:${colour(inner.role)}`, title: inner.role === null ? "trigger" : inner.role },
      text.slice(from, to)) : text.slice(from, to));
    }
    return el("div", { class: "rx-sg-preview" }, ...pieces);
  }

  function say(text, kind = "note") {
    mine.message = text ? { text, kind } : null;
    if (parts) { update(); }
  }

  function useSentenceBox() {
    parts.text.value = page.sentenceBox().value;
    sentenceEdited();
  }

  function current() {
    const text = parts.text.value;
    return text.trim() ? { text, date: page.dateBox().value || null, marks: mine.marks } : null;
  }

  function addSentence() {
    const sentence = current();
    if (!sentence || !sentence.marks.some((m) => m.role === null)) { say("Mark the trigger of this sentence first.", "error"); return; }
    mine.sentences.push(sentence);
    mine.marks = [];
    parts.text.value = "";
    say(`${mine.sentences.length} sentence(s) kept: type or paste the next one and mark it.`);
  }

  function record(sentence) {
    const trigger = sentence.marks.find((m) => m.role === null);
    return { text: sentence.text, date: sentence.date, trigger: trigger ? [trigger.start, trigger.end] : null,
      arguments: sentence.marks.filter((m) => m.role !== null).map((m) => ({ role: m.role, span: [m.start, m.end] })) };
  }

  async function run() {
    const sentences = [...mine.sentences, current()].filter(Boolean);
    if (!sentences.length) { say("Type a sentence and mark its trigger and arguments.", "error"); return; }
    const unmarked = sentences.findIndex((s) => !s.marks.some((m) => m.role === null));
    if (unmarked >= 0) { say(`Mark the trigger of sentence ${unmarked + 1} first: the words that name the event.`, "error"); return; }
    const view = page.currentView();
    mine.asking = true;
    update();
    const answer = await page.api("POST", "/api/suggest", { file: page.state.open, text: view.state.doc.toString(),
      type: parts.type.value, sentences: sentences.map(record) });
    mine.asking = false;
    if (answer.schema) { page.state.pack.schema = answer.schema; }
    mine.answer = answer;
    update();
  }

  // The suggested rule at the end of the open rule file, after a blank line; saving is the user's.
  function addToFile() {
    const rule = mine.answer && mine.answer.rule;
    if (!rule) { return; }
    if (!page.state.open.endsWith(".rulex")) { say(`${page.state.open} is not a .rulex file: open one to add the rule to.`, "error"); return; }
    const view = page.currentView();
    const doc = view.state.doc.toString();
    const gap = !doc ? "" : doc.endsWith("\n\n") ? "" : doc.endsWith("\n") ? "\n" : "\n\n";
    const start = doc.length + gap.length;
    view.dispatch({ changes: { from: doc.length, insert: gap + rule }, selection: { anchor: start },
      effects: EditorView.scrollIntoView(start, { y: "start", yMargin: 40 }) });
    mine.answer.added = true;  // once: a second copy would be a duplicate rule id
    say(`Added ${mine.answer.rule_id} at the end of ${page.state.open} (not saved: Save or Ctrl-S writes it).`, "ok");
  }

  function build(panel) {
    parts = {
      type: el("select", { id: "rx-sg-type", onchange: () => update() }),
      text: el("textarea", { id: "rx-sg-text", rows: "3", spellcheck: "false", oninput: sentenceEdited,
        placeholder: "A sentence that tells an event: select words in it and mark them" }),
      role: el("input", { id: "rx-sg-role", list: "rx-sg-roles", placeholder: "role", size: "12", autocomplete: "off" }),
      roles: el("datalist", { id: "rx-sg-roles" }),
      kept: el("div", { class: "rx-sg-kept" }),
      marks: el("div", { class: "rx-sg-marks" }),
      message: el("p", { class: "rx-sg-message" }),
      run: el("button", { id: "rx-sg-run", class: "rx-sg-primary", onclick: run }, "Suggest"),
      result: el("div", { id: "rx-sg-result" }),
    };
    panel.replaceChildren(
      el("div", { class: "rx-sg-row" }, el("label", { for: "rx-sg-type" }, "Event type"), parts.type,
        el("button", { id: "rx-sg-from-box", onclick: useSentenceBox, title: "copy the sentence box above" }, "Use the sentence above")),
      parts.kept, parts.text,
      el("div", { class: "rx-sg-row" },
        el("button", { id: "rx-sg-trigger", onclick: () => mark(null), title: "the selected words name the event" }, "Mark as trigger"),
        parts.role, parts.roles,
        el("button", { id: "rx-sg-arg", onclick: () => mark(parts.role.value.trim()), title: "the selected words are an argument with this role" }, "Mark as argument")),
      parts.marks, parts.message,
      el("div", { class: "rx-sg-row" }, parts.run,
        el("button", { id: "rx-sg-add", onclick: addSentence, title: "keep this sentence and mark another of the same kind: one rule for all" }, "Add another sentence")),
      parts.result);
    parts.text.value = page.sentenceBox().value;
  }

  function update() {
    const schema = (page.state.pack && page.state.pack.schema) || {};
    const types = Object.keys(schema);
    const chosen = parts.type.value || (types.includes("Attack") ? "Attack" : types[0]);
    if ([...parts.type.options].map((o) => o.value).join() !== types.join()) {
      parts.type.replaceChildren(...types.map((t) => el("option", { value: t }, t)));
    }
    if (types.includes(chosen)) { parts.type.value = chosen; }
    parts.roles.replaceChildren(...(schema[parts.type.value] || []).map((role) => el("option", { value: role })));
    parts.kept.replaceChildren(...mine.sentences.map((s, number) => el("div", { class: "rx-sg-kept-one" },
      el("span", { class: "rx-sg-number" }, `${number + 1}.`), " ", el("q", {}, s.text), " ", chips(s.marks, null),
      el("button", { class: "rx-sg-remove", title: "drop this sentence", "aria-label": "drop",
        onclick: () => { mine.sentences.splice(number, 1); update(); } }, "×"))));
    parts.marks.replaceChildren(...(mine.marks.length ? [preview(parts.text.value, mine.marks),
      chips(mine.marks, (index) => { mine.marks.splice(index, 1); update(); })]
      : [el("span", { class: "rx-note" }, "No marks yet: select words above, then mark them.")]));
    parts.message.textContent = mine.message ? mine.message.text : "";
    parts.message.className = "rx-sg-message " + (mine.message ? `rx-${mine.message.kind}` : "");
    parts.run.disabled = mine.asking;
    parts.run.textContent = mine.asking ? "Suggesting…" : "Suggest";
    parts.result.replaceChildren(...result(mine.answer));
  }

  function verdict(example) {
    return example.exact ? "matches with exactly the marked arguments"
      : example.passes ? "matches with the example's arguments"
        : example.matched ? "matches at the trigger, with other arguments" : "does not match";
  }

  function result(answer) {
    if (!answer) { return []; }
    if (answer.error) { return [el("p", { class: "rx-error rx-sg-error" }, answer.error)]; }
    const check = answer.check;
    const out = [
      el("div", { class: "rx-sg-row" }, el("h3", {}, `Suggested rule ${answer.rule_id}`),
        answer.added ? el("button", { id: "rx-sg-insert", disabled: "" }, "Added")
          : el("button", { id: "rx-sg-insert", class: "rx-sg-primary", onclick: addToFile,
            title: "insert the rule at the end of the open rule file (then save it)" }, "Add to file")),
      page.highlighted(answer.rule),
      el("h3", {}, "Check"),
    ];
    if (!check.compiled) { out.push(el("pre", { class: "rx-error" }, check.errors.join("\n"))); }
    out.push(el("ul", { class: "rx-examples rx-sg-check" }, ...check.examples.map((e, number) => el("li", {
      class: e.passes ? "rx-pass" : "rx-fail" }, el("span", { class: "rx-mark" }, e.passes ? "✓ " : "✗ "),
    `sentence ${number + 1}: ${verdict(e)}`, ...e.problems.map((p) => el("div", { class: "rx-failure" }, p))))));
    out.push(el("h3", {}, "How the sentence became the rule"));
    out.push(el("ul", { class: "rx-sg-notes" }, ...answer.notes.map((n) => el("li", {},
      el("b", {}, n.change), ": ", n.text ? el("q", {}, n.text) : "", " → ", el("code", {}, n.element || "(left out)"), ` ${n.why}`))));
    out.push(el("h3", {}, "In the corpus"));
    if (!page.state.pack.corpus.length) {
      out.push(el("p", { class: "rx-note" }, "No corpus: start the playground with one, `rulex serve PACK CORPUS...`."));
      return out;
    }
    out.push(el("p", { class: "rx-sg-hit-count" }, `${answer.hits.length}${answer.capped ? "+" : ""} match(es) outside the marked ` +
      `sentences in ${answer.documents} document(s) scanned` + (answer.documents < answer.corpus_documents
      ? ` of ${answer.corpus_documents}` : "") + (answer.capped ? " (stopped at the first ones)" : "") +
      ` · suggested and tried in ${Math.round(answer.seconds * 1000)} ms`));
    out.push(el("ul", { class: "rx-sg-hits" }, ...answer.hits.map((hit) => el("li", {},
      el("span", { class: "rx-doc-id" }, hit.doc), " …", hit.left.slice(-70), " ",
      el("mark", { class: "rx-sg-hit", title: hit.arguments.map((a) => `${a.role} = ${a.text}`).join("\n") }, hit.text),
      " ", hit.right.slice(0, 70), "…"))));
    return out;
  }

  return function render(panel) {
    if (!parts || !panel.contains(parts.text)) { build(panel); }
    update();
  };
}
