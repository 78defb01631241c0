// The workerd processes of a service started by scripts/dev-server.mjs, found among the
// descendants of its wrangler process through /proc (Linux only). Used to sum their memory, and to
// notice a reload: wrangler dev rebuilds when a source file changes and then replaces the runtime
// process, so a new pid means the figures after it measure another build, with empty caches.

import { readdirSync, readFileSync } from "node:fs";

/**
 * The workerd processes under `rootPid`: `[{ pid, role, rssKiB }]`. `role` is "proxy" for the one
 * listening on the service's `port` (wrangler's entry proxy) and "runtime" for the others (the
 * Workers themselves, the sandboxes included).
 */
export function workerdProcesses(rootPid, port) {
  return descendants(rootPid)
    .map((pid) => processStatus(pid, port))
    .filter((p) => p?.name === "workerd")
    .map(({ pid, role, rssKiB }) => ({ pid, role, rssKiB }));
}

/** Pids of `processes` as one comparable string ("" when there are none). */
export function pidsOf(processes) {
  return processes
    .map((p) => p.pid)
    .sort((a, b) => a - b)
    .join(",");
}

/**
 * Remembers the service's workerd pids; `check(phase)` compares them with the current ones and
 * records a reload (`{ phase, from, to }`) when they differ, calling `onReload(reload)`.
 * `reloads` lists every one seen.
 */
export function reloadWatch(rootPid, port, onReload = () => {}) {
  let pids = pidsOf(workerdProcesses(rootPid, port));
  const reloads = [];
  return {
    reloads,
    check(phase) {
      const now = pidsOf(workerdProcesses(rootPid, port));
      if (now === pids) return false;
      const reload = { phase, from: pids, to: now };
      reloads.push(reload);
      pids = now;
      onReload(reload);
      return true;
    },
  };
}

/** Every descendant of `rootPid`, from each process's parent in /proc/<pid>/stat. */
function descendants(rootPid) {
  const children = new Map();
  let entries;
  try {
    entries = readdirSync("/proc");
  } catch {
    return []; // not Linux: no processes to follow
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // ended meanwhile
    }
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so parse after the last ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const found = [];
  const walk = (pid) => {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(rootPid);
  return found;
}

function processStatus(pid, port) {
  let status;
  let commandLine;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
    commandLine = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return undefined; // ended meanwhile
  }
  const name = /^Name:\s*(.*)$/m.exec(status)?.[1];
  const rssKiB = Number(/^VmRSS:\s*(\d+) kB$/m.exec(status)?.[1] ?? 0);
  const role = commandLine.includes(`=127.0.0.1:${port}\0`) ? "proxy" : "runtime";
  return { pid, name, role, rssKiB };
}
