// JSON values as a tree: large values start collapsed (with their size), so a
// 500 KB result does not flood the page but stays one click away.
import { h } from "./dom.js";

const COLLAPSE_OVER = 400; // characters of JSON above which a value starts collapsed

function size(text) {
  return text.length < 1024 ? `${text.length} B` : `${(text.length / 1024).toFixed(1)} KB`;
}

function scalar(value) {
  const kind = value === null ? "null" : typeof value;
  return h("span", { class: `j-${kind}` }, JSON.stringify(value));
}

function node(value, depth) {
  if (value === null || typeof value !== "object") return scalar(value);
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  if (!entries.length) return h("span", { class: "j-empty" }, open + close);
  const text = JSON.stringify(value);
  const list = h("ul", { class: "j-list" },
    entries.map(([key, child]) => h("li", {},
      Array.isArray(value) ? null : h("span", { class: "j-key" }, JSON.stringify(key) + ": "),
      node(child, depth + 1))));
  const noun = Array.isArray(value) ? "item" : "key";
  const summary = `${open} ${entries.length} ${noun}${entries.length === 1 ? "" : "s"}, ${size(text)} ${close}`;
  return h("details", { class: "j-node", open: depth === 0 ? text.length <= COLLAPSE_OVER * 4 : text.length <= COLLAPSE_OVER },
    h("summary", {}, summary), list);
}

/** A value shown as a tree; ``empty`` is shown for null/undefined. */
export function jsonView(value, empty = "—") {
  if (value === undefined || value === null) return h("span", { class: "muted" }, empty);
  if (typeof value === "string" && value.length > COLLAPSE_OVER) {
    return h("details", { class: "j-node" }, h("summary", {}, `"…" text, ${size(value)}`),
      h("pre", { class: "j-text" }, value));
  }
  return h("div", { class: "json" }, node(value, 0));
}
