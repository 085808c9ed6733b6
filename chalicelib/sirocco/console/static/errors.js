// API errors stay on screen until dismissed (never swallowed); the same error
// repeated by auto-refresh is counted, not stacked.
import { h } from "./dom.js";

let area = null;

export function initErrors(element) {
  area = element;
}

export function showError(error) {
  const text = error && error.message ? error.message : String(error);
  console.error(error);
  for (const item of area.children) {
    if (item.dataset.text === text) {
      const count = Number(item.dataset.count) + 1;
      item.dataset.count = String(count);
      item.querySelector(".count").textContent = ` (×${count})`;
      return;
    }
  }
  const item = h("div", { class: "api-error", dataset: { text, count: "1" } },
    h("span", { class: "message" }, text), h("span", { class: "count" }),
    h("button", { class: "dismiss", type: "button", title: "Dismiss", onclick: () => item.remove() }, "×"));
  area.append(item);
}

export function clearErrors() {
  if (area) area.replaceChildren();
}

/** Run an async action; its error is shown, and the returned promise resolves to undefined. */
export async function guarded(action) {
  try {
    return await action();
  } catch (error) {
    showError(error);
    return undefined;
  }
}
