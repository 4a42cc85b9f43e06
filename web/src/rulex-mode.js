// Syntax highlighting of the rulex rule language for CodeMirror 6: a StreamLanguage mode that
// follows the scopes of editors/rulex.tmLanguage.json and rulex/highlight.py (Pygments):
// item and clause keywords, rule ids and define names, types and roles in slots, word forms,
// quoted phrases, raw regexes, gaps, operators, expected values and comments.
import { StreamLanguage } from "@codemirror/language";

const FIND = "find(?:\\s+(?:before|after))?(?:\\s+in\\s+(?:clause|sentence))?";
const CLAUSE = new RegExp(
  "^(?:pattern|template|priority|overlap|case|(?:not\\s+)?preceded\\s+by|(?:not\\s+)?followed\\s+by|" +
  "example|counter|set|events|share|joined\\s+by|" + FIND + ")[ \\t]*:");
const ITEM = /^(rule|link|define|event|entity|import)[ \t]*:/;
const NAME_AFTER = { rule: "def", link: "def", define: "def", event: "type", entity: "type" };

function startState() {
  return { inSlot: false, slotPart: "role", afterItem: null, inForms: false };
}

function token(stream, state) {
  if (stream.sol()) { state.afterItem = null; }
  if (stream.eatSpace()) { return null; }
  if (state.inSlot) { return slotToken(stream, state); }
  if (state.inForms) {
    if (stream.eat(">")) { state.inForms = false; return "tag"; }
    if (stream.eat("|")) { return "operator"; }
    stream.eatWhile(/[^>|\s]/);
    return "tag";
  }
  if (stream.peek() === "#") { stream.skipToEnd(); return "comment"; }
  if (state.afterItem) {
    const kind = state.afterItem;
    state.afterItem = null;
    if (stream.match(/^[A-Za-z_][\w.-]*/)) { return kind; }
  }
  const item = stream.match(ITEM);
  if (item) {
    state.afterItem = NAME_AFTER[item[1]] || null;
    return "keyword";
  }
  if (stream.match(CLAUSE)) { return "keyword"; }
  if (stream.match(/^"(?:[^"\\\n]|\\.)*"?/) || stream.match(/^'(?:[^'\\\n]|\\.)*'?/)) { return "string"; }
  if (stream.match(/^\{\s*\d*\s*(?:,\s*\d*\s*)?\}/)) { return "number"; }
  if (stream.eat("{")) { state.inSlot = true; state.slotPart = "role"; return "bracket"; }
  if (stream.eat("<")) { state.inForms = true; return "tag"; }
  if (stream.match(/^\/(?:[^/\\\n]|\\.)+\//)) { return "regexp"; }
  if (stream.match(/^->/)) { return "operator"; }
  if (stream.match(/^[|?=()*+]/)) { return "operator"; }
  if (stream.match(/^_(?![\w])/)) { return "atom"; }
  if (stream.match(/^[+-]?\d+(?:\.\d+)?/)) { return "number"; }
  if (stream.match(/^(?:where|as|true|false|null)\b/)) { return "atom"; }
  if (stream.match(/^[A-Z][A-Za-z0-9_]*(?=\s*\.)/)) { return "type"; }
  stream.match(/^[^\s#"'{}<>|?()=\/]+/) || stream.next();
  return null;
}

function slotToken(stream, state) {
  if (stream.eat("}")) { state.inSlot = false; return "bracket"; }
  if (stream.eat(":")) { state.slotPart = "type"; return "punctuation"; }
  if (stream.eat("|")) { return "operator"; }
  if (stream.match(/^with\b/)) { state.slotPart = "role"; return "keyword"; }
  if (stream.match(/^[A-Za-z_][\w]*/)) {
    const word = stream.current();
    if (state.slotPart === "role" && /^[a-z_]/.test(word) && stream.match(/^\s*:/, false)) { return "variableName"; }
    return /^[A-Z]/.test(word) ? "type" : "def";
  }
  stream.next();
  return null;
}

export const rulexLanguage = StreamLanguage.define({
  name: "rulex",
  startState,
  token,
  copyState: (s) => ({ ...s }),
  languageData: { commentTokens: { line: "#" } },
});
