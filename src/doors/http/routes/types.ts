/** `GET /types`: the `$` type definitions, for editors and agents (generated at build time). */

import { Hono } from "hono";
import { RUNTIME_TYPES } from "../../../generated/prelude";

export const types = new Hono().get("/", (c) =>
  c.body(RUNTIME_TYPES, 200, {
    "content-type": "application/typescript; charset=utf-8",
    "cache-control": "public, max-age=300",
  }),
);
