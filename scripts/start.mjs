#!/usr/bin/env node
// `npm start [-- --port N]`: applies the D1 migrations, then serves the service (and the example
// service of the runtime manifest) with wrangler dev on 127.0.0.1:8787 (or port N), with the local
// hardening flags of scripts/dev-server.mjs. The prelude is built by wrangler's build step.

import { spawn } from "node:child_process";
import { applyMigrations, devEnvironment, wranglerDevArgs } from "./dev-server.mjs";

const args = process.argv.slice(2);
const persistAt = args.indexOf("--persist-to");
applyMigrations({ persistTo: persistAt === -1 ? undefined : args[persistAt + 1], stdio: "inherit" });

const child = spawn(process.execPath, wranglerDevArgs(args), { stdio: "inherit", env: devEnvironment() });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
