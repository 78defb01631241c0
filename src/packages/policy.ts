/**
 * The operator's policy on registry packages (the `NPM_POLICY` variable): which tenants may have
 * which packages fetched. The ready set is always importable; this decides only what comes from the
 * registry. A package's dependencies come with it.
 *   "none"                      nothing is fetched (the default when API keys are configured)
 *   "any"                       anything is (the default without keys: local development)
 *   {"acme": ["left-pad", "@acme/*"], "*": ["is-odd"]}   per tenant; "*" in a list allows any package,
 *                               the "*" tenant applies to every tenant
 */

export type PackagePolicy = { type: "none" } | { type: "any" } | { type: "tenants"; allow: Record<string, string[]> };

export const POLICY_VARIABLE = "NPM_POLICY";

/** The policy from the variable's text; without one, "none" when keys are configured, else "any". */
export function parsePackagePolicy(text: string | undefined, keysConfigured: boolean): PackagePolicy {
  const trimmed = text?.trim();
  if (!trimmed) return keysConfigured ? { type: "none" } : { type: "any" };
  if (trimmed === "none" || trimmed === "any") return { type: trimmed };
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    console.error(`${POLICY_VARIABLE} is neither "none", "any" nor JSON; fetching nothing`);
    return { type: "none" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    console.error(`${POLICY_VARIABLE} must map tenants to lists of packages; fetching nothing`);
    return { type: "none" };
  }
  const allow: Record<string, string[]> = {};
  for (const [tenant, list] of Object.entries(parsed)) {
    if (Array.isArray(list)) allow[tenant] = list.filter((name): name is string => typeof name === "string");
  }
  return { type: "tenants", allow };
}

/** Why `tenant` may not have `name` fetched, naming the policy; undefined when it may. */
export function refusal(policy: PackagePolicy, tenant: string, name: string): string | undefined {
  if (policy.type === "any") return undefined;
  const why = `Package "${name}" is not in the service's ready set and may not be fetched from the registry`;
  if (policy.type === "none") {
    return `${why}: the operator's package policy (${POLICY_VARIABLE}) is "none".`;
  }
  const lists = [...(policy.allow[tenant] ?? []), ...(policy.allow["*"] ?? [])];
  if (lists.some((pattern) => matches(pattern, name))) return undefined;
  return `${why}: the operator's package policy (${POLICY_VARIABLE}) allows tenant "${tenant}" ${
    lists.length > 0 ? `only: ${lists.join(", ")}` : "none"
  }.`;
}

function matches(pattern: string, name: string): boolean {
  if (pattern === "*" || pattern === name) return true;
  return pattern.endsWith("/*") && name.startsWith(pattern.slice(0, -1));
}
