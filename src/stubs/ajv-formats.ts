/** Stands in for `ajv-formats` in the deployed Worker; see ./ajv.ts. */

export default function addFormats(): never {
  throw new Error("ajv-formats is not bundled in this Worker: pass the MCP SDK a jsonSchemaValidator");
}
