import { describe, expect, it } from "vitest";
import { isInternalHost, refusal } from "../../src/net/policy";

describe("refusal", () => {
  const allow = ["api.example.com", "files.example.com:8443"];

  it.each([
    "https://api.example.com/v1",
    "http://api.example.com",
    "https://API.Example.com/x",
    "https://files.example.com:8443/a",
  ])("lets %s through", (url) => {
    expect(refusal(new URL(url), allow)).toBeUndefined();
  });

  it.each([
    [
      "https://evil.example.com/",
      "evil.example.com is not in this run's network.allow list (api.example.com, files.example.com:8443)",
    ],
    [
      "https://api.example.com:444/",
      "api.example.com:444 is not in this run's network.allow list (api.example.com, files.example.com:8443)",
    ],
    [
      "https://files.example.com/",
      "files.example.com is not in this run's network.allow list (api.example.com, files.example.com:8443)",
    ],
    ["ftp://api.example.com/", "only http and https URLs can be fetched, got ftp:"],
    ["http://127.0.0.1:8787/health", "127.0.0.1:8787 is a loopback, private or link-local address"],
    ["http://169.254.169.254/latest/meta-data", "169.254.169.254 is a loopback, private or link-local address"],
    ["http://2130706433/", "127.0.0.1 is a loopback, private or link-local address"],
    ["http://0x7f.1/", "127.0.0.1 is a loopback, private or link-local address"],
    ["http://[::1]/", "[::1] is a loopback, private or link-local address"],
    ["http://localhost:8787/", "localhost:8787 is a loopback, private or link-local address"],
  ])("refuses %s", (url, reason) => {
    expect(refusal(new URL(url), allow)).toBe(reason);
  });

  it("refuses an internal address even when the allow list names it", () => {
    expect(refusal(new URL("http://10.0.0.5/"), ["10.0.0.5"])).toBe(
      "10.0.0.5 is a loopback, private or link-local address",
    );
  });
});

describe("isInternalHost", () => {
  it.each([
    "localhost",
    "app.localhost",
    "metadata.google.internal",
    "0.0.0.0",
    "10.1.2.3",
    "100.64.0.1",
    "127.0.0.1",
    "169.254.169.254",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "224.0.0.1",
    "[::]",
    "[::1]",
    "[fc00::1]",
    "[fd12:3456::1]",
    "[fe80::1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[64:ff9b::a00:1]",
    "[::127.0.0.1]",
    "[::7f00:1]",
    "[::ffff:0:7f00:1]",
    "[::ffff:0:127.0.0.1]",
    "[0:0:0:0:0:0:0:1]",
    "[100::1]",
    "[2001:0:4136:e378:8000:63bf:3fff:fdd2]",
    "[2002:c0a8:101::1]",
    "[ff02::1]",
    "[not:an::address::]",
  ])("treats %s as internal", (host) => {
    expect(isInternalHost(host)).toBe(true);
  });

  it.each(["[::127.0.0.1]", "[::ffff:0:127.0.0.1]", "[0::ffff:10.0.0.1]"])(
    "refuses %s after URL parsing normalises it",
    (host) => {
      const url = new URL(`http://${host}/`);
      expect(refusal(url, [url.host])).toMatch(/loopback, private or link-local/);
    },
  );

  it.each([
    "example.com",
    "8.8.8.8",
    "172.32.0.1",
    "100.128.0.1",
    "[2606:4700::1111]",
    "[2a00:1450:4001:80b::200e]",
    "1.1.1.1",
  ])("treats %s as public", (host) => {
    expect(isInternalHost(host)).toBe(false);
  });
});
