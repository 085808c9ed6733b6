// One execution: its graph coloured by task state and kept live while it runs,
// the selected task's panel, the execution's input/output/params, and the
// controls (pause, resume, cancel). Sub-workflow executions are pages of their
// own, with breadcrumbs up to the root.
import { enc, get, put, query } from "./api.js";
import { append, duration, ENDED, fromJsonText, h, stateBadge } from "./dom.js";
import { guarded, showError } from "./errors.js";
import { drawGraph, legend } from "./graph.js";
import { jsonView } from "./json.js";
import { itemProgress, showTask } from "./task.js";
import { getAll, zoomBar } from "./workflows.js";

const LIVE_MS = 1500; // while the execution runs
const IDLE_MS = 10000; // once it ended (a rerun from elsewhere still shows up)
// the report (retries, with-items runs, sub-executions) grows with the items: read it
// at most this often while the execution runs, and at once after a change made here
const REPORT_MS = 5000;

/** The executions above a sub-workflow execution, root first: [{id, workflow, task}]. */
async function ancestry(execution) {
  const chain = [];
  let parentTask = execution.task_execution_id;
  for (let depth = 0; parentTask && depth < 20; depth += 1) {
    const task = await get(`/tasks/${enc(parentTask)}${query({ fields: "name,workflow_name,workflow_execution_id" })}`);
    chain.unshift({ id: task.workflow_execution_id, workflow: task.workflow_name, task: task.name });
    const parent = await get(`/executions/${enc(task.workflow_execution_id)}${query({ fields: "task_execution_id" })}`);
    parentTask = parent.task_execution_id;
  }
  return chain;
}

/** A graph of the tasks alone, when the definition cannot be read (no edges). */
function tasksOnly(execution, tasks) {
  const names = [...new Set(tasks.map((t) => t.name))];
  return {
    name: execution.workflow_name, type: "direct", edges: [],
    nodes: names.map((name) => ({ id: `t:${name}`, kind: "task", name, with_items: [], join: null, start: false })),
  };
}

function byTaskId(report) {
  const out = new Map();
  for (const entry of (report.root_workflow_execution || {}).task_executions || []) out.set(entry.id, entry);
  return out;
}

/** "$0.0000246 · $2.46 per million steps (Step Functions Standard: $25.00)", sub-executions
 * included; what the meter of this deployment saw (GET /executions/<id>/cost, docs/cost.md). */
export function costText(report) {
  if (!report) return null;
  if (!report.metered) return "not metered here (see docs/cost.md)";
  const whole = report.including_sub_executions || report;
  const parts = [`$${whole.cost.total.toFixed(7)}`];
  if (whole.cost.per_million_steps !== null) {
    parts.push(`$${whole.cost.per_million_steps.toFixed(2)} per million steps`
      + ` (Step Functions Standard: $${whole.step_functions_standard.per_million_steps.toFixed(2)})`);
  }
  return parts.join(" · ");
}

function statusLine(task, entry, count) {
  const parts = [task.state];
  const progress = itemProgress(task, entry);
  if (progress) parts.push(`${progress.done}/${progress.total} items`);
  if (entry && entry.retry_count) parts.push(`retry ${entry.retry_count}`);
  if (count > 1) parts.push(`${count} runs`);
  return parts.join(" · ");
}

export async function executionPage(page, id) {
  let execution = await get(`/executions/${enc(id)}`);
  let graph;
  try {
    graph = await get(`/executions/${enc(id)}/graph`);
  } catch (error) {
    showError(error); // still show the tasks, without transitions
    graph = null;
  }

  const crumbs = h("div", { class: "crumbs" }, h("a", { href: "#/executions" }, "Executions"));
  const heading = h("h1");
  const facts = h("dl", { class: "facts" });
  const controls = h("div", { class: "toolbar controls" });
  const panel = h("aside", { class: "task-panel", id: "task-panel", "aria-label": "task" },
    h("p", { class: "muted" }, "Click a task to see its input, result and published variables."));
  const data = h("section", { class: "execution-data" });
  const table = h("tbody");
  const graphPane = h("section", { class: "graph-pane", "aria-label": "graph" });
  page.main.append(crumbs, heading, facts, controls,
    h("div", { class: "split execution" }, graphPane, panel),
    h("h2", {}, "Tasks"),
    h("table", { class: "list", id: "tasks" },
      h("thead", {}, h("tr", {}, ["Task", "State", "Started", "Finished", "Took", "State info"].map((t) => h("th", {}, t)))),
      table),
    data);

  ancestry(execution).then((chain) => {
    for (const up of chain) {
      crumbs.append(" › ", h("a", { href: `#/executions/${enc(up.id)}?task=${enc(up.task)}` }, up.workflow),
        h("span", { class: "muted" }, ` (${up.task})`));
    }
    crumbs.append(" › ", execution.workflow_name);
  }, showError);

  let tasks = [];
  let entries = new Map();
  let drawn = null;
  let selected = page.params.get("task") || "";
  let pickedRun = "";
  let shownKey = "";
  let panelTicket = 0;
  let reportAt = 0;
  let reportWasFor = "";
  let cost = null;

  /** The report when it is due: first, after a change, every REPORT_MS, and once more
   * after the execution ended; otherwise the entries already read. A report that fails
   * (too large for one answer) leaves the graph without progress, not dead. */
  async function reportEntries(force, state) {
    const now = Date.now();
    if (!force && now - reportAt < REPORT_MS && reportWasFor === state) return entries;
    reportAt = now;
    reportWasFor = state;
    // read beside the report and awaited with it: the render that follows shows this answer
    const costed = get(`/executions/${enc(id)}/cost`).then((found) => { cost = found; }, () => { cost = null; });
    try {
      return byTaskId(await get(`/executions/${enc(id)}/report${query({ max_depth: 0 })}`));
    } catch (error) {
      showError(error);
      return entries;
    } finally {
      await costed;
    }
  }

  let refreshTicket = 0;
  async function refresh(force = false) {
    const mine = (refreshTicket += 1);
    const [ex, list] = await Promise.all([get(`/executions/${enc(id)}`), getAll(`/executions/${enc(id)}/tasks`, "tasks")]);
    const found = await reportEntries(force, ex.state);
    if (mine !== refreshTicket || !page.alive) return; // a newer refresh (after a click) wins
    execution = ex;
    tasks = list;
    entries = found;
    render();
  }
  const refreshNow = () => refresh(true);

  function runsOf(name) {
    return tasks.filter((t) => t.name === name); // creation order: the last is the latest
  }

  function render() {
    if (!drawn) {
      const shown = graph || tasksOnly(execution, tasks);
      drawn = drawGraph(shown, { onSelect: select, live: true });
      graphPane.replaceChildren(zoomBar(drawn), legend(shown), drawn.element);
      drawn.zoom("fit");
    }
    heading.replaceChildren(execution.workflow_name, " ", stateBadge(execution.state));
    facts.replaceChildren();
    append(facts, [
      h("dt", {}, "Id"), h("dd", { class: "mono" }, execution.id),
      h("dt", {}, "Workflow"), h("dd", {}, execution.workflow_id
        ? h("a", { href: `#/workflows/${enc(execution.workflow_id)}` }, execution.workflow_name) : execution.workflow_name),
      h("dt", {}, "Created"), h("dd", { class: "time" }, execution.created_at),
      h("dt", {}, "Updated"), h("dd", { class: "time" }, execution.updated_at),
      h("dt", {}, "Took"), h("dd", {}, duration(execution.created_at, ENDED.has(execution.state) ? execution.updated_at : null)),
      costText(cost) ? [h("dt", {}, "Cost"), h("dd", { class: "cost" }, costText(cost))] : null,
      execution.description ? [h("dt", {}, "Description"), h("dd", {}, execution.description)] : null,
      execution.state_info ? [h("dt", {}, "State info"), h("dd", { class: "state-info" }, execution.state_info)] : null]);
    renderControls();
    for (const name of drawn.nodeNames()) {
      const runs = runsOf(name);
      const latest = runs[runs.length - 1];
      drawn.setStatus(name, latest ? { state: latest.state, line: statusLine(latest, entries.get(latest.id), runs.length) }
        : { state: "", line: "not run" });
    }
    table.replaceChildren(...tasks.map((t) => h("tr", { dataset: { task: t.name, state: t.state }, class: t.name === selected ? "picked" : "" },
      h("td", {}, h("button", { type: "button", class: "link", onclick: () => select(t.name, t.id) }, t.name)),
      h("td", {}, stateBadge(t.state)),
      h("td", { class: "time" }, t.started_at || ""), h("td", { class: "time" }, t.finished_at || ""),
      h("td", {}, t.started_at ? duration(t.started_at, t.finished_at) : ""),
      h("td", { class: "state-info" }, t.state_info || ""))));
    data.replaceChildren(
      h("div", { class: "data-block" }, h("h3", {}, "Input"), jsonView(fromJsonText(execution.input), "{}")),
      h("div", { class: "data-block" }, h("h3", {}, "Output"), jsonView(fromJsonText(execution.output), "{}")),
      h("div", { class: "data-block" }, h("h3", {}, "Params"), jsonView(fromJsonText(execution.params), "{}")));
    if (selected) showSelected(false);
  }

  function renderControls() {
    const state = execution.state;
    const change = (body) => guarded(async () => {
      await put(`/executions/${enc(id)}`, body);
      await refreshNow();
    });
    const cancel = h("button", { type: "button", id: "cancel", disabled: ENDED.has(state) }, "Cancel");
    cancel.addEventListener("click", () => {
      cancel.replaceWith(h("span", { class: "confirm" }, "Cancel this execution? ",
        h("button", { type: "button", class: "danger", id: "cancel-confirm", onclick: () => change({ state: "CANCELLED", state_info: "Cancelled from the console" }) }, "Yes, cancel"),
        h("button", { type: "button", onclick: () => renderControls() }, "Keep running")));
    });
    controls.replaceChildren(
      h("button", { type: "button", id: "pause", disabled: !["RUNNING", "IDLE"].includes(state), onclick: () => change({ state: "PAUSED" }) }, "Pause"),
      h("button", { type: "button", id: "resume", disabled: state !== "PAUSED", onclick: () => change({ state: "RUNNING" }) }, "Resume"),
      cancel,
      h("span", { class: "muted live" }, ENDED.has(state) ? "" : "live"));
  }

  function select(name, runId = "") {
    selected = name;
    pickedRun = runId;
    page.remember({ task: name });
    showSelected(true);
  }

  /** The selected task's panel; refetched when the user picked it or it changed. */
  function showSelected(force) {
    drawn.select(selected);
    for (const row of table.children) row.classList.toggle("picked", row.dataset.task === selected);
    const runs = runsOf(selected);
    const task = runs.find((t) => t.id === pickedRun) || runs[runs.length - 1];
    if (!task) {
      shownKey = "";
      panel.replaceChildren(h("h2", {}, selected, " ", stateBadge("")), h("p", { class: "muted" }, "This task has not run."));
      panel.dataset.task = selected;
      return;
    }
    const entry = entries.get(task.id);
    const key = `${task.id}|${task.state}|${task.updated_at}|${runs.length}|${JSON.stringify(entry || {})}`;
    if (!force && key === shownKey) return;
    if (!force && panel.contains(document.activeElement) && document.activeElement.matches("input, textarea, select")) {
      return; // the user is filling a form in the panel: the next refresh shows the change
    }
    shownKey = key;
    const ticket = (panelTicket += 1);
    const node = graph && graph.nodes.find((n) => n.kind === "task" && n.name === selected);
    guarded(() => showTask(panel, {
      task, entry, node, runs,
      onPickRun: (runId) => select(selected, runId),
      changed: refreshNow,
      current: () => ticket === panelTicket && page.alive, // a later pick or refresh wins
    }));
  }

  await guarded(refreshNow);
  let tick = 0;
  page.repeat(LIVE_MS, refresh, () => !ENDED.has(execution.state) || (tick += 1) % Math.round(IDLE_MS / LIVE_MS) === 0);
}
