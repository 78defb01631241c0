/**
 * Runs the hostile-code corpus (fixtures/hostile/, format in its README): every case is posted to
 * the service and its outcome checked against the case's header, then the service must still answer
 * a benign request. Cases marked `known-failure` document a bug: they assert the current, wrong
 * behaviour under "known failures", so the suite stays green and fails, asking for the mark to be
 * removed, once the service is fixed. Cases whose current behaviour is a crash of the runtime run
 * against a private server, never the shared one.
 */

import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { type DevServer, startDevServer } from "../../scripts/dev-server.mjs";
import { baseUrl, expectHealthy } from "./client";
import {
  type Case,
  type Current,
  type Expectation,
  loadCorpus,
  mismatches,
  recordedMismatches,
  runCase,
  type StepRun,
  type Target,
} from "./corpus";

function describeExpectation({ ok, kind }: Expectation): string {
  if (ok === true) return "answers ok";
  if (ok === false && kind !== undefined) return `fails as ${Array.isArray(kind) ? kind.join(" or ") : kind}`;
  return "answers as its header says";
}

function crashes(current: Current | undefined): boolean {
  return (Array.isArray(current) ? current : [current]).some((expectation) => expectation?.crash === true);
}

const corpus = loadCorpus();
const passing = corpus.filter((item) => item.knownFailure === undefined);
const knownFailures = corpus.filter((item) => item.knownFailure !== undefined);
const crashing = knownFailures.filter((item) => crashes(item.current));
const reproducible = knownFailures.filter((item) => !crashes(item.current));

function sharedTarget(): Target {
  return { url: baseUrl(), standInOrigin: inject("standInOrigin") };
}

describe("the hostile-code corpus", () => {
  afterEach(async () => {
    await expectHealthy();
  });

  it("holds at least 60 cases, each with an outcome to check", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
  });

  it.each(passing.map((item) => [item.label, describeExpectation(item.expect), item] as const))(
    "%s %s",
    async (_label, _what, item) => {
      for (const run of await runCase(item, sharedTarget())) {
        expect(mismatches(run.expect, run.observation, run.timeoutMs, "expected"), run.step).toEqual([]);
      }
    },
  );
});

/**
 * A known failure still reproduces when some step misses its expectation while every step does
 * what was recorded as its current behaviour. When this fails because the expectation is now met,
 * the bug is fixed: remove the case's `known-failure` and `current` lines.
 */
function expectStillFailing(item: Case, runs: StepRun[]): void {
  const unmet = runs.flatMap((run) => mismatches(run.expect, run.observation, run.timeoutMs, "expected"));
  expect(unmet.length, `${item.label} now meets its expectation: remove its known-failure mark`).toBeGreaterThan(0);
  for (const run of runs) expect(recordedMismatches(run.current, run.observation, run.timeoutMs), run.step).toEqual([]);
}

describe("known failures (they assert today's behaviour; see fixtures/hostile/README.md)", () => {
  describe("on the shared server", () => {
    afterEach(async () => {
      await expectHealthy();
    });

    it.each(reproducible.map((item) => [item.label, item] as const))(
      "%s still fails as recorded",
      async (_label, item) => {
        expectStillFailing(item, await runCase(item, sharedTarget()));
      },
    );
  });

  describe("on a private server, because they crash the runtime", () => {
    let server: DevServer | undefined;

    async function privateTarget(): Promise<Target> {
      server ??= await startDevServer();
      return { url: server.url, standInOrigin: inject("standInOrigin") };
    }

    /** After a crash wrangler restarts workerd; if it does not come back, the next case starts afresh. */
    async function recover(): Promise<void> {
      if (!server) return;
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const health = await fetch(`${server.url}/health`).catch(() => undefined);
        if (health?.ok) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await server.stop();
      server = undefined;
    }

    afterAll(async () => {
      await server?.stop();
    });

    afterEach(async () => {
      await expectHealthy();
    });

    it.each(crashing.map((item) => [item.label, item] as const))(
      "%s still fails as recorded, on a private server",
      async (_label, item) => {
        try {
          expectStillFailing(item, await runCase(item, await privateTarget()));
        } finally {
          await recover();
        }
      },
      120_000,
    );
  });
});
