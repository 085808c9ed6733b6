// One task of an execution, as the side panel shows it: state, timings, with-items
// progress, retries, sub-workflows, action runs (their input; an async one can be
// completed here), published variables and result; rerun when it failed.
import { enc, get, put } from "./api.js";
import { duration, ENDED, fromJsonText, h, parseField, stateBadge } from "./dom.js";
import { guarded } from "./errors.js";
import { jsonView } from "./json.js";

const TASK_ENDED = new Set([...ENDED, "SKIPPED"]);

/** done/total of a with-items task, from its record and its report entry; null otherwise. */
export function itemProgress(task, entry) {
  const context = fromJsonText(task.runtime_context) || {};
  if (!context.with_items) return null;
  const total = context.with_items.count;
  const runs = entry ? (task.type === "WORKFLOW" ? entry.workflow_executions : entry.action_executions) : [];
  const done = task.type === "WORKFLOW"
    ? runs.filter((run) => ENDED.has(run.state)).length
    : runs.filter((run) => run.accepted).length;
  return { done: Math.min(done, total), total };
}

function fact(label, value, cls) {
  return [h("dt", {}, label), h("dd", { class: cls }, value === undefined || value === null || value === "" ? "—" : value)];
}

function section(title, ...content) {
  return h("section", { class: "panel-section" }, h("h3", {}, title), ...content);
}

/**
 * Fill ``panel`` with the task ``task`` (a record of /executions/<id>/tasks); ``entry`` is its
 * report entry (retries, runs, sub-executions); ``node`` its graph node; ``changed()`` is called
 * after the user changed something (rerun, completion) so the page refreshes at once;
 * ``current()`` says whether this panel is still wanted once the answers arrive.
 */
export async function showTask(panel, { task, entry, node, runs, onPickRun, changed, current = () => true }) {
  const [full, actions] = await Promise.all([
    get(`/tasks/${enc(task.id)}`),
    task.type === "WORKFLOW" ? Promise.resolve({ action_executions: [] }) : get(`/tasks/${enc(task.id)}/action_executions`),
  ]);
  if (!current()) return; // another task was picked meanwhile
  const progress = itemProgress(full, entry);
  const children = entry ? entry.workflow_executions : [];
  const content = [
    h("h2", {}, full.name, " ", stateBadge(full.state)),
    runs.length > 1 ? h("div", { class: "runs" }, "Runs of this task: ", runs.map((run, i) => h("button", {
      type: "button", class: run.id === task.id ? "picked" : "", onclick: () => onPickRun(run.id),
    }, `${i + 1} (${run.state})`))) : null,
    h("dl", { class: "facts" },
      fact("Type", full.type === "WORKFLOW" ? `sub-workflow ${node && node.workflow ? node.workflow : ""}` : node && node.action ? `action ${node.action}` : "action"),
      fact("Started", full.started_at, "time"), fact("Finished", full.finished_at, "time"),
      fact("Took", full.started_at ? duration(full.started_at, full.finished_at) : ""),
      fact("Updated", full.updated_at, "time"),
      progress ? fact("Items", `${progress.done}/${progress.total} done`) : null,
      entry && entry.retry_count ? fact("Retries", String(entry.retry_count)) : null,
      fact("Id", full.id, "mono")),
    full.state_info ? section("State info", h("pre", { class: "state-info" }, full.state_info)) : null,
    full.state === "ERROR" ? rerunForm(full, progress !== null, changed) : null,
    children.length ? section("Sub-workflow executions", h("ul", { class: "children" }, children.map((child) =>
      h("li", {}, stateBadge(child.state), " ", h("a", { href: `#/executions/${enc(child.id)}` }, `${child.name} ${child.id}`))))) : null,
    section("Published", jsonView(fromJsonText(full.published), "nothing published")),
    // the API answers [] for a task that has no result yet
    section("Result", TASK_ENDED.has(full.state) ? jsonView(fromJsonText(full.result), "no result")
      : h("span", { class: "muted" }, "no result yet")),
    actions.action_executions.length ? section("Action runs (input)", actions.action_executions.map((run) => actionRun(run, changed))) : null,
  ];
  panel.replaceChildren(...content.filter(Boolean));
  panel.dataset.task = full.name;
  panel.dataset.taskId = full.id;
  panel.dataset.state = full.state;
}

function actionRun(run, changed) {
  return h("div", { class: "action-run", dataset: { action: run.id, state: run.state } },
    h("div", {}, stateBadge(run.state), " ", h("span", { class: "mono" }, run.name), " ",
      h("span", { class: "muted small" }, run.created_at || "")),
    jsonView(fromJsonText(run.input), "no input"),
    run.state === "RUNNING" ? completeForm(run, changed) : null);
}

/** PUT /v2/action_executions/<id>: finish an asynchronous action by hand. */
function completeForm(run, changed) {
  const state = h("select", { "aria-label": "final state" }, ["SUCCESS", "ERROR", "CANCELLED"].map((s) => h("option", { value: s }, s)));
  const output = h("textarea", { rows: 3, class: "mono", "aria-label": "action output", placeholder: '{"result": ...} (JSON object)' });
  const send = () => guarded(async () => {
    const body = { state: state.value };
    if (output.value.trim()) body.output = output.value.trim(); // the API checks it (JSON text of an object)
    await put(`/action_executions/${enc(run.id)}`, body);
    await changed();
  });
  return h("div", { class: "complete-form" }, h("strong", {}, "Complete this action"), state, output,
    h("button", { type: "button", class: "primary", onclick: send }, "Complete action"));
}

/** PUT /v2/tasks/<id> {state: RUNNING}: run a failed task again, optionally with more env. */
function rerunForm(task, withItems, changed) {
  const reset = h("input", { type: "checkbox", checked: true, disabled: !withItems });
  const env = h("textarea", { rows: 2, class: "mono", "aria-label": "rerun env", placeholder: '{"key": "value"} (optional, merged into the env)' });
  const send = () => guarded(async () => {
    const body = { state: "RUNNING", reset: reset.checked };
    if (env.value.trim()) body.env = parseField("Env", env.value);
    await put(`/tasks/${enc(task.id)}`, body);
    await changed();
  });
  return section("Rerun",
    h("label", { class: "check", title: withItems ? "unchecked: only the failed items run again" : "only with-items tasks can keep their done items" },
      reset, "reset (run every item again)"),
    env, h("button", { type: "button", class: "primary", id: "rerun", onclick: send }, "Rerun task"));
}
