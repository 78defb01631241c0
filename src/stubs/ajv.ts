/**
 * Stands in for `ajv` and `ajv-formats` in the deployed Worker (wrangler.jsonc "alias"). The MCP
 * SDK imports Ajv as its default JSON Schema validator, but Ajv compiles validators with
 * `new Function`, which workerd refuses during a request: this Worker passes the SDK the
 * `@cfworker/json-schema` validator instead, so Ajv is never constructed.
 */

export default class Ajv {
  constructor() {
    throw new Error("Ajv is not bundled in this Worker: pass the MCP SDK a jsonSchemaValidator");
  }
}
