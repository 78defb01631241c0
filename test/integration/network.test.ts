/** The `network` policy: no network by default; exactly the allowed hosts otherwise. */

import { describe, expect, inject, it } from "vitest";
import { errorOf, resultOf } from "./client";

const allow = { network: { allow: ["api.example.test"] } };

describe("network policy", () => {
  it("blocks fetch entirely by default", async () => {
    const error = await errorOf("return (await fetch('http://api.example.test/echo')).status");
    expect(error.message).toContain("not permitted to access the internet");
  });

  it("lets an allowed host through", async () => {
    const result = await resultOf(
      "const r = await fetch('http://api.example.test/echo?x=1'); return [r.status, (await r.json()).path]",
      allow,
    );
    expect(result).toEqual([200, "/echo?x=1"]);
  });

  it("sends the method, headers and body the snippet set", async () => {
    const result = await resultOf(
      "const r = await fetch('http://api.example.test/echo', { method: 'POST', headers: { 'x-test': 'yes' }, body: 'hi' });\nconst echo = await r.json();\nreturn [echo.method, echo.headers['x-test']]",
      allow,
    );
    expect(result).toEqual(["POST", "yes"]);
  });

  it("refuses a host that is not allowed, naming it", async () => {
    const error = await errorOf("await fetch('http://other.example.test/echo')", allow);
    expect(error).toMatchObject({
      kind: "runtime",
      name: "NetworkRefusedError",
      message:
        'fetch("http://other.example.test/echo") was refused: other.example.test is not in this run\'s network.allow list (api.example.test).',
    });
  });

  it("follows a redirect to an allowed host", async () => {
    const to = encodeURIComponent("http://api.example.test/echo?after=redirect");
    const result = await resultOf(
      `return (await (await fetch('http://api.example.test/redirect?to=${to}')).json()).path`,
      allow,
    );
    expect(result).toBe("/echo?after=redirect");
  });

  it("refuses a redirect to a host that is not allowed", async () => {
    const to = encodeURIComponent("http://other.example.test/echo");
    const error = await errorOf(`await fetch('http://api.example.test/redirect?to=${to}')`, allow);
    expect(error.message).toContain("other.example.test is not in this run's network.allow list");
  });

  it("refuses a redirect into a loopback address", async () => {
    const to = encodeURIComponent(`${inject("standInOrigin")}/echo`);
    const error = await errorOf(`await fetch('http://api.example.test/redirect?to=${to}')`, allow);
    expect(error.message).toContain("is a loopback, private or link-local address");
  });

  it("refuses the cloud metadata address however it is written", async () => {
    for (const url of ["http://169.254.169.254/", "http://[::ffff:169.254.169.254]/", "http://2852039166/"]) {
      const error = await errorOf(`await fetch(${JSON.stringify(url)})`, { network: { allow: ["169.254.169.254"] } });
      expect(error.message).toContain("loopback, private or link-local");
    }
  });

  it("refuses schemes other than http and https", async () => {
    const error = await errorOf("await fetch('ftp://api.example.test/file')", allow);
    expect(error.kind).toBe("runtime");
  });

  it("returns a redirect untouched when the snippet asked for manual redirects", async () => {
    const to = encodeURIComponent("http://other.example.test/");
    const result = await resultOf(
      `const r = await fetch('http://api.example.test/redirect?to=${to}', { redirect: 'manual' }); return [r.status, r.headers.get('location')]`,
      allow,
    );
    expect(result).toEqual([302, "http://other.example.test/"]);
  });
});
