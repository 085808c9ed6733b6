// The console's entry point: hash routes, the token form, and the page life
// cycle (a page's timers stop when the user leaves it).
import { token } from "./api.js";
import { clear, h } from "./dom.js";
import { clearErrors, initErrors, showError } from "./errors.js";
import { executionList } from "./executions.js";
import { executionPage } from "./execution.js";
import { workflowList, workflowPage } from "./workflows.js";

const ROUTES = [
  [/^\/workflows\/([^/]+)$/, workflowPage, "workflows"],
  [/^\/workflows$/, workflowList, "workflows"],
  [/^\/executions\/([^/]+)$/, executionPage, "executions"],
  [/^\/executions$/, executionList, "executions"],
];

/** What a page may use: its element, its parameters, and timers that die with it. */
class Page {
  constructor(main, params) {
    this.main = main;
    this.params = params;
    this.alive = true;
    this.timers = new Set();
  }

  sleep(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Run ``work`` every ``ms`` while the page is shown and ``when()`` holds; never two
   * at once (the next waits for the previous to end). Errors are shown, not fatal. */
  async repeat(ms, work, when = () => true) {
    while (this.alive) {
      await this.sleep(ms);
      if (this.alive && when()) {
        try {
          await work();
        } catch (error) {
          if (this.alive) showError(error);
        }
      }
    }
  }

  /** Keep ``key=value`` in the address (so a reload or a shared link shows the same). */
  remember(values) {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined || value === null || value === "" || value === false) this.params.delete(key);
      else this.params.set(key, String(value));
    }
    const [path] = location.hash.slice(1).split("?");
    const text = this.params.toString();
    history.replaceState(null, "", `#${path}${text ? "?" + text : ""}`);
  }

  leave() {
    this.alive = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

let current = null;

async function route() {
  const raw = location.hash.slice(1) || "/executions";
  const [path, search] = raw.split("?");
  const main = document.getElementById("view");
  if (current) current.leave();
  clearErrors();
  clear(main);
  for (const link of document.querySelectorAll("[data-nav]")) link.classList.remove("active");
  for (const [pattern, view, section] of ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    document.querySelector(`[data-nav="${section}"]`).classList.add("active");
    current = new Page(main, new URLSearchParams(search || ""));
    try {
      await view(current, ...match.slice(1).map(decodeURIComponent));
    } catch (error) {
      showError(error);
    }
    return;
  }
  main.append(h("p", {}, "No such page. ", h("a", { href: "#/executions" }, "Executions")));
}

function tokenForm() {
  const toggle = document.getElementById("token-toggle");
  const form = document.getElementById("token-form");
  const input = document.getElementById("token-input");
  const show = () => {
    toggle.textContent = token.get() ? "Auth token ✓" : "Auth token";
  };
  toggle.addEventListener("click", () => {
    form.hidden = !form.hidden;
    toggle.setAttribute("aria-expanded", String(!form.hidden));
    input.value = token.get();
    if (!form.hidden) input.focus();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    token.set(input.value.trim());
    form.hidden = true;
    show();
    route();
  });
  document.getElementById("token-clear").addEventListener("click", () => {
    token.set("");
    input.value = "";
    show();
  });
  show();
}

initErrors(document.getElementById("errors"));
tokenForm();
window.addEventListener("hashchange", route);
route();
