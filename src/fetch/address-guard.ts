/**
 * The SSRF guard: which IP addresses a feed fetch may connect to. Checked on the resolved
 * address at connect time (see http-fetcher's lookup hook), so DNS rebinding and redirects to
 * internal hosts are refused too.
 */
import { isIP } from 'node:net';

type V4Range = readonly [base: number, bits: number, label: string];

const ip4 = (a: number, b: number, c: number, d: number): number =>
  ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

/** Non-public IPv4 ranges (IANA special-purpose registry, RFC 6890 and successors). */
const V4_BLOCKED: readonly V4Range[] = [
  [ip4(0, 0, 0, 0), 8, 'unspecified ("this network")'],
  [ip4(10, 0, 0, 0), 8, 'private'],
  [ip4(100, 64, 0, 0), 10, 'carrier-grade NAT'],
  [ip4(127, 0, 0, 0), 8, 'loopback'],
  [ip4(169, 254, 0, 0), 16, 'link-local'],
  [ip4(172, 16, 0, 0), 12, 'private'],
  [ip4(192, 0, 0, 0), 24, 'IETF protocol assignment'],
  [ip4(192, 0, 2, 0), 24, 'documentation'],
  [ip4(192, 88, 99, 0), 24, '6to4 relay anycast'],
  [ip4(192, 168, 0, 0), 16, 'private'],
  [ip4(198, 18, 0, 0), 15, 'benchmarking'],
  [ip4(198, 51, 100, 0), 24, 'documentation'],
  [ip4(203, 0, 113, 0), 24, 'documentation'],
  [ip4(224, 0, 0, 0), 4, 'multicast'],
  [ip4(240, 0, 0, 0), 4, 'reserved'],
];

function parseV4(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    const n = Number(part);
    if (!/^\d{1,3}$/.test(part) || n > 255) return undefined;
    value = value * 256 + n;
  }
  return value >>> 0;
}

function v4Reason(value: number): string | undefined {
  for (const [base, bits, label] of V4_BLOCKED) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if ((value & mask) >>> 0 === base) return label;
  }
  return undefined;
}

/** Expands an IPv6 address (with optional embedded IPv4 tail and zone) to eight 16-bit groups. */
function parseV6(address: string): number[] | undefined {
  let text = address.replace(/^\[|\]$/g, '');
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const lastColon = text.lastIndexOf(':');
  const maybeV4 = text.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
    const v4 = parseV4(maybeV4);
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (s: string): number[] =>
    s === ''
      ? []
      : s.split(':').map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? Number.parseInt(g, 16) : Number.NaN));
  const head = toGroups(halves[0] ?? '');
  const rest = halves.length === 2 ? toGroups(halves[1] ?? '') : [];
  const fill = 8 - head.length - rest.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...rest];
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return undefined;
  return groups;
}

function v6Reason(g: number[]): string | undefined {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embedded = ((g6 << 16) | g7) >>> 0;
  const firstFiveZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (firstFiveZero && g5 === 0 && g6 === 0 && g7 === 0) return 'unspecified';
  if (firstFiveZero && g5 === 0 && g6 === 0 && g7 === 1) return 'loopback';
  // ::ffff:a.b.c.d (IPv4-mapped) and the deprecated ::a.b.c.d (IPv4-compatible): judge the IPv4.
  if (firstFiveZero && (g5 === 0xffff || g5 === 0)) {
    const reason = v4Reason(embedded);
    return reason
      ? `${reason} (IPv4-mapped)`
      : g5 === 0
        ? 'IPv4-compatible (deprecated)'
        : undefined;
  }
  // 64:ff9b::/96 NAT64 carries an IPv4 address in its last 32 bits.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    const reason = v4Reason(embedded);
    return reason ? `${reason} (NAT64)` : undefined;
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return 'local-use NAT64';
  // 2002::/16 6to4 carries an IPv4 address in bits 16..47.
  if (g0 === 0x2002) {
    const reason = v4Reason(((g1 << 16) | g2) >>> 0);
    return reason ? `${reason} (6to4)` : undefined;
  }
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return 'discard-only';
  if (g0 === 0x2001 && g1 < 0x200) return 'IETF protocol assignment (Teredo, ORCHID ...)';
  if (g0 === 0x2001 && g1 === 0xdb8) return 'documentation';
  if (g0 === 0x3fff && g1 < 0x1000) return 'documentation';
  if ((g0 & 0xfe00) === 0xfc00) return 'unique local (private)';
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local';
  if ((g0 & 0xffc0) === 0xfec0) return 'site-local (deprecated)';
  if ((g0 & 0xff00) === 0xff00) return 'multicast';
  return undefined;
}

/**
 * Why an address may not be fetched by default ('loopback', 'private' ...), or undefined when
 * it is a public unicast address. An unparsable address is refused.
 */
export function blockedAddressReason(address: string): string | undefined {
  const family = isIP(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  if (family === 4) {
    const v4 = parseV4(address);
    return v4 === undefined ? 'unparsable' : v4Reason(v4);
  }
  if (family === 6) {
    const groups = parseV6(address);
    return groups ? v6Reason(groups) : 'unparsable';
  }
  return 'not an IP address';
}

/** True when the address is a public unicast address. */
export function isPublicAddress(address: string): boolean {
  return blockedAddressReason(address) === undefined;
}
