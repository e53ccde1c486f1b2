/** IPv4 addresses as unsigned 32-bit numbers, for ordering, ranges and prefixes (callers check the form). */

/** `192.168.1.7` as a number. */
export function ipv4Number(ip: string): number {
  return ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** A number from 0 to 2^32 - 1 as a dotted address. */
export function ipv4Text(value: number): string {
  return [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff].join(".");
}
