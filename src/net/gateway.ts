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

export async function gatewayFetch(request: Request, allow: readonly string[]): Promise<Response> {
  let current = request;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const reason = refusal(new URL(current.url), allow);
    if (reason) throw new NetworkRefusedError(`fetch(${JSON.stringify(current.url)}) was refused: ${reason}.`);
    const response = await fetch(current, { redirect: "manual" });
    const location = response.headers.get("location");
    if (request.redirect !== "follow" || !isRedirect(response.status) || !location) return response;
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
