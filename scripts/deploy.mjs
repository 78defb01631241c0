#!/usr/bin/env node
// `npm run deploy [-- --allow-anonymous] [-- --without-example]`: deploys the service from a fresh
// clone after `npm install` and `wrangler login`, and is safe to run again. In order, stopping at
// the first step that fails (each is skipped or a no-op when already done, so a rerun picks up
// where the last run stopped):
//   1. refuses unless the Worker has an API_KEYS secret or --allow-anonymous was given (it sets no
//      secret itself);
//   2. finds each KV namespace and D1 database wrangler.jsonc binds without an id, by name, and
//      creates the missing ones;
//   3. applies the D1 migrations to the remote database;
//   4. deploys the example service (the runtime manifest's `$.example`), unless --without-example
//      drops that binding;
//   5. deploys the Worker with a configuration derived from wrangler.jsonc (wrangler.deploy.json,
//      removed afterwards): the resource ids filled in, dev-only variables left out, ALLOW_ANONYMOUS
//      set only with --allow-anonymous.
// The steps run wrangler non-interactively; DEPLOY_WRANGLER names another wrangler to run (the tests'
// stand-in). See docs/deploy.md.

import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CONFIGS } from "./dev-server.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

const USAGE = `Usage: npm run deploy [-- --allow-anonymous] [-- --without-example]
  --allow-anonymous   deploy even without an API_KEYS secret, with ALLOW_ANONYMOUS="true": anyone
                      who finds the URL can run code as the "local" tenant
  --without-example   do not deploy the example service; $.example answers "not bound"`;

/** Variables for local development and tests only (src/env.ts): never deployed. */
export const DEV_ONLY_VARS = ["NETWORK_DEV_ROUTES", "BENCH_ROUTES"];
/** The file the Worker is deployed from, next to wrangler.jsonc so its relative paths hold. */
export const DEPLOY_CONFIG = "wrangler.deploy.json";

class DeployError extends Error {}

export function parseArgs(argv) {
  const options = { allowAnonymous: false, withoutExample: false, help: false };
  for (const arg of argv) {
    if (arg === "--allow-anonymous") options.allowAnonymous = true;
    else if (arg === "--without-example") options.withoutExample = true;
    else if (arg === "--help" || arg === "-h") options.help = true;
    else throw new DeployError(`unknown option ${JSON.stringify(arg)}\n${USAGE}`);
  }
  return options;
}

/** JSON with comments and trailing commas, as wrangler reads wrangler.jsonc. */
export function parseJsonc(text) {
  let json = "";
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '"') {
      const end = stringEnd(text, index);
      json += text.slice(index, end);
      index = end - 1;
    } else if (char === "/" && text[index + 1] === "/") {
      while (index < text.length && text[index] !== "\n") index++;
      json += "\n";
    } else if (char === "/" && text[index + 1] === "*") {
      const end = text.indexOf("*/", index + 2);
      index = end === -1 ? text.length : end + 1;
    } else {
      json += char;
    }
  }
  return JSON.parse(json.replace(/,(\s*[}\]])/g, "$1"));
}

function stringEnd(text, start) {
  for (let index = start + 1; index < text.length; index++) {
    if (text[index] === "\\") index++;
    else if (text[index] === '"') return index + 1;
  }
  return text.length;
}

/** The name wrangler itself gives a resource it provisions for a binding (`<worker>-<binding>`). */
export function resourceName(worker, binding) {
  return `${worker}-${binding.toLowerCase().replaceAll("_", "-")}`;
}

/** The first JSON array in a command's output (wrangler may print notices around it). */
export function parseJsonList(stdout) {
  const start = stdout.search(/^\[/m);
  if (start === -1) throw new DeployError(`expected a JSON list from wrangler, got:\n${stdout}`);
  return JSON.parse(stdout.slice(start));
}

function wranglerCommand(args) {
  const custom = process.env.DEPLOY_WRANGLER;
  const script = custom ?? join(root, "node_modules/wrangler/bin/wrangler.js");
  return /\.[cm]?js$/.test(script) ? [process.execPath, [script, ...args]] : [script, args];
}

/**
 * Runs wrangler with no terminal input, so it never waits for an answer (its prompts take their
 * non-interactive defaults). `capture` keeps the output for parsing; otherwise it is shown as it comes.
 */
function wrangler(args, { capture = false, cwd } = {}) {
  const [command, argv] = wranglerCommand(args);
  const result = spawnSync(command, argv, {
    cwd,
    // wrangler's build step runs `node`: this Node (22), not an older one first on the PATH.
    env: { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}` },
    stdio: ["ignore", capture ? "pipe" : "inherit", capture ? "pipe" : "inherit"],
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new DeployError(`could not run wrangler (${command}): ${result.error.message}`);
  return { status: result.status ?? 1, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
}

function step(args, cwd, what) {
  const result = wrangler(args, { cwd });
  if (result.status !== 0) {
    throw new DeployError(
      `\`wrangler ${args.join(" ")}\` failed (exit ${result.status}) while ${what}; nothing after it ran.\n` +
        "Fix the cause and run `npm run deploy` again: what is done already is skipped.",
    );
  }
}

function listed(args, cwd) {
  const result = wrangler(args, { capture: true, cwd });
  if (result.status !== 0) throw failure(args, result);
  return parseJsonList(result.stdout);
}

function failure(args, { status, stdout, stderr }) {
  const output = `${stdout}${stderr}`.trim();
  const login = /CLOUDFLARE_API_TOKEN|not authenticated|wrangler login/i.test(output)
    ? "\nLog in with `npx wrangler login` (or set CLOUDFLARE_API_TOKEN), then run `npm run deploy` again."
    : "";
  return new DeployError(`\`wrangler ${args.join(" ")}\` failed (exit ${status}):\n${output}${login}`);
}

/**
 * The Worker's secret names, or undefined when the Worker does not exist yet. wrangler says so in
 * words (API code 10007): "Worker "<name>" not found".
 */
function secretNames(cwd) {
  const args = ["secret", "list", "--format", "json", "-c", "wrangler.jsonc"];
  const result = wrangler(args, { capture: true, cwd });
  if (result.status === 0) return parseJsonList(result.stdout).map((secret) => secret.name);
  const output = stripAnsi(`${result.stdout}${result.stderr}`);
  if (/Worker "[^"]*" not found|\[code: 10007\]/.test(output)) return undefined;
  throw failure(args, result);
}

function stripAnsi(text) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

/** Refuses a deployment that would serve anonymous callers unless that was asked for. */
export function checkAccess(secrets, { allowAnonymous }, worker) {
  const hasKeys = secrets?.includes("API_KEYS") ?? false;
  if (allowAnonymous) {
    return hasKeys
      ? `API_KEYS is set, and ALLOW_ANONYMOUS="true" is deployed as asked (--allow-anonymous).`
      : `no API_KEYS secret: deploying an OPEN service as asked (--allow-anonymous): anyone with the URL runs code.`;
  }
  if (secrets?.includes("ALLOW_ANONYMOUS")) {
    throw new DeployError(
      `${worker} has a secret named ALLOW_ANONYMOUS, which would let anonymous callers in. Delete it ` +
        "(`npx wrangler secret delete ALLOW_ANONYMOUS`), or pass --allow-anonymous if that is what you want.",
    );
  }
  if (!hasKeys) {
    throw new DeployError(
      `refusing to deploy ${worker}${secrets ? "" : " (not deployed yet)"}: it has no API_KEYS secret.\n` +
        'Set the keys first (this creates the Worker if needed; see docs/api.md, "Keys, tenants and tiers"):\n' +
        "  npx wrangler secret put API_KEYS\n" +
        "or deploy a service anyone may call, on purpose: npm run deploy -- --allow-anonymous",
    );
  }
  return "API_KEYS is set: callers need a key.";
}

/** The companion Workers `npm start` runs next to this one (scripts/dev-server.mjs) that it binds. */
function companions(config, cwd) {
  const bound = new Set((config.services ?? []).map((service) => service.service));
  return CONFIGS.slice(1)
    .map((file) => ({ file, name: parseJsonc(readFileSync(join(cwd, file), "utf8")).name }))
    .filter((companion) => bound.has(companion.name));
}

/**
 * Fills in the id of every D1 database and KV namespace bound without one: found by name (each kind
 * listed once), the missing ones created, then listed again for their ids.
 */
function resolveResources(config, cwd, log) {
  const databases = resolveKind(config.d1_databases ?? [], {
    has: (database) => database.database_id,
    name: (database) => database.database_name ?? resourceName(config.name, database.binding),
    list: () =>
      listed(["d1", "list", "--json", "-c", "wrangler.jsonc"], cwd).map((db) => ({ name: db.name, id: db.uuid })),
    create: (name) => ["d1", "create", name, "-c", "wrangler.jsonc"],
    fill: (database, name, id) => ({ ...database, database_name: name, database_id: id }),
    what: "D1 database",
    cwd,
    log,
  });
  const namespaces = resolveKind(config.kv_namespaces ?? [], {
    has: (namespace) => namespace.id,
    name: (namespace) => resourceName(config.name, namespace.binding),
    list: () =>
      listed(["kv", "namespace", "list", "-c", "wrangler.jsonc"], cwd).map((ns) => ({ name: ns.title, id: ns.id })),
    create: (name) => ["kv", "namespace", "create", name, "-c", "wrangler.jsonc"],
    fill: (namespace, _name, id) => ({ ...namespace, id }),
    what: "KV namespace",
    cwd,
    log,
  });
  return { databases, namespaces };
}

function resolveKind(bindings, { has, name, list, create, fill, what, cwd, log }) {
  const wanted = bindings.filter((binding) => !has(binding));
  if (wanted.length === 0) return bindings;
  let existing = list();
  const missing = [...new Set(wanted.map(name))].filter((title) => !existing.some((found) => found.name === title));
  for (const title of missing) {
    log(`${what} ${title}: creating it`);
    step(create(title), cwd, `creating the ${what} ${title}`);
  }
  if (missing.length > 0) existing = list();
  return bindings.map((binding) => {
    if (has(binding)) return binding;
    const title = name(binding);
    const found = existing.find((candidate) => candidate.name === title);
    if (!found) throw new DeployError(`created the ${what} ${title}, but wrangler does not list it`);
    log(`${what} ${title} (${binding.binding}): ${found.id}`);
    return fill(binding, title, found.id);
  });
}

/** The configuration the Worker is deployed with: wrangler.jsonc with ids, without dev-only variables. */
export function deployConfig(config, { databases, namespaces }, { allowAnonymous, withoutExample }, skipped = []) {
  const vars = Object.fromEntries(
    Object.entries(config.vars ?? {}).filter(([name]) => !DEV_ONLY_VARS.includes(name) && name !== "ALLOW_ANONYMOUS"),
  );
  if (allowAnonymous) vars.ALLOW_ANONYMOUS = "true";
  const out = { ...config, vars, d1_databases: databases, kv_namespaces: namespaces };
  if (withoutExample) out.services = (config.services ?? []).filter((service) => !skipped.includes(service.service));
  return out;
}

export function deploy(argv, { cwd = process.cwd(), log = (line) => console.log(`deploy: ${line}`) } = {}) {
  const options = parseArgs(argv);
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const config = parseJsonc(readFileSync(join(cwd, "wrangler.jsonc"), "utf8"));
  if (!config.name) throw new DeployError("wrangler.jsonc has no Worker name");
  log(`Worker ${config.name}`);

  log(checkAccess(secretNames(cwd), options, config.name));
  const resources = resolveResources(config, cwd, log);
  const others = companions(config, cwd);
  const file = join(cwd, DEPLOY_CONFIG);
  writeFileSync(
    file,
    `${JSON.stringify(
      deployConfig(
        config,
        resources,
        options,
        others.map((other) => other.name),
      ),
      null,
      2,
    )}\n`,
  );
  try {
    for (const database of resources.databases) {
      log(`applying D1 migrations to ${database.database_name} (${database.binding})`);
      step(
        ["d1", "migrations", "apply", database.binding, "--remote", "-c", DEPLOY_CONFIG],
        cwd,
        `applying the D1 migrations of ${database.binding}; the Worker was not deployed`,
      );
    }
    for (const other of others) {
      if (options.withoutExample) {
        log(`not deploying ${other.name} (--without-example): its binding is left out`);
        continue;
      }
      log(`deploying ${other.name} (${other.file})`);
      step(["deploy", "-c", other.file], cwd, `deploying ${other.name}`);
    }
    log(`deploying ${config.name}`);
    step(["deploy", "-c", DEPLOY_CONFIG], cwd, `deploying ${config.name}`);
  } finally {
    rmSync(file, { force: true });
  }
  log("done");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    deploy(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof DeployError)) throw error;
    console.error(`deploy: ${error.message}`);
    process.exitCode = 1;
  }
}
