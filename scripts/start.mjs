#!/usr/bin/env node
// `npm start [-- --port N]`: builds the prelude and serves the service with wrangler dev on
// 127.0.0.1:8787 (or port N), with the local hardening flags of scripts/dev-server.mjs.

import { spawn } from "node:child_process";
import { devEnvironment, wranglerDevArgs } from "./dev-server.mjs";

const child = spawn(process.execPath, wranglerDevArgs(process.argv.slice(2)), {
  stdio: "inherit",
  env: devEnvironment(),
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
