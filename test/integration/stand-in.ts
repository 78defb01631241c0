/**
 * A local HTTP server standing in for public APIs in network tests (the machine has no internet).
 * The service routes allowed test hosts to it through NETWORK_DEV_ROUTES.
 *   GET /echo                  → { method, path, headers } of the request as received
 *   GET /redirect?to=URL       → 302 to URL (status overridable with &status=)
 *   ANY /record/...            → "recorded", without echoing anything back
 *   GET /__requests            → every request received so far (for the tests, not for snippets)
 */

import { createServer, type Server } from "node:http";

export interface StandIn {
  origin: string;
  close(): Promise<void>;
}

export async function startStandIn(): Promise<StandIn> {
  const received: { method?: string; path: string; headers: Record<string, unknown> }[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://stand-in");
    if (url.pathname === "/__requests") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(received));
      return;
    }
    received.push({ method: request.method, path: `${url.pathname}${url.search}`, headers: request.headers });
    if (url.pathname.startsWith("/record")) {
      response.writeHead(200, { "content-type": "text/plain" });
      response.end("recorded");
      return;
    }
    if (url.pathname === "/redirect") {
      response.writeHead(Number(url.searchParams.get("status") ?? 302), {
        location: url.searchParams.get("to") ?? "/",
      });
      response.end();
      return;
    }
    if (url.pathname === "/echo") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({ method: request.method, path: `${url.pathname}${url.search}`, headers: request.headers }),
      );
      return;
    }
    response.writeHead(404);
    response.end("not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("stand-in server has no address");
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Hosts the service routes to the stand-in; requests must still allow them. */
export const STAND_IN_HOSTS = ["api.example.test", "other.example.test"];

/** A credential the service attaches host-side to `$.fetch` requests to api.example.test. */
export const TEST_CREDENTIAL = "Bearer stand-in-credential-7c1f9a";

export interface ReceivedRequest {
  method?: string;
  path: string;
  headers: Record<string, unknown>;
}

export async function receivedBy(origin: string): Promise<ReceivedRequest[]> {
  return (await (await fetch(`${origin}/__requests`)).json()) as ReceivedRequest[];
}
