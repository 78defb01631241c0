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
  const groups = ipv6Groups(address.toLowerCase());
  if (!groups) return true; // not an address URL parsing would produce: refuse rather than guess
  const [first = 0, second = 0] = groups;
  return (
    // 0::/8, reserved: the unspecified and loopback addresses, and every form that embeds an IPv4
    // address (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, translated ::ffff:0:a.b.c.d, NAT64's
    // 64:ff9b::/96), which could otherwise reach 127.0.0.1 or a private network.
    first <= 0x00ff ||
    first === 0x0100 || // discard-only 100::/64
    (first === 0x2001 && second === 0) || // Teredo, which embeds an IPv4 address
    first === 0x2002 || // 6to4, likewise
    (first & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (first & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (first & 0xff00) === 0xff00 // multicast
  );
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part counts as two). */
function ipv6Groups(text: string): number[] | undefined {
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  let body = text;
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    body = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = body.split("::");
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined) => (part ? part.split(":").map((group) => Number.parseInt(group, 16)) : []);
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return undefined;
  const groups = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : undefined;
}
