/**
 * The type checker's isolate: the host loads this module (with the TypeScript compiler and its
 * library files bundled in) through the Worker Loader once, and calls `check` over RPC. It has no
 * bindings and no network.
 */

import { WorkerEntrypoint } from "cloudflare:workers";
import { TypeChecker, type TypeDiagnostic } from "./check";
import { LIBRARIES } from "./libraries";

let checker: TypeChecker | undefined;
let types = "";

export default class TypeCheckerEntrypoint extends WorkerEntrypoint {
  check(code: string, runtimeTypes: string): TypeDiagnostic[] {
    if (!checker || types !== runtimeTypes) {
      checker = new TypeChecker(LIBRARIES, runtimeTypes);
      types = runtimeTypes;
    }
    return checker.check(code);
  }
}
