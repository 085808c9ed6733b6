// Workflows: the list with search, and one workflow's definition beside its graph.
import { enc, get, post, query } from "./api.js";
import { h, parseField } from "./dom.js";
import { guarded, showError } from "./errors.js";
import { drawGraph, legend } from "./graph.js";
import { highlight } from "./yaml.js";

const LIST_FIELDS = "id,name,namespace,input,tags,scope,updated_at,created_at";

/** Every item of a list, following its ``next`` links (a page is at most 1,000 items). */
export async function getAll(path, key, pages = 20) {
  const items = [];
  let next = path;
  for (let page = 0; next && page < pages; page += 1) {
    const body = await get(next);
    items.push(...(body[key] || []));
    next = body.next ? body.next.slice(body.next.indexOf("/v2/") + 3) : null;
  }
  return items;
}

export async function workflowList(page) {
  const search = h("input", {
    type: "search", id: "workflow-search", placeholder: "Search by name, namespace or tag",
    value: page.params.get("q") || "", "aria-label": "Search workflows",
  });
  const count = h("span", { class: "muted" });
  const body = h("tbody");
  page.main.append(h("h1", {}, "Workflows"), h("div", { class: "toolbar" }, search, count),
    h("table", { class: "list", id: "workflows" },
      h("thead", {}, h("tr", {}, ["Name", "Namespace", "Input", "Tags", "Updated", ""].map((t) => h("th", {}, t)))),
      body));
  const workflows = await getAll(`/workflows${query({ fields: LIST_FIELDS, sort_keys: "name", sort_dirs: "asc" })}`,
    "workflows");
  const show = () => {
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const shown = workflows.filter((wf) => {
      const text = [wf.name, wf.namespace, ...(wf.tags || [])].join(" ").toLowerCase();
      return words.every((word) => text.includes(word));
    });
    body.replaceChildren(...shown.map((wf) => h("tr", { dataset: { workflow: wf.name } },
      h("td", {}, h("a", { href: `#/workflows/${enc(wf.id)}` }, wf.name)),
      h("td", {}, wf.namespace || h("span", { class: "muted" }, "default")),
      h("td", { class: "mono" }, wf.input || ""),
      h("td", {}, (wf.tags || []).map((tag) => h("span", { class: "tag" }, tag))),
      h("td", { class: "time" }, wf.updated_at || wf.created_at),
      h("td", {}, h("a", { href: `#/executions?workflow=${enc(wf.name)}` }, "executions")))));
    count.textContent = `${shown.length} of ${workflows.length}`;
    page.remember({ q: search.value.trim() });
  };
  search.addEventListener("input", show);
  show();
  if (!workflows.length) body.append(h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No workflows yet.")));
}

/** Lines of the definition each task spans (from its line to the next task's). */
function taskLines(graph) {
  const tasks = graph.nodes.filter((n) => n.kind === "task" && n.line).sort((a, b) => a.line - b.line);
  return new Map(tasks.map((task, i) => [task.name, [task.line, tasks[i + 1] ? tasks[i + 1].line - 1 : Infinity]]));
}

export async function workflowPage(page, id) {
  const [workflow, graph] = await Promise.all([
    get(`/workflows/${enc(id)}`),
    get(`/workflows/${enc(id)}/graph`).catch((error) => {
      showError(error); // the definition is still worth showing
      return { name: id, type: "", nodes: [], edges: [] };
    }),
  ]);
  const yaml = highlight(workflow.definition || "");
  const lines = taskLines(graph);
  const drawn = drawGraph(graph, {
    onSelect(name) {
      drawn.select(name);
      const [first, last] = lines.get(name) || [0, -1];
      let firstEl = null;
      for (const line of yaml.querySelectorAll(".y-line")) {
        const n = Number(line.dataset.line);
        line.classList.toggle("picked", n >= first && n <= last);
        if (n === first) firstEl = line;
      }
      if (firstEl) yaml.scrollTop = firstEl.offsetTop - 8; // the definition scrolls, not the page
    },
  });
  page.main.append(
    h("div", { class: "crumbs" }, h("a", { href: "#/workflows" }, "Workflows"), " › ", workflow.name),
    h("h1", {}, workflow.name, " ", h("span", { class: "muted small" }, graph.type)),
    h("dl", { class: "facts" },
      h("dt", {}, "Namespace"), h("dd", {}, workflow.namespace || "default"),
      h("dt", {}, "Input"), h("dd", { class: "mono" }, workflow.input || "—"),
      h("dt", {}, "Tags"), h("dd", {}, (workflow.tags || []).join(", ") || "—"),
      h("dt", {}, "Updated"), h("dd", {}, workflow.updated_at || workflow.created_at),
      h("dt", {}, "Id"), h("dd", { class: "mono" }, workflow.id)),
    h("div", { class: "toolbar" },
      h("a", { class: "button", href: `#/executions?workflow=${enc(workflow.name)}` }, "Executions"),
      startForm(workflow, graph.type === "reverse")),
    h("div", { class: "split" },
      h("section", { class: "definition", "aria-label": "definition" }, yaml),
      h("section", { class: "graph-pane", "aria-label": "graph" }, zoomBar(drawn), legend(graph), drawn.element)));
  drawn.zoom("fit");
}

export function zoomBar(drawn) {
  return h("div", { class: "zoom" },
    h("button", { type: "button", title: "Zoom out", onclick: () => drawn.zoom(0.8) }, "−"),
    h("button", { type: "button", title: "Fit", onclick: () => drawn.zoom("fit") }, "fit"),
    h("button", { type: "button", title: "Zoom in", onclick: () => drawn.zoom(1.25) }, "+"));
}

/** POST /v2/executions; a reverse workflow also needs the task to reach (``task_name``). */
function startForm(workflow, reverse) {
  const input = h("textarea", { rows: 4, class: "mono", "aria-label": "execution input", value: "{}" });
  const target = reverse ? h("input", { type: "text", "aria-label": "target task", placeholder: "task to reach (reverse workflow)" }) : null;
  const env = h("textarea", { rows: 2, class: "mono", "aria-label": "execution env", placeholder: "{} (optional)" });
  const description = h("input", { type: "text", "aria-label": "execution description", placeholder: "description (optional)" });
  const start = () => guarded(async () => {
    const body = { workflow_id: workflow.id, input: input.value.trim() || "{}", description: description.value };
    const params = {};
    if (env.value.trim()) params.env = parseField("Env", env.value);
    if (target && target.value.trim()) params.task_name = target.value.trim();
    if (Object.keys(params).length) body.params = JSON.stringify(params);
    const execution = await post("/executions", body);
    location.hash = `#/executions/${enc(execution.id)}`;
  });
  return h("details", { class: "start" }, h("summary", {}, "Start an execution"),
    h("label", {}, "Input (JSON)", input), h("label", {}, "Env (JSON)", env), target, description,
    h("button", { type: "button", class: "primary", onclick: start }, "Start"));
}
