// A small YAML highlighter for workflow definitions: keys, comments, strings,
// scalars and Mistral's expressions (<% yaql %>, {{ jinja }}). Line by line, to
// text nodes; it colours, it never interprets (the server parsed the document).
import { h } from "./dom.js";

const KEY = /^(\s*(?:-\s+)*)((?:"[^"]*"|'[^']*'|[^\s#'"{[][^#]*?))(:)(?=\s|$)/;
const TOKENS = /(<%[\s\S]*?%>|\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|\s#.*$)/g;
const SCALAR = /^(true|false|null|~|yes|no|-?\d+(\.\d+)?)$/i;

function value(text) {
  const out = [];
  let last = 0;
  for (const match of text.matchAll(TOKENS)) {
    if (match.index > last) out.push(plain(text.slice(last, match.index)));
    const token = match[0];
    const kind = token.startsWith("<%") || token.startsWith("{{") || token.startsWith("{%") ? "y-expr"
      : token.trimStart().startsWith("#") ? "y-comment" : "y-string";
    out.push(h("span", { class: kind }, token));
    last = match.index + token.length;
  }
  if (last < text.length) out.push(plain(text.slice(last)));
  return out;
}

function plain(text) {
  const core = text.trim();
  if (core && SCALAR.test(core)) return h("span", { class: "y-scalar" }, text);
  return text;
}

function line(text) {
  if (/^\s*#/.test(text)) return [h("span", { class: "y-comment" }, text)];
  const key = KEY.exec(text);
  if (!key) {
    const dash = /^(\s*-\s+)(.*)$/.exec(text);
    return dash ? [h("span", { class: "y-dash" }, dash[1]), ...value(dash[2])] : value(text);
  }
  return [h("span", { class: "y-dash" }, key[1]), h("span", { class: "y-key" }, key[2]), key[3],
    ...value(text.slice(key[0].length))];
}

/** The text as <pre> of numbered lines (``data-line`` 1-based). */
export function highlight(text) {
  const lines = text.replace(/\n$/, "").split("\n");
  return h("pre", { class: "yaml" }, h("code", {},
    lines.map((content, index) => h("span", { class: "y-line", dataset: { line: String(index + 1) } },
      h("span", { class: "y-no" }, String(index + 1)), line(content), "\n"))));
}
