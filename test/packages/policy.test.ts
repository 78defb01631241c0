import { describe, expect, it } from "vitest";
import { parsePackagePolicy, refusal } from "../../src/packages/policy";

describe("the package policy", () => {
  it("fetches nothing by default when keys are configured, anything without keys", () => {
    expect(parsePackagePolicy(undefined, true)).toEqual({ type: "none" });
    expect(parsePackagePolicy("", false)).toEqual({ type: "any" });
    expect(parsePackagePolicy("any", true)).toEqual({ type: "any" });
  });

  it("names the policy when it refuses", () => {
    expect(refusal({ type: "none" }, "acme", "left-pad")).toBe(
      'Package "left-pad" is not in the service\'s ready set and may not be fetched from the registry: the operator\'s package policy (NPM_POLICY) is "none".',
    );
    expect(refusal({ type: "any" }, "acme", "left-pad")).toBeUndefined();
  });

  it("allows per tenant, with scopes and a list for every tenant", () => {
    const policy = parsePackagePolicy('{"acme": ["left-pad", "@acme/*"], "*": ["is-odd"]}', true);
    expect(refusal(policy, "acme", "left-pad")).toBeUndefined();
    expect(refusal(policy, "acme", "@acme/tools")).toBeUndefined();
    expect(refusal(policy, "beta", "is-odd")).toBeUndefined();
    expect(refusal(policy, "beta", "left-pad")).toBe(
      'Package "left-pad" is not in the service\'s ready set and may not be fetched from the registry: the operator\'s package policy (NPM_POLICY) allows tenant "beta" only: is-odd.',
    );
    expect(refusal(parsePackagePolicy('{"acme": ["*"]}', true), "acme", "anything")).toBeUndefined();
    expect(refusal(parsePackagePolicy('{"acme": ["*"]}', true), "beta", "x")).toMatch(/allows tenant "beta" none\.$/);
  });

  it("fetches nothing when the variable cannot be read", () => {
    expect(parsePackagePolicy("{not json", false)).toEqual({ type: "none" });
    expect(parsePackagePolicy('["left-pad"]', false)).toEqual({ type: "none" });
  });
});
