/**
 * Stands in for `zod-to-json-schema` in the deployed Worker (wrangler.jsonc "alias"). The MCP SDK
 * converts zod 3 schemas with it; zod 4 schemas, the only kind this Worker uses, convert with zod's
 * own `toJSONSchema`.
 */

export function zodToJsonSchema(): never {
  throw new Error('zod 3 schemas are not supported in this Worker: use zod 4 (import from "zod")');
}
