/**
 * The check every use of a unit that imports registry packages goes through, however the unit was
 * found (compiled now, in memory, in the store, or shared with a concurrent request): the caller's
 * tenant may have those packages, unpinned versions are still current, and the bundles' sources
 * are at hand for the sandbox. When that fails the unit is compiled again for this caller.
 */

import type { CompileOutcome, CompileResult } from "../compile";
import type { PackageLinker } from "./linker";

export async function preparePackages(
  linker: PackageLinker | undefined,
  outcome: CompileOutcome,
  tenant: string,
  recompile: () => Promise<CompileResult>,
): Promise<CompileOutcome> {
  const linked = outcome.ok ? outcome.unit.packages : undefined;
  if (!linker || !linked) return outcome;
  const modules = await linker.prepare(linked, tenant);
  if (modules) return { ...outcome, packageModules: modules };
  const fresh = await recompile();
  const again = fresh.ok && fresh.unit.packages ? await linker.prepare(fresh.unit.packages, tenant) : undefined;
  return {
    ...fresh,
    cached: false,
    compileMs: outcome.compileMs,
    source: outcome.source,
    ...(again && { packageModules: again }),
  };
}
