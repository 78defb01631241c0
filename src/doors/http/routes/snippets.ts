/**
 * Shareable snippets: `POST /snippets` stores `{ code, language, args }` durably in D1 under the
 * SHA-256 of its content and answers the id with the link (the same snippet always gets the same
 * link); `GET /snippets/:id` answers the snippet. Reading needs no key, since the playground opens
 * shared links (`/s/:id`) in browsers that hold none: the id is the capability. Being a content
 * hash, it reveals nothing of the code, but whoever already has the exact code can tell whether it
 * was shared.
 */

import { Hono } from "hono";
import { toHex } from "../../../compile/hash";
import { ServiceError } from "../../../errors";
import { parseCodeRequest } from "../../../invoke/request";
import { type AuthEnv, authenticate, rateLimit } from "../auth";
import { invocationOf } from "../invocation";
import { readJsonBody } from "../read-body";

/** Largest `args` a shared snippet keeps, in bytes of JSON. */
const MAX_SHARED_ARGS_BYTES = 64 * 1024;
const ID = /^[0-9a-f]{64}$/;

export const snippets = new Hono<AuthEnv>()
  .post("/", authenticate(), rateLimit(), async (c) => {
    const { limits } = invocationOf(c);
    const request = parseCodeRequest(await readJsonBody(c.req.raw, limits.bodyBytes), limits);
    if (request.modules) {
      throw new ServiceError("invalid_request", "A shared snippet is one file: send `code`, not `modules`.");
    }
    if (request.args.length > MAX_SHARED_ARGS_BYTES) {
      throw new ServiceError(
        "payload_too_large",
        `\`args\` is ${request.args.length} bytes of JSON; a shared snippet keeps at most ${MAX_SHARED_ARGS_BYTES}.`,
      );
    }
    const content = JSON.stringify([request.code, request.language, request.args]);
    const id = toHex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(content)));
    await c.env.DB.prepare(
      "INSERT OR IGNORE INTO snippets (id, tenant, code, language, args, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
      .bind(id, c.get("caller").tenant, request.code, request.language, request.args, Date.now())
      .run();
    return c.json({ id, url: new URL(`/s/${id}`, c.req.url).toString() }, 201);
  })
  .get("/:id", async (c) => {
    const id = c.req.param("id");
    if (!ID.test(id))
      throw new ServiceError(
        "invalid_request",
        `A snippet id is 64 hexadecimal characters, got ${JSON.stringify(id.slice(0, 80))}.`,
      );
    const row = await c.env.DB.prepare("SELECT code, language, args FROM snippets WHERE id = ?1")
      .bind(id)
      .first<{ code: string; language: string; args: string }>();
    if (!row) throw new ServiceError("not_found", `There is no snippet ${id}.`);
    return c.json({ id, code: row.code, language: row.language, args: JSON.parse(row.args) }, 200, {
      "cache-control": "public, max-age=31536000, immutable",
    });
  });
