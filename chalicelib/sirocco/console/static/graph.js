// A workflow graph (GET /v2/.../graph) laid out by dagre and drawn as SVG.
// Layout is computed once per graph; live state only changes classes and text.
import { h, s } from "./dom.js";

const FONT = "13px system-ui, -apple-system, 'Segoe UI', sans-serif";
const BOLD = "600 " + FONT;
const SMALL = "11px system-ui, -apple-system, 'Segoe UI', sans-serif";
const TASK_HEIGHT = 60;
const COMMAND_HEIGHT = 26;
const PAD = 12;
const MAX_TEXT = 300;
const KINDS = ["success", "error", "complete", "skip", "requires"];

const canvas = document.createElement("canvas").getContext("2d");
function measure(text, font) {
  canvas.font = font;
  return Math.ceil(canvas.measureText(text).width);
}

/** ``text`` cut with an ellipsis to fit ``width`` pixels in ``font``. */
function fit(text, font, width) {
  if (measure(text, font) <= width) return text;
  let cut = text;
  while (cut.length > 1 && measure(cut + "…", font) > width) cut = cut.slice(0, -1);
  return cut + "…";
}

function subtitle(node) {
  return node.workflow ? `↳ workflow ${node.workflow}` : node.action || "";
}

function badges(node) {
  const out = [];
  if (node.join !== null && node.join !== undefined) out.push({ kind: "join", text: `⋈ join ${node.join}` });
  if (node.with_items && node.with_items.length) out.push({ kind: "items", text: "≡ with-items" });
  return out;
}

/** Spec facts no picture shows, for the node's tooltip. */
function facts(node) {
  const lines = [node.name];
  if (node.description) lines.push(node.description);
  lines.push(subtitle(node));
  if (node.join !== null && node.join !== undefined) lines.push(`join: ${node.join}`);
  for (const item of node.with_items || []) lines.push(`with-items: ${item}`);
  if (node.concurrency !== null && node.concurrency !== undefined) lines.push(`concurrency: ${node.concurrency}`);
  if (node.retry) lines.push(`retry: count ${node.retry.count}, delay ${node.retry.delay}`);
  if (node.start) lines.push("starts the workflow");
  return lines.filter(Boolean).join("\n");
}

/** A definition's status line: the policies a picture does not show. */
function plan(node) {
  const parts = [];
  if (node.retry) parts.push(`retry ×${node.retry.count}`);
  if (node.concurrency !== null && node.concurrency !== undefined) parts.push(`concurrency ${node.concurrency}`);
  if (node.start) parts.push("start");
  return parts.join(" · ");
}

function size(node) {
  if (node.kind === "command") return { width: measure(node.name, BOLD) + 2 * PAD, height: COMMAND_HEIGHT };
  const badgeWidth = badges(node).reduce((sum, b) => sum + measure(b.text, SMALL) + 14, 0);
  const width = Math.max(measure(node.name, BOLD) + badgeWidth + 8, Math.min(measure(subtitle(node), SMALL), MAX_TEXT), 150);
  return { width: Math.min(width, MAX_TEXT + badgeWidth) + 2 * PAD, height: TASK_HEIGHT };
}

function edgePath(points) {
  // through the midpoints of dagre's polyline: smooth bends, ends exactly where dagre put them
  let d = `M${points[0].x},${points[0].y}`;
  for (let i = 1; i < points.length - 1; i += 1) {
    const next = points[i + 1];
    const mx = i === points.length - 2 ? next.x : (points[i].x + next.x) / 2;
    const my = i === points.length - 2 ? next.y : (points[i].y + next.y) / 2;
    d += ` Q${points[i].x},${points[i].y} ${mx},${my}`;
  }
  if (points.length === 2) d += ` L${points[1].x},${points[1].y}`;
  return d;
}

let instances = 0;

/**
 * Lay out and draw ``graph`` ({nodes, edges}); ``onSelect(name)`` when a task is clicked;
 * ``live``: an execution's graph (tasks start as "not run" and get states), else a definition's.
 * Returns {element, setStatus(name, {state, line}), select(name), zoom(factor | "fit")}.
 */
export function drawGraph(graph, { onSelect, live = false } = {}) {
  const prefix = `g${(instances += 1)}`;
  const layout = new dagre.graphlib.Graph({ multigraph: true });
  layout.setGraph({ rankdir: "TB", nodesep: 28, ranksep: 50, edgesep: 16, marginx: 24, marginy: 24 });
  layout.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) layout.setNode(node.id, { ...size(node), node });
  graph.edges.forEach((edge, index) => {
    const label = edge.condition ? fit(edge.condition, SMALL, 180) : "";
    const box = label ? { width: measure(label, SMALL) + 8, height: 16, labelpos: "c" } : {};
    layout.setEdge(edge.source, edge.target, { ...box, label, edge }, `e${index}`);
  });
  dagre.layout(layout);
  const { width, height } = layout.graph();

  const defs = s("defs", {}, KINDS.map((kind) => s("marker", {
    id: `${prefix}-arrow-${kind}`, class: `arrow on-${kind}`, viewBox: "0 0 10 10", refX: 9, refY: 5,
    markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse",
  }, s("path", { d: "M0,0 L10,5 L0,10 z" }))));

  const edges = layout.edges().map((key) => {
    const data = layout.edge(key);
    const { edge } = data;
    const title = `${edge.on}${edge.condition ? ": " + edge.condition : ""}`;
    return s("g", { class: ["edge", `on-${edge.on}`], dataset: { source: edge.source, target: edge.target, on: edge.on } },
      s("title", {}, title),
      s("path", { d: edgePath(data.points), "marker-end": `url(#${prefix}-arrow-${edge.on})` }),
      data.label ? s("g", { class: "edge-label", transform: `translate(${data.x},${data.y})` },
        s("rect", { x: -data.width / 2, y: -data.height / 2, width: data.width, height: data.height, rx: 3 }),
        s("text", { "text-anchor": "middle", dy: "0.35em" }, data.label)) : null);
  });

  const byName = new Map();
  const nodes = layout.nodes().map((id) => {
    const { x, y, width: w, height: hh, node } = layout.node(id);
    const left = -w / 2;
    const top = -hh / 2;
    if (node.kind === "command") {
      return s("g", { class: ["command", `command-${node.name}`], transform: `translate(${x},${y})` },
        s("title", {}, `${node.name}${node.msg ? ": " + node.msg : ""}`),
        s("rect", { x: left, y: top, width: w, height: hh, rx: hh / 2 }),
        s("text", { "text-anchor": "middle", dy: "0.35em" }, node.name));
    }
    let badgeX = -left - PAD;
    const badgeEls = badges(node).reverse().map((badge) => {
      const bw = measure(badge.text, SMALL) + 10;
      badgeX -= bw;
      const el = s("g", { class: ["marker", `marker-${badge.kind}`], transform: `translate(${badgeX},${top + 7})` },
        s("rect", { width: bw, height: 16, rx: 8 }), s("text", { x: bw / 2, y: 11.5, "text-anchor": "middle" }, badge.text));
      badgeX -= 4;
      return el;
    });
    const status = s("text", { class: "status", x: left + PAD, y: top + 51 }, live ? "" : fit(plan(node), SMALL, w - 2 * PAD));
    const group = s("g", {
      class: ["node", live ? "state-none" : "plan", node.start && "start", node.with_items.length && "with-items", node.join != null && "join"],
      transform: `translate(${x},${y})`, tabindex: 0, role: "button",
      "aria-label": `task ${node.name}`, dataset: { task: node.name, state: "" },
    },
    s("title", {}, facts(node)),
    node.with_items.length ? s("rect", { class: "stack", x: left + 5, y: top + 5, width: w, height: hh, rx: 8 }) : null,
    s("rect", { class: "box", x: left, y: top, width: w, height: hh, rx: 8 }),
    s("text", { class: "name", x: left + PAD, y: top + 19 }, fit(node.name, BOLD, badgeX - (left + PAD))),
    s("text", { class: "subtitle", x: left + PAD, y: top + 35 }, fit(subtitle(node), SMALL, w - 2 * PAD)),
    badgeEls, status);
    const choose = () => onSelect && onSelect(node.name);
    group.addEventListener("click", choose);
    group.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        choose();
      }
    });
    byName.set(node.name, { group, status, width: w, node });
    return group;
  });

  const svg = s("svg", {
    class: "graph", xmlns: "http://www.w3.org/2000/svg", viewBox: `0 0 ${width} ${height}`,
    width, height, "aria-label": `graph of ${graph.name}`,
  }, defs, s("g", { class: "edges" }, edges), s("g", { class: "nodes" }, nodes));
  const element = h("div", { class: "graph-frame" }, svg);
  let scale = 1;

  return {
    element,
    nodeNames: () => [...byName.keys()],
    /** A task's state (a class and ``data-state``) and its status line. */
    setStatus(name, { state, line }) {
      const found = byName.get(name);
      if (!found) return;
      const cls = found.group.getAttribute("class").replace(/\bstate-\S+/, `state-${state || "none"}`);
      found.group.setAttribute("class", cls);
      found.group.dataset.state = state || "";
      found.group.setAttribute("aria-label", `task ${name}: ${state || "not run"}`);
      found.status.textContent = fit(line || "", SMALL, found.width - 2 * PAD);
    },
    select(name) {
      for (const [other, { group }] of byName) group.classList.toggle("selected", other === name);
    },
    zoom(factor) {
      if (factor === "fit") {
        const room = element.clientWidth - 4;
        scale = room > 0 ? Math.min(1, room / width) : 1;
      } else {
        scale = Math.min(3, Math.max(0.2, scale * factor));
      }
      svg.setAttribute("width", String(Math.round(width * scale)));
      svg.setAttribute("height", String(Math.round(height * scale)));
    },
  };
}

/** The legend of what ``graph`` shows: its kinds of edges and markers. */
export function legend(graph) {
  const kinds = new Set(graph.edges.map((edge) => edge.on));
  const tasks = graph.nodes.filter((node) => node.kind === "task");
  const items = KINDS.filter((kind) => kinds.has(kind)).map((kind) =>
    h("span", { class: ["legend-item", `on-${kind}`] }, h("i", {}), kind === "requires" ? "requires" : `on-${kind}`));
  if (tasks.some((node) => node.join !== null && node.join !== undefined)) items.push(h("span", { class: "legend-item" }, "⋈ join"));
  if (tasks.some((node) => node.with_items && node.with_items.length)) items.push(h("span", { class: "legend-item" }, "≡ with-items"));
  return h("div", { class: "legend" }, items);
}
