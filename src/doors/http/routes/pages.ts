/**
 * The playground page, from Workers static assets (built into playground/dist by `npm run build`):
 * `GET /` and `GET /s/:id` (a shared snippet; the page loads it from /snippets/:id) answer the page,
 * `/assets/*` its script and styles. Opening the page warms the type checker in the background,
 * so the first diagnostics while typing come quickly.
 */

import { Hono } from "hono";
import { warmTypeChecker } from "../../../sandbox/type-check";
import type { AuthEnv } from "../auth";

export const pages = new Hono<AuthEnv>()
  .get("/", (c) => page(c.req.raw, c.env.ASSETS, () => c.executionCtx.waitUntil(warmTypeChecker(c.env.LOADER))))
  .get("/s/:id", (c) => page(c.req.raw, c.env.ASSETS, () => c.executionCtx.waitUntil(warmTypeChecker(c.env.LOADER))))
  .get("/assets/*", (c) => c.env.ASSETS.fetch(c.req.raw));

function page(request: Request, assets: Fetcher, warm: () => void): Promise<Response> {
  warm();
  // The asset server canonicalises `/index.html` to `/` with a redirect, so ask for `/` itself.
  return assets.fetch(new Request(new URL("/", request.url), request));
}
