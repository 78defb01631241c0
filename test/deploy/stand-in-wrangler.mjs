#!/usr/bin/env node
// A stand-in for `wrangler` in the deploy script's tests: it keeps a pretend Cloudflare account in
// a JSON file (STAND_IN_STATE), appends every command it is given to STAND_IN_LOG, and answers the
// commands scripts/deploy.mjs uses as wrangler 4.164 does: the same output on the same stream,
// the same exit codes, the same errors (texts taken from real runs against a stand-in API).
// Anything else exits 2, so a test fails when the script runs a command nobody checked.

import { appendFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseJsonc } from "../../scripts/deploy.mjs";

const statePath = process.env.STAND_IN_STATE;
const state = JSON.parse(readFileSync(statePath, "utf8"));
const argv = process.argv.slice(2);

const configAt = argv.indexOf("-c");
const configFile = resolve(configAt === -1 ? "wrangler.jsonc" : argv[configAt + 1]);
const config = parseJsonc(readFileSync(configFile, "utf8"));
const args = configAt === -1 ? argv : [...argv.slice(0, configAt), ...argv.slice(configAt + 2)];
appendFileSync(process.env.STAND_IN_LOG, `${JSON.stringify({ args, config })}\n`);

const BANNER = "\n ⛅️ wrangler 4.164.0\n────────────────────\n";

function fail(message, code = 1) {
  process.stderr.write(
    `\u001b[31m✘ \u001b[41;31m[\u001b[41;97mERROR\u001b[41;31m]\u001b[0m \u001b[1m${message}\u001b[0m\n\n`,
  );
  process.exit(code);
}

function save() {
  writeFileSync(statePath, JSON.stringify(state, null, 2));
}

function requireAuth() {
  if (state.loggedIn) return;
  fail(
    "In a non-interactive environment, it's necessary to set a CLOUDFLARE_API_TOKEN environment variable for wrangler to work. Please go to https://developers.cloudflare.com/fundamentals/api/get-started/create-token/ for instructions on how to create an api token, and assign its value to CLOUDFLARE_API_TOKEN.",
  );
}

function apiError(path, message, code) {
  fail(
    `A request to the Cloudflare API (${path}) failed.\u001b[0m\n\n  ${message} [code: ${code}]\n  \n  If you think this is a bug, please open an issue at: https://github.com/cloudflare/workers-sdk/issues/new/choose`,
  );
}

let counter = state.counter ?? 0;
function newId(length) {
  counter++;
  state.counter = counter;
  return counter.toString(16).padStart(length, "0");
}

const handlers = {
  "secret list"() {
    requireAuth();
    if (state.networkDown) apiError(`/accounts/acc/workers/scripts/${config.name}/secrets`, "fetch failed", 0);
    const worker = state.workers[config.name];
    if (!worker) {
      fail(
        `Worker "${config.name}" not found.\u001b[0m\n\n  \n  If this is a new Worker, run \`wrangler deploy\` first to create it.\n  Otherwise, check that the Worker name is correct and you're logged into the right account.`,
      );
    }
    const secrets = worker.secrets.map((name) => ({ name, type: "secret_text" }));
    process.stdout.write(`${JSON.stringify(secrets, null, "  ")}\n`);
  },
  "d1 list"() {
    requireAuth();
    const list = state.d1.map(({ uuid, name }) => ({
      uuid,
      name,
      created_at: "2026-12-01T00:00:00.000Z",
      version: "production",
      num_tables: 0,
      file_size: 12288,
    }));
    process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
  },
  "d1 create"() {
    requireAuth();
    const name = args[2];
    if (state.d1.some((db) => db.name === name))
      apiError("/accounts/acc/d1/database", "A database with that name already exists", 7502);
    const uuid = `${newId(8)}-0000-4000-8000-000000000000`;
    state.d1.push({ uuid, name, applied: [] });
    save();
    process.stdout.write(
      `${BANNER}✅ Successfully created DB '${name}' in region WEUR\nCreated your new D1 database.\n\nTo access your new D1 Database in your Worker, add the following snippet to your configuration file:\n${JSON.stringify({ d1_databases: [{ binding: name.replaceAll("-", "_"), database_name: name, database_id: uuid }] }, null, 2)}\n? Would you like Wrangler to add it on your behalf?\n🤖 Using fallback value in non-interactive context: no\n`,
    );
  },
  "kv namespace list"() {
    requireAuth();
    const list = [...state.kv]
      .sort((a, b) => a.title.localeCompare(b.title))
      .map(({ id, title }) => ({ id, title, supports_url_encoding: true }));
    process.stdout.write(`${JSON.stringify(list, null, "  ")}\n`);
  },
  "kv namespace create"() {
    requireAuth();
    const title = args[3];
    if (state.kv.some((ns) => ns.title === title)) {
      fail(
        `A KV namespace with the title "${title}" already exists.\n  You can list existing namespaces with their IDs by running:\n    wrangler kv namespace list\n  Or choose a different namespace name.`,
      );
    }
    const id = newId(32);
    state.kv.push({ id, title });
    save();
    process.stdout.write(
      `${BANNER}Resource location: remote \n\n🌀 Creating namespace with title "${title}"\n✨ Success!\nTo access your new KV Namespace in your Worker, add the following snippet to your configuration file:\n${JSON.stringify({ kv_namespaces: [{ binding: title.replaceAll("-", "_"), id }] }, null, 2)}\n? Would you like Wrangler to add it on your behalf?\n🤖 Using fallback value in non-interactive context: no\n`,
    );
  },
  "d1 migrations apply"() {
    requireAuth();
    const binding = config.d1_databases?.find((db) => db.binding === args[3] || db.database_name === args[3]);
    if (!binding) fail(`Couldn't find a D1 DB with the name or binding '${args[3]}' in your wrangler.jsonc file.`);
    if (!args.includes("--remote")) fail("stand-in wrangler: only --remote is stood in for", 2);
    const db = state.d1.find((candidate) => candidate.uuid === binding.database_id);
    if (!db)
      apiError(`/accounts/acc/d1/database/${binding.database_id}/query`, "The database could not be found.", 7404);
    const dir = join(dirname(configFile), binding.migrations_dir ?? "migrations");
    const pending = readdirSync(dir)
      .filter((file) => file.endsWith(".sql") && !db.applied.includes(file))
      .sort();
    process.stdout.write(`${BANNER}Resource location: remote \n\n`);
    if (pending.length === 0) {
      process.stdout.write("✅ No migrations to apply!\n");
      return;
    }
    process.stdout.write(`Migrations to be applied:\n${pending.map((name) => `│ ${name} │`).join("\n")}\n`);
    process.stdout.write(
      `? About to apply ${pending.length} migration(s)\nYour database may not be available to serve requests during the migration, continue?\n🤖 Using fallback value in non-interactive context: yes\n`,
    );
    for (const name of pending) {
      process.stdout.write(`🌀 Executing on remote database ${binding.binding} (${db.uuid}):\n`);
      if (name === state.failMigration) {
        save();
        apiError(
          `/accounts/acc/d1/database/${db.uuid}/query`,
          'near "TABLEX": syntax error at offset 7: SQLITE_ERROR',
          7500,
        );
      }
      db.applied.push(name);
      process.stdout.write(`🚣 Executed 1 command in 1.00ms\n│ ${name} │ ✅ │\n`);
    }
    save();
  },
  deploy() {
    requireAuth();
    const path = `/accounts/acc/workers/scripts/${config.name}`;
    for (const namespace of config.kv_namespaces ?? []) {
      if (!namespace.id)
        fail(`${namespace.binding} bindings must have an "id" field (the stand-in does not provision)`);
      if (!state.kv.some((ns) => ns.id === namespace.id))
        apiError(path, `KV namespace '${namespace.id}' is not valid.`, 10041);
    }
    for (const database of config.d1_databases ?? []) {
      if (!state.d1.some((db) => db.uuid === database.database_id))
        apiError(path, `D1 database '${database.database_id}' not found.`, 10181);
    }
    for (const service of config.services ?? []) {
      if (!state.workers[service.service]?.deployed) {
        apiError(
          path,
          `Could not resolve service binding '${service.binding}'. Target script '${service.service}' not found.`,
          10143,
        );
      }
    }
    state.workers[config.name] ??= { secrets: [] };
    const worker = state.workers[config.name];
    worker.deployed = {
      vars: config.vars ?? {},
      kv: Object.fromEntries((config.kv_namespaces ?? []).map((ns) => [ns.binding, ns.id])),
      d1: Object.fromEntries((config.d1_databases ?? []).map((db) => [db.binding, db.database_id])),
      services: (config.services ?? []).map((service) => service.binding),
    };
    worker.deploys = (worker.deploys ?? 0) + 1;
    save();
    process.stdout.write(
      `${BANNER}Total Upload: 20715.46 KiB / gzip: 5334.29 KiB\nUploaded ${config.name} (3.21 sec)\nDeployed ${config.name} triggers (0.42 sec)\n  https://${config.name}.example.workers.dev\nCurrent Version ID: ${newId(8)}-0000-4000-8000-000000000000\n`,
    );
    save();
  },
};

const command = Object.keys(handlers).find((name) => args.slice(0, name.split(" ").length).join(" ") === name);
const handler = command && handlers[command];
if (!handler) {
  process.stderr.write(`stand-in wrangler: no stand-in for \`wrangler ${argv.join(" ")}\`\n`);
  process.exit(2);
}
handler();
