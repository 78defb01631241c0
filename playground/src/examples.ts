/**
 * The examples menu. Each one runs as written against a local service (`npm start`); the error
 * example throws on a known line so the editor marks it.
 */

import type { Language } from "./api";

export interface Example {
  title: string;
  code: string;
  language: Language;
  args: unknown;
  timeoutMs?: number;
}

export const EXAMPLES: Example[] = [
  {
    title: "Hello world",
    language: "typescript",
    args: { name: "world" },
    code: `const name: string = args.name;
console.log("greeting", name);
return \`Hello, \${name}!\`;
`,
  },
  {
    title: "Key-value storage ($.kv)",
    language: "typescript",
    args: { key: "visits" },
    code: `// Counts visits in KV, scoped to your tenant.
const count = Number((await $.kv.get(args.key)) ?? 0) + 1;
await $.kv.put(args.key, String(count));
return { key: args.key, count };
`,
  },
  {
    title: "Documents ($.db)",
    language: "typescript",
    args: { city: "Paris" },
    code: `// Stores two documents, then lists the ones in args.city.
await $.db.put("people", "ada", { name: "Ada", city: "London" });
await $.db.put("people", "marie", { name: "Marie", city: "Paris" });
const found = await $.db.list("people", { where: { city: args.city } });
return found.map((entry) => entry.doc);
`,
  },
  {
    title: "An error (line 4)",
    language: "typescript",
    args: { items: [1, 2] },
    code: `function total(items: number[]): number {
  const sum = items.reduce((a, b) => a + b, 0);
  if (sum < 10) {
    throw new RangeError(\`total \${sum} is below 10\`);
  }
  return sum;
}
return total(args.items);
`,
  },
  {
    title: "A timeout (300 ms)",
    language: "javascript",
    args: null,
    timeoutMs: 300,
    code: `// Never ends: the service stops it at timeoutMs.
let spins = 0;
while (true) spins++;
`,
  },
  {
    title: "Logging over 2 seconds",
    language: "typescript",
    args: { steps: 4 },
    code: `// Logs arrive in the output panel while the run goes on.
for (let step = 1; step <= args.steps; step++) {
  console.log(\`step \${step} of \${args.steps}\`);
  if (step === 3) console.warn("halfway there");
  await new Promise((resolve) => setTimeout(resolve, 500));
}
return "done";
`,
  },
];
