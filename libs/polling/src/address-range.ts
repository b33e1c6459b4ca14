import ipaddr from 'ipaddr.js';

/** Narrowest prefixes a discovery accepts: 1,024 addresses at most. */
export const MIN_PREFIX = { ipv4: 22, ipv6: 118 } as const;

/**
 * The addresses of a range written as CIDR ("10.52.4.0/24"), in order: for IPv4 up to /30 the
 * network and broadcast addresses are left out (nothing answers there). Host bits may be set
 * ("10.52.4.9/24" is the same range). A problem in words when it is not a range or too wide.
 */
export function addressesOf(cidr: string): { addresses: string[] } | { problem: string } {
  const text = cidr.trim();
  const v4 = ipaddr.IPv4.isValidCIDRFourPartDecimal(text);
  if (!v4 && !(text.includes(':') && ipaddr.IPv6.isValidCIDR(text))) {
    return { problem: `cidr "${cidr}" is not a range: write it as an address and a prefix length, e.g. 10.52.4.0/24` };
  }
  const [address, prefix] = ipaddr.parseCIDR(text);
  const bits = v4 ? 32 : 128;
  const min = v4 ? MIN_PREFIX.ipv4 : MIN_PREFIX.ipv6;
  if (prefix < min) {
    const size = 2 ** (bits - prefix);
    return { problem: `cidr /${prefix} is ${size.toLocaleString('en-US')} addresses; a discovery probes at most a /${min} (1,024 addresses) at a time: split the range` };
  }
  const start = toBigInt(address.toByteArray()) & ~((1n << BigInt(bits - prefix)) - 1n);
  const count = 1n << BigInt(bits - prefix);
  const skipEnds = v4 && prefix <= 30;
  const out: string[] = [];
  for (let i = skipEnds ? 1n : 0n; i < (skipEnds ? count - 1n : count); i++) out.push(fromBigInt(start + i, bits / 8));
  return { addresses: out };
}

/** An address in its canonical form (IPv6 compressed, lower case), for matching. */
export function canonicalAddress(address: string): string {
  return ipaddr.parse(address).toString();
}

function toBigInt(bytes: number[]): bigint {
  return bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);
}

function fromBigInt(n: bigint, length: number): string {
  const bytes: number[] = [];
  for (let i = 0; i < length; i++) bytes.unshift(Number((n >> BigInt(8 * i)) & 0xffn));
  return ipaddr.fromByteArray(bytes).toString();
}

/** Orders addresses as numbers (10.0.0.9 before 10.0.0.10), IPv4 before IPv6. */
export function compareAddresses(a: string, b: string): number {
  const x = ipaddr.parse(a).toByteArray();
  const y = ipaddr.parse(b).toByteArray();
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}
