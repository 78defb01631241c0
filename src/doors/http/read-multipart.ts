/**
 * `multipart/form-data` bodies for `/execute`, `/compile` and `/functions`: one part named
 * `request` holds the JSON body as it would be sent alone, and every other part is a file of
 * `modules`, named by its filename (or, when that has no known extension, its part name).
 * WebAssembly goes as raw bytes, without base64's third more; other files must be UTF-8 text.
 */

import { describeType, ServiceError } from "../../errors";

/** The part holding the JSON body. */
export const REQUEST_PART = "request";

const EXTENSION = /\.(?:ts|js|mjs|json|wasm)$/;

export interface MultipartBody {
  /** The `request` part's text. */
  request: string;
  /** The other parts by module path: bytes for `.wasm`, text otherwise. */
  files: [path: string, contents: string | Uint8Array][];
}

export function isMultipart(contentType: string | null): boolean {
  return (contentType ?? "").toLowerCase().startsWith("multipart/form-data");
}

/** Splits a multipart body, already read within its size limit, into the request and its files. */
export async function parseMultipart(bytes: Uint8Array, contentType: string): Promise<MultipartBody> {
  if (!/;\s*boundary=/i.test(contentType)) {
    throw malformed("The multipart body has no boundary: `Content-Type` must be `multipart/form-data; boundary=…`.");
  }
  let form: FormData;
  try {
    form = await new Response(bytes, { headers: { "content-type": contentType } }).formData();
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw malformed(`The multipart body could not be parsed (${detail}); ${EXPECTED}`);
  }
  const requests = form.getAll(REQUEST_PART);
  const first = requests[0];
  if (first === undefined) {
    const names = [...new Set([...form.keys()])].slice(0, 10).map((name) => JSON.stringify(name));
    throw malformed(
      `The multipart body has no \`${REQUEST_PART}\` part${names.length ? ` (it has ${names.join(", ")})` : ""}; ${EXPECTED}`,
    );
  }
  if (requests.length > 1)
    throw malformed(`The multipart body has ${requests.length} \`${REQUEST_PART}\` parts; send one.`);
  const request = typeof first === "string" ? first : await textOf(first, REQUEST_PART);

  const files: MultipartBody["files"] = [];
  for (const [name, value] of form.entries()) {
    if (name === REQUEST_PART) continue;
    if (typeof value === "string") {
      files.push([name, value]);
      continue;
    }
    const path = EXTENSION.test(value.name) || !EXTENSION.test(name) ? value.name || name : name;
    files.push([path, path.endsWith(".wasm") ? new Uint8Array(await value.arrayBuffer()) : await textOf(value, path)]);
  }
  return { request, files };
}

/** The parsed `request` part with the file parts added to its `modules`. */
export function withFiles(body: unknown, files: MultipartBody["files"]): unknown {
  if (files.length === 0) return body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalid(`The \`${REQUEST_PART}\` part must be a JSON object, got ${describeType(body)}.`);
  }
  const fields = body as Record<string, unknown>;
  const given = fields.modules ?? {};
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    throw invalid(`\`modules\` must be an object of file path to contents, got ${describeType(given)}.`);
  }
  const modules: Record<string, unknown> = { ...given };
  for (const [path, contents] of files) {
    if (Object.hasOwn(modules, path)) {
      throw invalid(
        `The file "${path}" is sent twice: as a part and ${Object.hasOwn(given, path) ? "in `modules`" : "as another part"}.`,
      );
    }
    modules[path] = contents;
  }
  return { ...fields, modules };
}

const EXPECTED =
  "expected multipart/form-data with a `request` part holding the JSON body and one part per file, named by its path.";

async function textOf(file: Blob, path: string): Promise<string> {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(await file.arrayBuffer());
  } catch {
    throw invalid(`The part "${path}" is not UTF-8 text; only .wasm files may be binary.`);
  }
}

/** The body is not the multipart form expected: like a body that is not JSON. */
function malformed(message: string): ServiceError {
  return new ServiceError("invalid_json", message);
}

function invalid(message: string): ServiceError {
  return new ServiceError("invalid_request", message);
}
