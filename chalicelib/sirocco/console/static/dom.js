// DOM helpers. Everything the API returns is put on the page as text nodes or
// attributes, never parsed as HTML.

const SVG_NS = "http://www.w3.org/2000/svg";

function build(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.setAttribute("class", Array.isArray(value) ? value.filter(Boolean).join(" ") : value);
    else if (key === "value" && !(el instanceof SVGElement)) el.value = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key in el && !(el instanceof SVGElement) && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** h("a", {href: "#/x", class: "link"}, "text", otherNode) */
export const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
export const s = (tag, attrs, ...children) => build(document.createElementNS(SVG_NS, tag), attrs, children);

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** "YYYY-MM-DD HH:MM:SS" (UTC, as the API writes times) to milliseconds, or NaN. */
export function parseTime(text) {
  return text ? Date.parse(text.replace(" ", "T") + "Z") : NaN;
}

export function duration(from, to) {
  const start = parseTime(from);
  const end = to ? parseTime(to) : Date.now();
  if (Number.isNaN(start) || Number.isNaN(end)) return "";
  let seconds = Math.max(0, Math.round((end - start) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  seconds %= 60;
  if (minutes < 60) return `${minutes} min ${seconds} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function stateBadge(state) {
  return h("span", { class: ["badge", `state-${state || "none"}`] }, state || "not run");
}

/** A JSON-typed field of the API (JSON text) as a value; the text itself if it is not JSON. */
export function fromJsonText(text) {
  if (typeof text !== "string") return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const ENDED = new Set(["SUCCESS", "ERROR", "CANCELLED"]);

/** A JSON form field's value; an Error naming the field when it is not JSON. */
export function parseField(label, text) {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${label} is not valid JSON: ${error.message}`);
  }
}
