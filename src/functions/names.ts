/** Names and versions of stored functions as clients send them, checked at the boundary. */

import { describeType, ServiceError } from "../errors";

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const VERSION = /^[0-9a-f]{64}$/;

export function parseName(name: unknown): string {
  if (name === undefined) throw new ServiceError("invalid_request", '`name` is required, e.g. {"name": "add-one"}.');
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new ServiceError(
      "invalid_request",
      `A function name is a lowercase letter then up to 62 lowercase letters, digits or "-", got ${describeType(name)}.`,
    );
  }
  return name;
}

export function parseVersion(version: string): string {
  if (!VERSION.test(version)) {
    throw new ServiceError(
      "invalid_request",
      `A function version is 64 lowercase hexadecimal characters, got ${describeType(version)}.`,
    );
  }
  return version;
}

/** 404 for a function (or version) the caller's tenant does not have: another tenant's looks the same. */
export function missing(name: string, version?: string): ServiceError {
  return new ServiceError(
    "not_found",
    version === undefined ? `There is no function "${name}".` : `Function "${name}" has no version ${version}.`,
  );
}
