import { describe, expect, it } from "vitest";
import { parseCredentials, parseDevRoutes } from "../../src/net/gateway";

describe("gateway configuration", () => {
  it("reads dev routes, ignoring anything that is not a host → origin string", () => {
    expect(parseDevRoutes('{"a.test": "http://127.0.0.1:1", "b.test": 5}')).toEqual({ "a.test": "http://127.0.0.1:1" });
    expect(parseDevRoutes("not json")).toEqual({});
    expect(parseDevRoutes(undefined)).toEqual({});
  });

  it("reads credentials by lower-cased host, keeping only string headers", () => {
    expect(parseCredentials('{"API.Example.com": {"authorization": "Bearer x", "x-n": 1}, "bad": "y"}')).toEqual({
      "api.example.com": { authorization: "Bearer x" },
      bad: {},
    });
    expect(parseCredentials("[1]")).toEqual({});
  });
});
