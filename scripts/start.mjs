#!/usr/bin/env node
// `npm start [-- --port N]`: applies the D1 migrations, then serves the service (and the example
// service of the runtime manifest) with wrangler dev on 127.0.0.1:8787 (or port N), with the local
// hardening flags of scripts/dev-server.mjs. The build runs first (wrangler reads the playground's
// asset directory before its own build step), and again through wrangler's build step on changes.

import { spawn, spawnSync } from "node:child_process";
import { applyMigrations, devEnvironment, wranglerDevArgs } from "./dev-server.mjs";

const args = process.argv.slice(2);
const build = spawnSync(process.execPath, ["scripts/build-prelude.mjs"], { stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);
const persistAt = args.indexOf("--persist-to");
applyMigrations({ persistTo: persistAt === -1 ? undefined : args[persistAt + 1], stdio: "inherit" });

const child = spawn(process.execPath, wranglerDevArgs(args), { stdio: "inherit", env: devEnvironment() });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
