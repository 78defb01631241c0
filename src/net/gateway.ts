/**
 * The outbound gateway a sandbox's `fetch` goes through when its request allows hosts. Each hop
 * of a redirect is checked again, so an allowed host cannot bounce the sandbox to a refused one.
 * A refused request fails in the sandbox as a rejected `fetch` naming what was refused.
 */

import { refusal } from "./policy";

const MAX_REDIRECTS = 10;

export class NetworkRefusedError extends Error {
  override name = "NetworkRefusedError";
}

/**
 * Operator-only routing for local development and tests: requests to a listed host (after they
 * passed the policy) go to the given origin instead, so a local server can stand in for a public
 * API. Never configured in production.
 */
export type DevRoutes = Readonly<Record<string, string>>;

export async function gatewayFetch(
  request: Request,
  allow: readonly string[],
  routes: DevRoutes = {},
): Promise<Response> {
  let current = request;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const url = new URL(current.url);
    const reason = refusal(url, allow);
    if (reason) throw new NetworkRefusedError(`fetch(${JSON.stringify(current.url)}) was refused: ${reason}.`);
    const route = routes[url.host];
    const target = route ? new Request(new URL(`${url.pathname}${url.search}`, route), current) : current;
    const response = await fetch(target, { redirect: "manual" });
    const location = response.headers.get("location");
    if (request.redirect !== "follow" || !isRedirect(response.status) || !location) return response;
    // Relative to the URL the sandbox asked for, not to a dev route's stand-in origin.
    const next = new URL(location, current.url);
    // 303, and 301/302 after a POST, continue as GET without a body (as browsers do).
    const keepsMethod =
      response.status === 307 || response.status === 308 || current.method === "GET" || current.method === "HEAD";
    if (keepsMethod && current.body) return response; // a streamed body cannot be sent twice
    const headers = new Headers(current.headers);
    if (next.origin !== new URL(current.url).origin) {
      // Credentials meant for one origin are not forwarded to another.
      headers.delete("authorization");
      headers.delete("cookie");
    }
    current = new Request(next, { method: keepsMethod ? current.method : "GET", headers, redirect: "manual" });
  }
  throw new NetworkRefusedError(
    `fetch(${JSON.stringify(request.url)}) was refused: more than ${MAX_REDIRECTS} redirects.`,
  );
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** `NETWORK_DEV_ROUTES` is JSON: {"api.example.test": "http://127.0.0.1:9999"}. Bad JSON routes nothing. */
export function parseDevRoutes(text: string | undefined): DevRoutes {
  if (!text) return {};
  try {
    const routes = JSON.parse(text) as unknown;
    if (typeof routes !== "object" || routes === null || Array.isArray(routes)) return {};
    return Object.fromEntries(
      Object.entries(routes).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    );
  } catch {
    return {};
  }
}
