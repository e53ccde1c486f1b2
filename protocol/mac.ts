/**
 * Hardware addresses arrive in every spelling (upper case, no colons, no zero padding,
 * dashes, Cisco dots); the wire form is lower-case colon-separated so records join by MAC.
 */

import { rememberByText } from "../common/rememberByText.js";

const CANONICAL_MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;

/** Spellings remembered (common/rememberByText.ts): the same few hundred MACs arrive every cycle. */
const REMEMBERED_SPELLINGS = 4096;

export const normalizeMac: (raw: string) => string | null = rememberByText(
  normalizeSpelling,
  REMEMBERED_SPELLINGS,
);

/** Returns the wire form of a 6-octet (or longer, colon-separated) hardware address, or null. */
function normalizeSpelling(raw: string): string | null {
  // Most tools already print the wire form.
  if (CANONICAL_MAC.test(raw)) return raw;
  const s = raw.trim().toLowerCase();
  if (/^[0-9a-f]{12}$/.test(s)) return s.match(/../g)?.join(":") ?? null;
  if (/^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/.test(s)) return normalizeSpelling(s.replaceAll(".", ""));
  const parts = s.split(/[:-]/);
  if (parts.length < 1 || parts.length > 20) return null;
  if (!parts.every((p) => /^[0-9a-f]{1,2}$/.test(p))) return null;
  return parts.map((p) => p.padStart(2, "0")).join(":");
}

/** True for locally administered addresses, which phones randomise per network. */
export function isLocallyAdministered(mac: string): boolean {
  const first = Number.parseInt(mac.slice(0, 2), 16);
  return Number.isFinite(first) && (first & 0x02) !== 0;
}

const HEX_OCTETS = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

/** The wire form of an address given as octets (SNMP PhysAddress, the kernel's binary tables). */
export function bytesToMac(bytes: ArrayLike<number>): string {
  let mac = "";
  for (let i = 0; i < bytes.length; i++)
    mac += i === 0 ? HEX_OCTETS[bytes[i] as number] : `:${HEX_OCTETS[bytes[i] as number]}`;
  return mac;
}
