/**
 * `iw dev`: one `phy#N` line per wiphy, then per interface `\tInterface <name>` followed by
 * `\t\t<key> <value>` lines (ifindex, wdev, addr, ssid, type, channel, txpower), a
 * `multicast TXQ:` table and, for Wi-Fi 7 MLD interfaces, a `MLD with links:` list whose
 * lines are indented with spaces after the tabs. `iw dev IF info` prints the same block with
 * one tab less and a `wiphy N` line instead of the `phy#N` header.
 *
 * Traps: iw escapes SSID bytes that are not printable ASCII, a backslash, and a leading or
 * trailing space as `\xNN`; the bytes are decoded to UTF-8 when they form valid text without
 * control characters and kept in iw's escaped form otherwise (lossless, and never mojibake).
 * `txpower` is printed as `%d.%.2d` of hundredths, so -1.5 dBm reads `-1.-50`.
 * An AP interface without a `channel` line is not beaconing (down, waiting for DFS, or
 * unconfigured); it is still kept, with channel, frequency and width null, because the radio
 * exists and "configured but down" is worth reporting. An MLD interface has no channel of its
 * own: its first link's channel and power stand in, since the protocol has one record per
 * interface. Lines iw added in other versions are ignored; a known line with a damaged value is
 * skipped and the interface kept; an interface block without a `type` line (cut short) is skipped.
 * Noise and survey times are filled in later from `iw dev IF survey dump`.
 */
import { normalizeMac, type Radio } from "../../../protocol/index.js";
import { type ParseResult, type SkippedLine, skippedLine, splitLines } from "../parseResult.js";
import { endsMidLine, INTERFACE_NAME } from "./iwValues.js";

/** Escaped SSIDs are at most 32 bytes of four characters each (the schema's limit). */
const MAX_ESCAPED_SSID = 32 * 4;

interface ChannelInfo {
  channel: number;
  frequencyMhz: number;
  channelWidthMhz: number | null;
}

interface Draft {
  line: number;
  header: string;
  interface: string;
  phy: string | null;
  type: string | null;
  ssid: string | null;
  mac: string | null;
  channel: ChannelInfo | null;
  txPowerDbm: number | null;
  inMldLinks: boolean;
  linkChannel: ChannelInfo | null;
  linkTxPowerDbm: number | null;
}

export function parseIwDev(text: string): ParseResult<Radio> {
  const records: Radio[] = [];
  const skipped: SkippedLine[] = [];
  const lines = splitLines(text);
  const cutOff = endsMidLine(text);
  const seen = new Set<string>();
  let phy: string | null = null;
  // null: no interface yet; "ignore": inside a block that produces no record.
  let draft: Draft | "ignore" | null = null;

  const flush = () => {
    if (draft === null || draft === "ignore") return;
    if (draft.type === null) {
      skipped.push(
        skippedLine(draft.line, "interface block without a type line (output cut short?)", draft.header),
      );
      return;
    }
    const channel = draft.channel ?? draft.linkChannel;
    records.push({
      interface: draft.interface,
      phy: draft.phy,
      type: draft.type,
      ssid: draft.ssid,
      mac: draft.mac,
      frequencyMhz: channel?.frequencyMhz ?? null,
      channel: channel?.channel ?? null,
      channelWidthMhz: channel?.channelWidthMhz ?? null,
      txPowerDbm: draft.txPowerDbm ?? (draft.channel ? null : draft.linkTxPowerDbm),
      noiseDbm: null,
      channelActiveMs: null,
      channelBusyMs: null,
      channelRxMs: null,
      channelTxMs: null,
    });
  };

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const lineNo = i + 1;
    if (raw.trim() === "") continue;
    if (cutOff && i === lines.length - 1) {
      skipped.push(skippedLine(lineNo, "unterminated last line (output cut short)", raw));
      continue;
    }
    const content = raw.replace(/^\t+/, "");

    const phyMatch = /^phy#(\d{1,4})$/.exec(content);
    if (phyMatch) {
      flush();
      draft = null;
      phy = `phy${phyMatch[1]}`;
      continue;
    }
    if (content.startsWith("Interface ")) {
      flush();
      const name = content.slice("Interface ".length);
      if (!INTERFACE_NAME.test(name)) {
        skipped.push(skippedLine(lineNo, "invalid interface name", raw));
        draft = "ignore";
      } else if (seen.has(name)) {
        skipped.push(skippedLine(lineNo, "interface listed twice", raw));
        draft = "ignore";
      } else {
        seen.add(name);
        draft = newDraft(lineNo, raw, name, phy);
      }
      continue;
    }
    if (content === "Unnamed/non-netdev interface") {
      // A P2P-device or NAN wdev: no netdev, no clients, nothing a Radio record could name.
      flush();
      draft = "ignore";
      continue;
    }
    if (draft === "ignore") continue;
    if (draft === null) {
      skipped.push(skippedLine(lineNo, "line outside an Interface block", raw));
      continue;
    }

    if (content.startsWith(" ")) {
      // MLD link lines: ` - link ID  0 link addr ...`, `   channel ...`, `   txpower ...`.
      if (!draft.inMldLinks) continue;
      const linkLine = content.trim();
      if (linkLine.startsWith("channel ") && draft.linkChannel === null) {
        draft.linkChannel = parseChannel(linkLine);
      } else if (linkLine.startsWith("txpower ") && draft.linkTxPowerDbm === null) {
        draft.linkTxPowerDbm = parseTxPower(linkLine);
      }
      continue;
    }
    draft.inMldLinks = false;

    const reason = applyAttribute(draft, content);
    if (reason) skipped.push(skippedLine(lineNo, reason, raw));
  }
  flush();
  return { records, skipped };
}

function newDraft(line: number, header: string, name: string, phy: string | null): Draft {
  return {
    line,
    header,
    interface: name,
    phy,
    type: null,
    ssid: null,
    mac: null,
    channel: null,
    txPowerDbm: null,
    inMldLinks: false,
    linkChannel: null,
    linkTxPowerDbm: null,
  };
}

/** Applies one `key value` line to the interface; returns why it was rejected, if it was. */
function applyAttribute(draft: Draft, content: string): string | null {
  const space = content.indexOf(" ");
  const key = space < 0 ? content : content.slice(0, space);
  const value = space < 0 ? "" : content.slice(space + 1);
  switch (key) {
    case "addr": {
      const mac = normalizeMac(value);
      if (mac?.length !== 17) return "invalid interface address";
      draft.mac = mac;
      return null;
    }
    case "ssid": {
      if (value.length > MAX_ESCAPED_SSID) return "SSID longer than 32 bytes";
      // iw prints `ssid ` with nothing after it for a zero-length SSID.
      draft.ssid = value === "" ? null : decodeIwSsid(value);
      return null;
    }
    case "type":
      if (value === "" || value.length > 64) return "invalid interface type";
      draft.type = value;
      return null;
    case "wiphy":
      if (!/^\d{1,4}$/.test(value)) return "invalid wiphy index";
      draft.phy ??= `phy${value}`;
      return null;
    case "channel": {
      const channel = parseChannel(content);
      if (!channel) return "unrecognised channel line";
      draft.channel = channel;
      return null;
    }
    case "txpower": {
      const power = parseTxPower(content);
      if (power === null) return "unrecognised txpower line";
      draft.txPowerDbm = power;
      return null;
    }
    case "MLD":
      draft.inMldLinks = content === "MLD with links:";
      return null;
    default:
      // ifindex, wdev, multicast TXQ and its table, 4addr, and whatever newer iw adds.
      return null;
  }
}

/** `channel 36 (5180 MHz), width: 80 MHz, center1: 5210 MHz` or the old `channel 6 (2437 MHz) HT20`. */
function parseChannel(line: string): ChannelInfo | null {
  const m = /^channel (\d{1,3}) \((\d{1,6}) MHz\)(.*)$/.exec(line);
  if (!m) return null;
  const channel = Number(m[1]);
  const frequencyMhz = Number(m[2]);
  if (channel > 300 || frequencyMhz > 100_000) return null;
  const rest = m[3] as string;
  let channelWidthMhz: number | null = null;
  const width = rest
    .split(", ")
    .find((part) => part.startsWith("width: "))
    ?.slice("width: ".length);
  if (width !== undefined) {
    // `20 MHz (no HT)`, `80+80 MHz` (two segments: 160 MHz of spectrum), `unknown`.
    const w = /^(\d{1,3})(?:\+(\d{1,3}))? MHz/.exec(width);
    if (w) channelWidthMhz = Number(w[1]) + Number(w[2] ?? 0);
  } else {
    const legacy = rest.trim();
    if (legacy === "NO HT" || legacy === "HT20") channelWidthMhz = 20;
    else if (legacy === "HT40+" || legacy === "HT40-") channelWidthMhz = 40;
  }
  if (channelWidthMhz !== null && channelWidthMhz > 640) channelWidthMhz = null;
  return { channel, frequencyMhz, channelWidthMhz };
}

/** `txpower 20.00 dBm`; both parts carry C's truncated-division sign (`-1.-50` is -1.5). */
function parseTxPower(line: string): number | null {
  const m = /^txpower (-?\d{1,4})\.(-?\d{2}) dBm$/.exec(line);
  if (!m) return null;
  const dbm = (Number(m[1]) * 100 + Number(m[2])) / 100;
  return dbm >= -100 && dbm <= 100 ? dbm : null;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Turns iw's `\xNN` escapes back into bytes and returns them as UTF-8 text when they are valid. */
export function decodeIwSsid(escaped: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < escaped.length; ) {
    const hex = escaped.startsWith("\\x", i) ? escaped.slice(i + 2, i + 4) : "";
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 4;
      continue;
    }
    const char = String.fromCodePoint(escaped.codePointAt(i) as number);
    bytes.push(...Buffer.from(char, "utf8"));
    i += char.length;
  }
  let decoded: string;
  try {
    decoded = strictUtf8.decode(Uint8Array.from(bytes));
  } catch {
    return escaped;
  }
  // Control characters would vanish or break log lines; the escaped form shows them.
  return /\p{Cc}/u.test(decoded) ? escaped : decoded;
}
