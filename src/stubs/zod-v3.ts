/**
 * Stands in for `zod/v3` in the deployed Worker (wrangler.jsonc "alias"). The MCP SDK accepts zod 3
 * schemas next to zod 4 ones and imports zod's whole v3 build for them; this Worker only ever hands
 * it zod 4 schemas, so the v3 branch is never taken. If it were, it fails loudly instead of wrongly.
 */

export function object(): never {
  throw new Error('zod 3 schemas are not supported in this Worker: use zod 4 (import from "zod")');
}
