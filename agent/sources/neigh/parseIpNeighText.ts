/**
 * `ip neigh show` as text, for BusyBox `ip` (which has no `-j`) and iproute2 builds without JSON.
 *
 * BusyBox (always with statistics):
 *   `192.168.1.23 dev br-lan lladdr 00:1b:11:20:dc:2c ref 1 used 0/0/0 probes 0 REACHABLE`
 *   `192.168.1.77 dev br-lan  used 0/0/0 probes 0 INCOMPLETE` (two spaces where lladdr would be)
 * iproute2: `192.168.1.42 dev br-lan lladdr d2:5f:3a:91:0c:7e STALE ` (trailing space), and with
 * `-s` iproute2 6.1 glues `used 0/60/0probes 0`. Traps: NUD_NONE prints no state word at all;
 * several states are joined by `,` (BusyBox) or spaces (iproute2); flags (`router`,
 * `extern_learn`, ...) are bare words; `proxy` rows are not devices and are dropped without
 * counting as malformed. An unterminated last line is output that was cut off and is skipped.
 */
import { isIP } from "node:net";
import { MAX_STRING_LENGTH, type Neighbor, normalizeMac } from "../../../protocol/index.js";
import { type ParseResult, type SkippedLine, skippedLine, splitLines } from "../parseResult.js";
import { neighborStateFromNames } from "./nudState.js";

/** Keywords followed by a value; every other lower-case word is a flag. */
const VALUE_KEYWORDS = new Set(["dev", "lladdr", "ref", "used", "probes", "proto", "vlan", "nhid"]);
const STATE_WORD = /^(?:[A-Z]+|0x[0-9a-f]+)(?:,(?:[A-Z]+|0x[0-9a-f]+))*$/;

export function parseIpNeighText(text: string): ParseResult<Neighbor> {
  const records: Neighbor[] = [];
  const skipped: SkippedLine[] = [];
  const lines = splitLines(text);
  const unterminated = text.length > 0 && !text.endsWith("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    if (unterminated && i === lines.length - 1) {
      skipped.push(skippedLine(i + 1, "unterminated last line (output was cut off)", raw));
      continue;
    }
    const line = raw.trim();
    if (line === "") continue;
    const tokens = line.replace(/(\d)probes\b/g, "$1 probes").split(/\s+/);
    const dst = tokens[0] as string;
    if (isIP(dst) === 0) {
      skipped.push(skippedLine(i + 1, "first field is not an IP address", line));
      continue;
    }
    const values = new Map<string, string>();
    const states: string[] = [];
    let proxy = false;
    let problem: string | null = null;
    for (let t = 1; t < tokens.length; t++) {
      const token = tokens[t] as string;
      if (VALUE_KEYWORDS.has(token)) {
        const value = tokens[t + 1];
        if (value === undefined) {
          problem = `${token} has no value`;
          break;
        }
        values.set(token, value);
        t++;
      } else if (STATE_WORD.test(token)) {
        states.push(...token.split(","));
      } else if (token === "proxy") {
        proxy = true;
      }
    }
    if (problem) {
      skipped.push(skippedLine(i + 1, problem, line));
      continue;
    }
    if (proxy) continue;
    const dev = values.get("dev");
    if (!dev || dev.length > MAX_STRING_LENGTH) {
      skipped.push(skippedLine(i + 1, "no dev", line));
      continue;
    }
    const state = neighborStateFromNames(states);
    if (!state) {
      skipped.push(skippedLine(i + 1, `unknown state ${states.join(",")}`, line));
      continue;
    }
    const lladdr = values.get("lladdr");
    const mac = lladdr === undefined ? null : normalizeMac(lladdr);
    if (lladdr !== undefined && !mac) {
      // Tunnels print an IPv4 address as their link-layer address: not a device to join by MAC.
      skipped.push(skippedLine(i + 1, "lladdr is not a hardware address", line));
      continue;
    }
    records.push({ ip: dst.toLowerCase(), mac, interface: dev, state, bridgePort: null });
  }
  return { records, skipped };
}
