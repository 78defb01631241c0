/**
 * A stand-in npm registry on 127.0.0.1 for the package tests (the machine has no internet): the npm
 * registry protocol (packuments with dist-tags, versions, dist.tarball and dist.integrity; tarballs),
 * serving tarballs made by `npm pack` from packages in this project's node_modules. A few copies are
 * given other versions (and say which they are), and some names misbehave on purpose:
 *   slow-package     its metadata never answers (the service must time out)
 *   broken-package   its metadata answers 503
 *   tampered         its tarball does not match the published integrity
 *   gzip-bomb        a tarball that decompresses to more than the service's limit
 * GET /__requests lists the paths asked for, so tests can see what reached the registry.
 */

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

export interface StandInRegistry {
  origin: string;
  close(): Promise<void>;
}

export interface Published {
  name: string;
  version: string;
  tarball: Buffer;
  dependencies?: Record<string, string>;
}

/** name → { version → what was published } and name → { tag → version }. */
const PACKAGES = new Map<string, Map<string, Published>>();
const TAGS = new Map<string, Record<string, string>>();

/** Points a dist-tag of `name` at `version`. */
export function tag(name: string, tagName: string, version: string): void {
  TAGS.set(name, { ...TAGS.get(name), [tagName]: version });
}

/** Every version published so far of `name`. */
export function published(name: string): Published[] {
  return [...(PACKAGES.get(name)?.values() ?? [])];
}

/** Packages packed as they are in node_modules. */
const AS_IS = ["ms", "debug", "cookie", "kleur", "pathe", "@cfworker/json-schema", "tinyexec"];

/** escape-html at three versions, each saying which it is: `escape.packageVersion`. */
const ESCAPE_VERSIONS = { "1.0.2": [], "1.0.3": ["latest"], "2.0.0-beta.1": ["next"] } as const;

export async function startRegistry(): Promise<StandInRegistry> {
  const work = mkdtempSync(join(tmpdir(), "functions-do-registry-"));
  try {
    const copies = AS_IS.map((name) => join(root, "node_modules", name));
    for (const version of Object.keys(ESCAPE_VERSIONS)) {
      const dir = join(work, `escape-html-${version}`);
      cpSync(join(root, "node_modules/escape-html"), dir, { recursive: true });
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      writeFileSync(join(dir, "package.json"), JSON.stringify({ ...manifest, version }));
      writeFileSync(
        join(dir, "index.js"),
        `${readFileSync(join(dir, "index.js"), "utf8")}\nmodule.exports.packageVersion = ${JSON.stringify(version)};\n`,
      );
      copies.push(dir);
    }
    // One `npm pack` for all: no lifecycle scripts, JSON out naming each tarball.
    const packed = JSON.parse(
      execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work, ...copies], {
        cwd: work,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }),
    ) as { name: string; version: string; filename: string }[];
    for (const { name, version, filename } of packed) {
      const file = join(work, tarballName(filename));
      const manifest = JSON.parse(execFileSync("tar", ["-xzOf", file, "package/package.json"], { encoding: "utf8" }));
      publish({ name, version, tarball: readFileSync(file), dependencies: manifest.dependencies });
    }
    for (const [version, tags] of Object.entries(ESCAPE_VERSIONS)) {
      for (const tag of tags) TAGS.set("escape-html", { ...TAGS.get("escape-html"), [tag]: version });
    }
    publish({
      name: "tampered",
      version: "1.0.0",
      tarball: readFileSync(join(work, tarballName(packedFile(packed, "ms")))),
    });
    publish({ name: "gzip-bomb", version: "1.0.0", tarball: gzipBomb() });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const requests: string[] = [];
  let origin = "";
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://registry").pathname);
    if (path === "/__requests") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(requests));
      return;
    }
    requests.push(path);
    if (path === "/slow-package") return; // never answers
    if (path === "/broken-package") {
      response.writeHead(503);
      response.end("unavailable");
      return;
    }
    const tarball = /^\/(.+)\/-\/[^/]+-(\d[^/]*)\.tgz$/.exec(path);
    if (tarball) {
      const published = PACKAGES.get(tarball[1] ?? "")?.get(tarball[2] ?? "");
      if (!published) return notFound(response);
      const body =
        published.name === "tampered" ? Buffer.concat([published.tarball, Buffer.from([0])]) : published.tarball;
      response.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length });
      response.end(body);
      return;
    }
    const name = path.slice(1);
    const versions = PACKAGES.get(name);
    if (!versions) return notFound(response);
    const packument = {
      name,
      "dist-tags": { latest: [...versions.keys()].at(-1), ...TAGS.get(name) },
      versions: Object.fromEntries(
        [...versions.values()].map((published) => [
          published.version,
          {
            name,
            version: published.version,
            ...(published.dependencies && { dependencies: published.dependencies }),
            dist: {
              tarball: `${origin}/${name}/-/${name.split("/").pop()}-${published.version}.tgz`,
              integrity: `sha512-${createHash("sha512").update(published.tarball).digest("base64")}`,
              shasum: createHash("sha1").update(published.tarball).digest("hex"),
            },
          },
        ]),
      ),
    };
    response.writeHead(200, { "content-type": "application/vnd.npm.install-v1+json" });
    response.end(JSON.stringify(packument));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("the stand-in registry has no address");
  origin = `http://127.0.0.1:${address.port}`;
  return {
    origin,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Publishes a version (tests publish new ones while the registry runs). */
export function publish(published: Published): void {
  const versions = PACKAGES.get(published.name) ?? new Map<string, Published>();
  versions.set(published.version, published);
  PACKAGES.set(published.name, versions);
}

function packedFile(packed: { name: string; filename: string }[], name: string): string {
  const found = packed.find((entry) => entry.name === name);
  if (!found) throw new Error(`${name} was not packed`);
  return found.filename;
}

/** npm names a scoped package's tarball `scope-name-1.0.0.tgz`. */
function tarballName(filename: string): string {
  return filename.replace(/^@/, "").replace("/", "-");
}

function notFound(response: import("node:http").ServerResponse): void {
  response.writeHead(404, { "content-type": "application/json" });
  response.end('{"error":"Not found"}');
}

/** A tar of package.json and 40 MiB of zeros, gzipped to a few tens of KiB. */
function gzipBomb(): Buffer {
  const entry = (name: string, body: Buffer): Buffer => {
    const header = Buffer.alloc(512);
    header.write(`package/${name}`, 0);
    header.write("0000644\0", 100);
    header.write("0000000\0", 108);
    header.write("0000000\0", 116);
    header.write(`${body.length.toString(8).padStart(11, "0")}\0`, 124);
    header.write("00000000000\0", 136);
    header.write("        ", 148);
    header.write("0", 156);
    header.write("ustar\0", 257);
    header.write("00", 263);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    const padding = Buffer.alloc((512 - (body.length % 512)) % 512);
    return Buffer.concat([header, body, padding]);
  };
  return gzipSync(
    Buffer.concat([
      entry("package.json", Buffer.from('{"name":"gzip-bomb","version":"1.0.0","main":"index.js"}')),
      entry("index.js", Buffer.alloc(40 * 1024 * 1024, 0x20)),
      Buffer.alloc(1024),
    ]),
  );
}
