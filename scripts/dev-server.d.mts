export const WORKERD_V8_FLAGS: string[];
export function devEnvironment(extra?: Record<string, string>): NodeJS.ProcessEnv;
export const CONFIGS: string[];
export function wranglerDevArgs(args?: string[], configs?: string[]): string[];
export function applyMigrations(options?: { persistTo?: string; stdio?: "pipe" | "inherit" }): void;
export function freePort(): Promise<number>;
export interface DevServer {
  url: string;
  port: number;
  child: import("node:child_process").ChildProcess;
  stop(): Promise<void>;
}
export function startDevServer(options?: {
  port?: number;
  args?: string[];
  env?: Record<string, string>;
  output?: (text: string) => void;
  timeoutMs?: number;
  persistTo?: string;
  configs?: string[];
}): Promise<DevServer>;
