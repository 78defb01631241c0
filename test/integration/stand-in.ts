/**
 * A local HTTP server standing in for public APIs in network tests (the machine has no internet).
 * The service routes allowed test hosts to it through NETWORK_DEV_ROUTES.
 *   GET /echo                  → { method, path, headers } of the request as received
 *   GET /redirect?to=URL       → 302 to URL (status overridable with &status=)
 */

import { createServer, type Server } from "node:http";

export interface StandIn {
  origin: string;
  close(): Promise<void>;
}

export async function startStandIn(): Promise<StandIn> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://stand-in");
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
