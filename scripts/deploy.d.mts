export const DEV_ONLY_VARS: string[];
export const DEPLOY_CONFIG: string;
export function parseArgs(argv: string[]): { allowAnonymous: boolean; withoutExample: boolean; help: boolean };
// biome-ignore lint/suspicious/noExplicitAny: wrangler.jsonc is any JSON; callers index what they need.
export function parseJsonc(text: string): any;
export function resourceName(worker: string, binding: string): string;
export function parseJsonList(stdout: string): unknown[];
export interface Resources {
  // biome-ignore lint/suspicious/noExplicitAny: wrangler.jsonc binding entries
  databases: any[];
  // biome-ignore lint/suspicious/noExplicitAny: wrangler.jsonc binding entries
  namespaces: any[];
}
export function deployConfig(
  // biome-ignore lint/suspicious/noExplicitAny: wrangler.jsonc
  config: any,
  resources: Resources,
  options: { allowAnonymous: boolean; withoutExample: boolean },
  skipped?: string[],
  // biome-ignore lint/suspicious/noExplicitAny: wrangler.jsonc
): any;
export function checkAccess(
  secrets: string[] | undefined,
  options: { allowAnonymous: boolean },
  worker: string,
): string;
export function deploy(argv: string[], options?: { cwd?: string; log?: (line: string) => void }): void;
