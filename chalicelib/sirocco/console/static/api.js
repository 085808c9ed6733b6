// The /v2 API as the console calls it: same origin, same headers as any client,
// plus the token the user set (X-Auth-Token, kept in localStorage).

const TOKEN_KEY = "sirocco.console.token";

/** The API root: the page is served at <prefix>/console, the API at <prefix>/v2
 * (a prefix such as API Gateway's stage name is kept). */
export const API_ROOT = location.pathname.replace(/\/console\/?$/, "") + "/v2";

export const token = {
  get: () => localStorage.getItem(TOKEN_KEY) || "",
  set(value) {
    if (value) localStorage.setItem(TOKEN_KEY, value);
    else localStorage.removeItem(TOKEN_KEY);
  },
};

export class ApiError extends Error {
  constructor(method, path, status, message) {
    super(`${method} ${path}: ${status ? status + " " : ""}${message}`);
    this.method = method;
    this.path = path;
    this.status = status;
    this.detail = message;
  }
}

/** Mistral's error text ({"faultstring"}), or the body as it came. */
function faultOf(text) {
  try {
    const body = JSON.parse(text);
    if (body && typeof body === "object") return body.faultstring || body.Message || body.message || text;
  } catch {
    /* not JSON */
  }
  return text || "(empty answer)";
}

/** Call the API; the parsed JSON answer, or an ApiError with the API's message. */
export async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  const auth = token.get();
  if (auth) headers["X-Auth-Token"] = auth;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(API_ROOT + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch (error) {
    throw new ApiError(method, path, 0, `no answer from the API (${error.message})`);
  }
  const text = await response.text();
  if (!response.ok) {
    let message = faultOf(text);
    if (response.status === 401 || response.status === 403) message += " (is the auth token set?)";
    throw new ApiError(method, path, response.status, message);
  }
  return text ? JSON.parse(text) : null;
}

export const get = (path) => call("GET", path);
export const put = (path, body) => call("PUT", path, body);
export const post = (path, body) => call("POST", path, body);

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const parts = Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== null && value !== "")
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
  return parts.length ? "?" + parts.join("&") : "";
}

export const enc = encodeURIComponent;
