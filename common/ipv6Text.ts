/**
 * The text form of an IPv6 address from its eight 16-bit groups, as inet_ntop and RFC 5952 write
 * it: lower case, leading zeros dropped, the longest run of two or more zero groups (the first of
 * equal runs) as `::`. Shared by the SNMP address decoding and the simulator's renderers, which
 * must print addresses exactly as the gateway's own tools do.
 */
export function ipv6FromGroups(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLength < 2) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}
