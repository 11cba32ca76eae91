import { isIPv4, isIPv6 } from 'node:net';

/**
 * What kind of address an IP is, for the webhook rule "deliver to the public internet only".
 * Everything but `public` is refused (unless its host is allowlisted). IPv6 forms that carry an
 * IPv4 address (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by that
 * IPv4 address, so `[::ffff:127.0.0.1]` is loopback like 127.0.0.1.
 */
export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local' | 'unique-local' | 'cgnat' | 'multicast' | 'unspecified' | 'reserved';

interface Range {
  prefix: number[];
  bits: number;
  kind: Exclude<AddressClass, 'public'>;
}

const v4 = (text: string, bits: number, kind: Range['kind']): Range => ({ prefix: text.split('.').map(Number), bits, kind });

// Most specific first where ranges nest.
const IPV4_RANGES: Range[] = [
  v4('0.0.0.0', 8, 'unspecified'),
  v4('10.0.0.0', 8, 'private'),
  v4('100.64.0.0', 10, 'cgnat'),
  v4('127.0.0.0', 8, 'loopback'),
  v4('169.254.0.0', 16, 'link-local'),
  v4('172.16.0.0', 12, 'private'),
  v4('192.0.0.0', 24, 'reserved'),
  v4('192.0.2.0', 24, 'reserved'),
  v4('192.88.99.0', 24, 'reserved'),
  v4('192.168.0.0', 16, 'private'),
  v4('198.18.0.0', 15, 'reserved'),
  v4('198.51.100.0', 24, 'reserved'),
  v4('203.0.113.0', 24, 'reserved'),
  v4('224.0.0.0', 4, 'multicast'),
  v4('240.0.0.0', 4, 'reserved'),
];

const v6 = (hex: string, bits: number, kind: Range['kind']): Range => ({ prefix: [...ipv6Bytes(hex)], bits, kind });

const IPV6_RANGES: Range[] = [
  v6('::', 128, 'unspecified'),
  v6('::1', 128, 'loopback'),
  v6('fe80::', 10, 'link-local'),
  v6('fec0::', 10, 'private'),
  v6('fc00::', 7, 'unique-local'),
  v6('ff00::', 8, 'multicast'),
  v6('100::', 64, 'reserved'),
  v6('2001:db8::', 32, 'reserved'),
  // Deprecated IPv4-compatible addresses (::a.b.c.d) and the rest of ::/8.
  v6('::', 8, 'reserved'),
];

function matches(bytes: Uint8Array, range: Range): boolean {
  for (let bit = 0; bit < range.bits; bit += 8) {
    const take = Math.min(8, range.bits - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[bit / 8] ?? 0) & mask) !== ((range.prefix[bit / 8] ?? 0) & mask)) return false;
  }
  return true;
}

/** The 16 bytes of an IPv6 address (zone id ignored); throws for anything else. */
export function ipv6Bytes(text: string): Uint8Array {
  const address = text.replace(/%.*$/, '');
  if (!isIPv6(address)) throw new TypeError(`not an IPv6 address: ${text}`);
  let head = address;
  const out = new Uint8Array(16);
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted) {
    // The last 32 bits written as IPv4: turn them into two hex groups.
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    head = `${address.slice(0, -dotted[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const leftGroups = left ? left.split(':') : [];
  const rightGroups = right ? right.split(':') : [];
  const groups = right === undefined ? leftGroups : [...leftGroups, ...Array<string>(8 - leftGroups.length - rightGroups.length).fill('0'), ...rightGroups];
  groups.forEach((group, index) => {
    const value = parseInt(group, 16);
    out[index * 2] = value >> 8;
    out[index * 2 + 1] = value & 0xff;
  });
  return out;
}

function classifyIpv4Bytes(bytes: readonly number[]): AddressClass {
  const found = IPV4_RANGES.find((range) => matches(Uint8Array.from(bytes), range));
  return found ? found.kind : 'public';
}

/** The IPv4 address an IPv6 address carries, where it is one of the forms that embed one. */
function embeddedIpv4(bytes: Uint8Array): number[] | null {
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return [...bytes.slice(12, 16)];
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12)) return [...bytes.slice(12, 16)];
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return [...bytes.slice(2, 6)];
  return null;
}

/** Classifies an IPv4 or IPv6 address (without brackets); throws for text that is neither. */
export function classifyAddress(address: string): AddressClass {
  if (isIPv4(address)) return classifyIpv4Bytes(address.split('.').map(Number));
  const bytes = ipv6Bytes(address);
  const carried = embeddedIpv4(bytes);
  if (carried) return classifyIpv4Bytes(carried);
  const found = IPV6_RANGES.find((range) => matches(bytes, range));
  return found ? found.kind : 'public';
}
