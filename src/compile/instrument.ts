/**
 * Stage 6a: put a fuel check on every back-edge: the top of every loop body and the entry of
 * every function (recursion and callbacks are back-edges too). A check costs an increment and a
 * compare; every `FUEL_SLICE` checks it calls the run's `tick`, which enforces the deadline and the
 * work budget. Without this, one `while (true) {}` would hang the local workerd process for ever.
 *
 * `tick` returning normally resets the counter; when the run is over it throws, and since the
 * counter is then left above the slice, every later check throws again at once: code that catches
 * the timeout cannot keep looping.
 */

import type { Node, Program, Statement } from "acorn";
import { simple } from "acorn-walk";
import { FUEL_SLICE } from "../../shared/protocol";
import type { Edit } from "./emit";
import type { GeneratedNames } from "./names";

type Loop = Node & { body: Statement };
type FunctionNode = Node & { body: Node; expression?: boolean };

export function instrumentEdits(program: Program, names: GeneratedNames): Edit[] {
  const check = `if (++${names.fuel} > ${FUEL_SLICE}) ${names.fuel} = ${names.tick}();`;
  const checkExpression = `++${names.fuel} > ${FUEL_SLICE} && (${names.fuel} = ${names.tick}())`;
  const edits: Edit[] = [];

  const loop = (node: Loop) => {
    const body = node.body;
    if (body.type === "BlockStatement") {
      edits.push({ type: "insert", at: body.start + 1, text: check });
    } else {
      edits.push({ type: "insert", at: body.start, text: `{${check} ` });
      edits.push({ type: "insert", at: body.end, text: "}" });
    }
  };
  const enter = (node: FunctionNode) => {
    const body = node.body;
    if (body.type === "BlockStatement") {
      edits.push({ type: "insert", at: body.start + 1, text: check });
    } else {
      edits.push({ type: "insert", at: body.start, text: `(${checkExpression}, ` });
      edits.push({ type: "insert", at: body.end, text: ")" });
    }
  };

  simple(program, {
    WhileStatement: loop,
    DoWhileStatement: loop,
    ForStatement: loop,
    ForInStatement: loop,
    ForOfStatement: loop,
    FunctionDeclaration: enter,
    FunctionExpression: enter,
    ArrowFunctionExpression: enter,
  });
  return edits;
}
