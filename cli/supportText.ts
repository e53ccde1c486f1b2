/**
 * The support answers as text for people: a gateway's details in sections (router, agent health,
 * line quality, speed tests, radios, interfaces) and the devices table, kept within 120 columns
 * (long names cut, byte counts in k/M/G). `--json` prints the full answer instead.
 */
import { formatTable } from "./formatTable.js";

type Row = Record<string, unknown>;

/** Decimal units, as network rates are quoted: 1k = 1000. */
export function humanBytes(value: unknown): string | null {
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  const units = ["", "k", "M", "G", "T", "P"];
  let v = value;
  let unit = 0;
  while (Math.abs(v) >= 999.5 && unit < units.length - 1) {
    v /= 1000;
    unit++;
  }
  const digits = unit > 0 && Math.abs(v) < 9.95 ? 1 : 0;
  return `${v.toFixed(digits)}${units[unit]}`;
}

const cut = (value: unknown, width: number): string | null => {
  if (value === null || value === undefined) return null;
  const text = String(value);
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
};

/**
 * How the device is connected; "away" for one that holds a lease but is neither a Wi-Fi station
 * nor a resolved neighbour now (left, asleep, or switched off), which support must not read as
 * "connected somehow".
 */
const linkOf = (d: Row): string => {
  if (d.connection === "wifi") return d.band ? `wifi ${d.band}` : "wifi";
  if (d.connection === "wired") return d.bridgePort ? `wired ${d.bridgePort}` : "wired";
  if (d.present === false) return "away";
  return String(d.connection ?? "-");
};

export const DEVICE_COLUMNS = [
  "mac",
  "type",
  "vendor",
  "ip",
  "hostname",
  "link",
  "dBm",
  "down/s",
  "up/s",
  "down",
  "up",
];

/** One table row per device: download = received by the device; totals are this lease's. */
export function deviceCells(devices: readonly object[]): Row[] {
  const total = (d: Row, bytes: unknown) =>
    d.trafficSource === null && bytes === 0 ? null : humanBytes(bytes);
  return (devices as readonly Row[]).map((d) => ({
    mac: d.mac,
    type: d.deviceType,
    vendor: d.vendor === null && d.randomized === true ? "(random)" : cut(d.vendor, 10),
    ip: d.ip,
    hostname: cut(d.hostname, 12),
    link: linkOf(d),
    dBm: typeof d.signalDbm === "number" ? Math.round(d.signalDbm) : null,
    "down/s": humanBytes(d.downloadBytesPerSecond),
    "up/s": humanBytes(d.uploadBytesPerSecond),
    down: total(d, d.downloadBytesThisLease),
    up: total(d, d.uploadBytesThisLease),
  }));
}

const lines = (entries: Array<[string, unknown]>): string =>
  `${entries.map(([k, v]) => `${k.padEnd(16)} ${v ?? "-"}`.trimEnd()).join("\n")}\n`;

const list = (values: unknown): string | null =>
  Array.isArray(values) && values.length > 0 ? values.join(" ") : null;

function duration(seconds: unknown): string | null {
  if (typeof seconds !== "number") return null;
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
}

function routerText(router: Row | null, uptimeSeconds: unknown): string {
  if (!router) return "(not reported)\n";
  const total = router.memTotalBytes as number | null;
  const available = router.memAvailableBytes as number | null;
  const memory =
    total !== null && available !== null ? `${humanBytes(available)}B free of ${humanBytes(total)}B` : null;
  return lines([
    ["model", [router.model, router.board].filter(Boolean).join(" / ") || null],
    ["firmware", router.firmware],
    ["kernel", router.kernel],
    ["hostname", router.hostname],
    ["wan interface", router.wanInterface],
    ["router mac", router.wanMac],
    ["wan ipv4", list(router.wanIpv4)],
    ["wan ipv6", list(router.wanIpv6)],
    ["uptime", duration(uptimeSeconds)],
    ["load (1 min)", router.load1],
    ["memory", memory],
    ...dhcpPoolLines(router.dhcpPools),
    ["updated", router.updatedAt],
  ]);
}

/** One line per DHCP pool: its range and use, "full" when no address is left for a new device. */
function dhcpPoolLines(pools: unknown): [string, string][] {
  if (!Array.isArray(pools)) return [["dhcp pools", "(not reported)"]];
  if (pools.length === 0) return [["dhcp pools", "none (no dynamic IPv4 range)"]];
  return (pools as Row[]).map((p) => [p.name ? `dhcp pool ${p.name}` : "dhcp pool", dhcpPoolUse(p)]);
}

/** A pool's range and use: "192.168.1.100 - 192.168.1.249: 8 of 150 leased", marked when full. */
export function dhcpPoolUse(pool: Row): string {
  const full = pool.full ? " (FULL: new devices get no address)" : "";
  return `${pool.start} - ${pool.end}: ${pool.leased} of ${pool.size} leased${full}`;
}

function healthText(health: Row | null): string {
  if (!health) return "(no health report yet)\n";
  const sources = Array.isArray(health.sources) ? (health.sources as Row[]) : [];
  const by = (status: string) => sources.filter((s) => s.status === status).map((s) => s.source);
  const failing = sources
    .filter((s) => s.status === "error")
    .map((s) => `${s.source}: ${cut(s.error, 60) ?? "error"}`);
  return lines([
    ["agent uptime", duration(health.agentUptimeSeconds)],
    [
      "outbox",
      `${health.outboxMessages} messages, ${humanBytes(health.outboxBytes)}B of ${humanBytes(health.outboxLimitBytes)}B`,
    ],
    [
      "messages",
      `published ${health.published}, dropped ${health.dropped}, failed ${health.failed}; connections ${health.connections}`,
    ],
    ["sources ok", by("ok").join(" ") || null],
    ["sources absent", by("absent").join(" ") || null],
    ["sources failing", failing.join("; ") || null],
    ["reported", health.reportedAt],
  ]);
}

const bits = (value: unknown): string | null => {
  const text = humanBytes(value);
  return text === null ? null : `${text}bit/s`;
};
const ms = (value: unknown): string | null => (typeof value === "number" ? value.toFixed(1) : null);

/** `query gateway` as text. */
export function gatewayText(detail: Row): string {
  const { radios, interfaces, router, agentHealth, lineQuality, speedTests, ...summary } = detail;
  const out = [lines(Object.entries(summary))];
  out.push("\nrouter\n", routerText(router as Row | null, summary.uptimeSeconds));
  out.push("\nagent\n", healthText(agentHealth as Row | null));
  out.push(
    "\nline quality\n",
    formatTable(
      ((lineQuality as Row[] | undefined) ?? []).map((q) => ({
        target: q.target,
        address: q.address,
        "loss%": q.lossPercent,
        "rtt ms": ms(q.rttAvgMs),
        "min ms": ms(q.rttMinMs),
        "max ms": ms(q.rttMaxMs),
        "jitter ms": ms(q.jitterMs),
        received: `${q.received}/${q.sent}`,
        error: cut(q.error, 40),
      })),
      ["target", "address", "loss%", "rtt ms", "min ms", "max ms", "jitter ms", "received", "error"],
    ),
  );
  out.push(
    "\nspeed tests\n",
    formatTable(
      ((speedTests as Row[] | undefined) ?? []).map((t) => ({
        requested: t.requestedAt,
        status: t.status,
        download: bits(t.downloadBitsPerSecond),
        upload: bits(t.uploadBitsPerSecond),
        "rtt ms": ms(t.rttMs),
        server: cut(t.server, 24),
        error: cut(t.error, 30),
      })),
      ["requested", "status", "download", "upload", "rtt ms", "server", "error"],
    ),
  );
  const rows = (value: unknown) => (value as Row[] | undefined) ?? [];
  out.push(
    "\nradios\n",
    formatTable(
      rows(radios).map((r) => ({
        interface: r.interface,
        ssid: cut(r.ssid, 24),
        MHz: r.frequencyMhz,
        channel: r.channel,
        width: r.channelWidthMhz,
        "noise dBm": r.noiseDbm,
        "busy%": typeof r.utilisation === "number" ? Math.round(r.utilisation * 100) : null,
      })),
      ["interface", "ssid", "MHz", "channel", "width", "noise dBm", "busy%"],
    ),
  );
  // Interface counters as the kernel counts them: rx = received by the router on that interface.
  out.push(
    "\ninterfaces\n",
    formatTable(
      rows(interfaces).map((i) => ({
        name: i.name,
        "rx/s": humanBytes(i.rxBytesPerSecond),
        "tx/s": humanBytes(i.txBytesPerSecond),
        rx: humanBytes(i.rxBytes),
        tx: humanBytes(i.txBytes),
        "rx errors": i.rxErrors,
        "tx errors": i.txErrors,
        "rx dropped": i.rxDropped,
        "tx dropped": i.txDropped,
      })),
      ["name", "rx/s", "tx/s", "rx", "tx", "rx errors", "tx errors", "rx dropped", "tx dropped"],
    ),
  );
  return out.join("");
}
