/** An IPv4 address in dotted form as an unsigned number, for ordering and ranges (caller checks the form). */
export function ipv4Number(ip: string): number {
  return ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}
