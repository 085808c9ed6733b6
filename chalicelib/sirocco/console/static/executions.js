// Executions: filters (workflow, state, time range), Mistral's marker/limit
// paging, newest first, refreshed every few seconds while shown.
import { enc, get, query } from "./api.js";
import { duration, h, stateBadge } from "./dom.js";
import { guarded } from "./errors.js";
import { getAll } from "./workflows.js";

const STATES = ["", "RUNNING", "PAUSED", "SUCCESS", "ERROR", "CANCELLED", "IDLE"];
const FIELDS = "id,workflow_name,workflow_namespace,description,state,state_info,task_execution_id,created_at,updated_at";
const REFRESH_MS = 5000;

/** A datetime-local value (read as UTC) as the API compares times: "YYYY-MM-DD HH:MM:SS". */
function apiTime(local) {
  return local ? local.replace("T", " ") + (local.length === 16 ? ":00" : "") : "";
}

/** The list query of the filters. A time range selects executions alive during it:
 * created before its end and last updated after its start (one filter per field is
 * all Mistral's query language takes). */
export function listQuery(filters, marker) {
  return query({
    workflow_name: filters.workflow,
    state: filters.state,
    updated_at: filters.from ? `gte:${apiTime(filters.from)}` : "",
    created_at: filters.to ? `lte:${apiTime(filters.to)}` : "",
    nulls: filters.all ? "" : "root_execution_id",
    fields: FIELDS,
    sort_keys: "created_at",
    sort_dirs: "desc",
    limit: filters.limit,
    marker,
  });
}

export async function executionList(page) {
  const p = page.params;
  const filters = {
    workflow: p.get("workflow") || "", state: p.get("state") || "", from: p.get("from") || "",
    to: p.get("to") || "", limit: p.get("limit") || "20", all: p.get("all") === "1",
  };
  const markers = []; // the markers of the pages before this one (for "Newer")
  let marker = p.get("marker") || "";
  let next = null;

  const names = h("datalist", { id: "workflow-names" });
  const input = (key, attrs) => h("input", {
    ...attrs, value: filters[key],
    onchange: (event) => { filters[key] = event.target.value; restart(); },
  });
  const stateSelect = h("select", {
    id: "filter-state", "aria-label": "state",
    onchange: (event) => { filters.state = event.target.value; restart(); },
  }, STATES.map((state) => h("option", { value: state, selected: state === filters.state }, state || "any state")));
  const limitSelect = h("select", {
    "aria-label": "page size", onchange: (event) => { filters.limit = event.target.value; restart(); },
  }, ["10", "20", "50", "100"].map((n) => h("option", { value: n, selected: n === filters.limit }, `${n} a page`)));
  const allBox = h("input", {
    type: "checkbox", checked: filters.all, onchange: (event) => { filters.all = event.target.checked; restart(); },
  });
  const live = h("input", { type: "checkbox", id: "auto-refresh", checked: p.get("live") !== "0" });
  live.addEventListener("change", () => page.remember({ live: live.checked ? "" : "0" }));
  const newer = h("button", { type: "button", onclick: () => { marker = markers.pop() || ""; refresh(); } }, "‹ Newer");
  const older = h("button", { type: "button", onclick: () => { markers.push(marker); marker = next; refresh(); } }, "Older ›");
  const first = h("button", { type: "button", onclick: () => { markers.length = 0; marker = ""; refresh(); } }, "Newest");
  const body = h("tbody");
  const status = h("span", { class: "muted" });

  page.main.append(h("h1", {}, "Executions"),
    h("form", { class: "filters", onsubmit: (event) => event.preventDefault() },
      h("label", {}, "Workflow", input("workflow", { id: "filter-workflow", type: "text", list: "workflow-names", placeholder: "any" }), names),
      h("label", {}, "State", stateSelect),
      h("label", {}, "From (UTC)", input("from", { id: "filter-from", type: "datetime-local", step: 1 })),
      h("label", {}, "To (UTC)", input("to", { id: "filter-to", type: "datetime-local", step: 1 })),
      limitSelect,
      h("label", { class: "check" }, allBox, "sub-workflows too"),
      h("label", { class: "check" }, live, "auto-refresh")),
    h("table", { class: "list", id: "executions" },
      h("thead", {}, h("tr", {}, ["State", "Workflow", "Id", "Description", "Created", "Updated", "Took"].map((t) => h("th", {}, t)))),
      body),
    h("div", { class: "pager" }, first, newer, older, status));

  let ticket = 0;
  async function refresh() {
    page.remember({ ...filters, all: filters.all ? "1" : "", limit: filters.limit === "20" ? "" : filters.limit, marker });
    const mine = (ticket += 1);
    const answer = await get(`/executions${listQuery(filters, marker)}`);
    if (mine !== ticket) return; // a newer request (a filter changed meanwhile) wins
    const rows = answer.executions || [];
    next = answer.next && rows.length ? rows[rows.length - 1].id : null;
    body.replaceChildren(...rows.map((ex) => h("tr", { dataset: { execution: ex.id, state: ex.state } },
      h("td", {}, stateBadge(ex.state)),
      h("td", {}, ex.workflow_name),
      h("td", { class: "mono" }, h("a", { href: `#/executions/${enc(ex.id)}` }, ex.id)),
      h("td", { title: ex.state_info || "" }, ex.description || ""),
      h("td", { class: "time" }, ex.created_at),
      h("td", { class: "time" }, ex.updated_at),
      h("td", { class: "time" }, ["SUCCESS", "ERROR", "CANCELLED"].includes(ex.state) ? duration(ex.created_at, ex.updated_at) : ""))));
    if (!rows.length) body.append(h("tr", {}, h("td", { colspan: 7, class: "muted" }, "No executions match.")));
    newer.disabled = !marker;
    first.disabled = !marker;
    older.disabled = !next;
    status.textContent = `${rows.length} shown${marker ? " (older page)" : ""}`;
  }

  function restart() {
    markers.length = 0;
    marker = "";
    guarded(refresh);
  }

  getAll(`/workflows${query({ fields: "name", sort_keys: "name" })}`, "workflows")
    .then((wfs) => names.replaceChildren(...wfs.map((wf) => h("option", { value: wf.name }))))
    .catch(() => { /* the names only help typing; the list itself shows API errors */ });
  await guarded(refresh);
  page.repeat(REFRESH_MS, refresh, () => live.checked);
}
