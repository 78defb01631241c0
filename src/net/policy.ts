/**
 * Which destinations a sandbox's `fetch` may reach: exactly the hosts its request allowed, over
 * http(s), and never a loopback, private, link-local or otherwise internal address, whatever the
 * allow list says (so `169.254.169.254` or `127.0.0.1:8787`, the service itself, stay out of reach).
 */

/** Why `url` is refused, or `undefined` when it may be fetched. */
export function refusal(url: URL, allow: readonly string[]): string | undefined {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `only http and https URLs can be fetched, got ${url.protocol}`;
  }
  const hostname = url.hostname.toLowerCase();
  if (isInternalHost(hostname)) return `${url.host} is a loopback, private or link-local address`;
  if (!isAllowed(url, allow)) {
    return `${url.host} is not in this run's network.allow list (${allow.join(", ") || "empty"})`;
  }
  return undefined;
}

function isAllowed(url: URL, allow: readonly string[]): boolean {
  const host = url.host.toLowerCase();
  const hostname = url.hostname.toLowerCase();
  // An entry without a port allows the scheme's default port only.
  return allow.some((entry) => entry === host || (entry === hostname && url.port === ""));
}

export function isInternalHost(hostname: string): boolean {
  if (hostname === "localhost" || hostname.endsWith(".localhost") || hostname.endsWith(".internal")) return true;
  const ipv4 = parseIpv4(hostname);
  if (ipv4) return isInternalIpv4(ipv4);
  if (hostname.startsWith("[") && hostname.endsWith("]")) return isInternalIpv6(hostname.slice(1, -1));
  return false;
}

function parseIpv4(hostname: string): number[] | undefined {
  // URL parsing has already normalised decimal, octal and hex forms (http://2130706433/) to dotted quads.
  const parts = hostname.split(".");
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part))) return undefined;
  const bytes = parts.map(Number);
  return bytes.every((byte) => byte <= 255) ? bytes : undefined;
}

function isInternalIpv4([a = 0, b = 0]: number[]): boolean {
  return (
    a === 0 || // "this network"
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) ||
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    a >= 224 // multicast and reserved
  );
}

function isInternalIpv6(address: string): boolean {
  const text = address.toLowerCase();
  if (text === "::" || text === "::1") return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(text) ?? /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(text);
  if (mapped) {
    if (mapped.length === 2) return isInternalIpv4((mapped[1] ?? "").split(".").map(Number));
    const high = Number.parseInt(mapped[1] ?? "0", 16);
    const low = Number.parseInt(mapped[2] ?? "0", 16);
    return isInternalIpv4([high >> 8, high & 255, low >> 8, low & 255]);
  }
  const first = Number.parseInt(text.split(":")[0] || "0", 16);
  return (
    (first & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (first & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (first & 0xff00) === 0xff00 || // multicast
    text.startsWith("64:ff9b:") || // NAT64, which can embed any IPv4 address
    text.startsWith("2002:") // 6to4, likewise
  );
}
