/**
 * Reads a request body as JSON with a byte limit, turning every way a body can be wrong into a
 * clear 4xx: too large (413, checked before and while reading), not UTF-8, empty, not JSON, or
 * nested too deeply to parse.
 */

import { concatBytes } from "../../bytes";
import { ServiceError } from "../../errors";
import { isMultipart, parseMultipart, withFiles } from "./read-multipart";

export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  return (await readJson(request, maxBytes)).value;
}

/**
 * A body for `/execute`, `/compile` or `POST /functions`: JSON, or multipart with the JSON in a
 * `request` part and files beside it (read-multipart.ts). Up to `bodyBytes`, or up to
 * `modulesBytes` when it carries `modules` (WebAssembly is large). Which limit applies is only
 * known once it is parsed, so a body between the two is read, then refused when it has no `modules`.
 */
export async function readRequestBody(request: Request, bodyBytes: number, modulesBytes: number): Promise<unknown> {
  const maxBytes = Math.max(bodyBytes, modulesBytes);
  const note = ` (${bodyBytes} bytes without \`modules\`)`;
  const contentType = request.headers.get("content-type");
  let value: unknown;
  let size: number;
  if (isMultipart(contentType)) {
    const declared = Number(request.headers.get("content-length"));
    if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(declared, maxBytes, false, note);
    const bytes = await readLimited(request, maxBytes, note);
    const multipart = await parseMultipart(bytes, contentType ?? "");
    value = withFiles(
      parseJsonBytes(new TextEncoder().encode(multipart.request), "The `request` part"),
      multipart.files,
    );
    size = bytes.byteLength;
  } else {
    ({ value, size } = await readJson(request, maxBytes, note));
  }
  const modules = typeof value === "object" && value !== null && "modules" in value;
  if (size > bodyBytes && !modules) throw tooLarge(size, bodyBytes);
  return value;
}

/** A body of any type, as bytes, up to `maxBytes` (413 above, checked before and while reading). */
export async function readBodyBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(declared, maxBytes);
  return readLimited(request, maxBytes, "");
}

async function readJson(request: Request, maxBytes: number, note = ""): Promise<{ value: unknown; size: number }> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(declared, maxBytes, false, note);
  const bytes = await readLimited(request, maxBytes, note);
  return { value: parseJsonBytes(bytes), size: bytes.byteLength };
}

function parseJsonBytes(bytes: Uint8Array, what = "The request body"): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ServiceError("invalid_json", `${what} is not valid UTF-8.`);
  }
  if (text.trim() === "") {
    throw new ServiceError("invalid_json", `${what} is empty; expected a JSON object such as {"code": "return 1"}.`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new ServiceError("invalid_json", `${what} is nested too deeply to parse.`);
    }
    const detail = error instanceof Error ? error.message : String(error);
    throw new ServiceError("invalid_json", `${what} is not valid JSON: ${detail}`);
  }
}

async function readLimited(request: Request, maxBytes: number, note: string): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(total, maxBytes, true, note);
    }
    chunks.push(value);
  }
  return concatBytes(chunks);
}

function tooLarge(size: number, maxBytes: number, atLeast = false, note = ""): ServiceError {
  return new ServiceError(
    "payload_too_large",
    `The request body is ${atLeast ? "at least " : ""}${size} bytes; the limit is ${maxBytes} bytes${note}.`,
  );
}
