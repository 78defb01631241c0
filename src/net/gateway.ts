/**
 * The outbound gateway a sandbox's network traffic goes through: plain `fetch` when its request
 * allows hosts (the `Outbound` entrypoint), and `$.fetch` (the `Runtime` entrypoint), which may also
 * attach credentials host-side. Each hop of a redirect is checked again, so an allowed host cannot
 * bounce the sandbox to a refused one. A refused request fails in the sandbox as a rejected `fetch`
 * naming what was refused.
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

/** Headers the gateway adds host-side, by destination host (`FETCH_CREDENTIALS`). */
export type Credentials = Readonly<Record<string, Readonly<Record<string, string>>>>;

export interface GatewayOptions {
  allow: readonly string[];
  routes?: DevRoutes;
  /** Added to each hop for that hop's own host only, after the policy check; never seen by the sandbox. */
  credentials?: Credentials;
}

export async function gatewayFetch(
  request: Request,
  { allow, routes = {}, credentials = {} }: GatewayOptions,
): Promise<Response> {
  let current = request;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const url = new URL(current.url);
    const reason = refusal(url, allow);
    if (reason) throw new NetworkRefusedError(`fetch(${JSON.stringify(current.url)}) was refused: ${reason}.`);
    const response = await fetch(outgoing(current, url, routes, credentials), { redirect: "manual" });
    const location = response.headers.get("location");
    if (request.redirect !== "follow" || !isRedirect(response.status) || !location) return response;
    // Relative to the URL the sandbox asked for, not to a dev route's stand-in origin.
    const next = new URL(location, current.url);
    // 303, and 301/302 after a POST, continue as GET without a body (as browsers do).
    const keepsMethod =
      response.status === 307 || response.status === 308 || current.method === "GET" || current.method === "HEAD";
    if (keepsMethod && current.body) return response; // a streamed body cannot be sent twice
    const headers = new Headers(current.headers);
    if (next.origin !== url.origin) {
      // Headers the snippet meant for one origin are not forwarded to another.
      headers.delete("authorization");
      headers.delete("cookie");
    }
    current = new Request(next, { method: keepsMethod ? current.method : "GET", headers, redirect: "manual" });
  }
  throw new NetworkRefusedError(
    `fetch(${JSON.stringify(request.url)}) was refused: more than ${MAX_REDIRECTS} redirects.`,
  );
}

/** The request as it leaves: routed to a dev stand-in if one is configured, with the host's credentials. */
function outgoing(request: Request, url: URL, routes: DevRoutes, credentials: Credentials): Request {
  const route = routes[url.host];
  const secret = credentials[url.host] ?? credentials[url.hostname];
  if (!route && !secret) return request;
  const target = new Request(route ? new URL(`${url.pathname}${url.search}`, route) : url, request);
  for (const [name, value] of Object.entries(secret ?? {})) target.headers.set(name, value);
  return target;
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** `NETWORK_DEV_ROUTES` is JSON: {"api.example.test": "http://127.0.0.1:9999"}. Bad JSON routes nothing. */
export function parseDevRoutes(text: string | undefined): DevRoutes {
  return Object.fromEntries(
    Object.entries(parseObject(text)).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
}

/** `FETCH_CREDENTIALS` is JSON: {"api.example.com": {"authorization": "Bearer ..."}}. */
export function parseCredentials(text: string | undefined): Credentials {
  return Object.fromEntries(
    Object.entries(parseObject(text)).map(([host, headers]) => [
      host.toLowerCase(),
      Object.fromEntries(Object.entries(parseObject(headers)).filter((entry) => typeof entry[1] === "string")),
    ]),
  ) as Credentials;
}

function parseObject(value: unknown): Record<string, unknown> {
  let parsed = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      return {};
    }
  }
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : {};
}
