/** `GET /health`: answers once the Worker can take requests. */

import { Hono } from "hono";

export const health = new Hono().get("/", (c) => c.json({ ok: true }));
