/**
 * The in-memory twins of the `nlbw`, `conntrack`, `ping` and `ubus` scripts and of `ip -j addr`
 * (binScripts.ts): the same argument handling, the same bytes on stdout and the same failures,
 * answered from the gateway's rendered files. Which of them exist depends on the gateway's flavour.
 * memoryContext.test.ts holds them equal to the scripts.
 */
import { type CommandResult, commandFailed, notInstalled } from "../agent/sources/runCommand.js";
import { flavourTools } from "./flavour.js";
import type { SimulatedGateway } from "./gateway.js";
import { pingHeader } from "./render/ping.js";

/** POSIX `cksum`: CRC-32 (polynomial 0x04C11DB7, MSB first) over the bytes and then their length. */
const CKSUM_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[i] = c >>> 0;
  }
  return table;
})();

export function posixCksum(text: string): number {
  let crc = 0;
  const step = (byte: number) => {
    crc = ((crc << 8) ^ (CKSUM_TABLE[((crc >>> 24) ^ byte) & 0xff] as number)) >>> 0;
  };
  const bytes = Buffer.from(text, "utf8");
  for (const b of bytes) step(b);
  for (let n = bytes.length; n > 0; n = Math.floor(n / 256)) step(n & 0xff);
  return ~crc >>> 0;
}

/** The run a script ends with: what it printed and how it exited. */
function exited(
  command: string,
  args: readonly string[],
  status: number,
  stdout: string,
  stderr = "",
): CommandResult {
  return status === 0 ? { status: "ok", stdout } : commandFailed(command, args, stderr, stdout);
}

/** Runs one of the flavour's traffic and line commands, or null when the command is not one of them. */
export function runSimulatedCommand(
  gateway: SimulatedGateway,
  command: string,
  args: readonly string[],
): CommandResult | null {
  const tools = flavourTools(gateway.leaseFormat);
  const files = () => gateway.renderedFiles();
  const line = args.join(" ");
  if (command === "nlbw") {
    if (!tools.nlbw) return notInstalled(command);
    const file = {
      "-c json": ".sim/nlbw.json",
      "-c csv": ".sim/nlbw.csv",
      "-c json -g host": ".sim/nlbw-host.json",
    }[line];
    if (!file) return exited(command, args, 1, "", "Usage: nlbw [-c {json|csv}] [-g host]\n");
    return exited(command, args, 0, files().get(file) ?? "");
  }
  if (command === "conntrack") {
    if (!tools.conntrack) return notInstalled(command);
    const list = files().get(".sim/conntrack-extended.txt") ?? "";
    if (line === "-V" || line === "--version")
      return exited(command, args, 0, "conntrack v1.4.7 (conntrack-tools)\n");
    if (line === "-L -o extended") return exited(command, args, 0, list);
    if (line === "-L") return exited(command, args, 0, list.replace(/^ipv[46] *[0-9]* /gm, ""));
    return exited(
      command,
      args,
      2,
      "",
      "conntrack v1.4.7 (conntrack-tools): simulated conntrack supports only -L [-o extended]\n",
    );
  }
  if (command === "ping") return ping(gateway, tools.ping, args);
  if (command === "ubus") {
    if (!tools.ubus) return notInstalled(command);
    if (args.length === 0)
      return exited(command, args, 1, "", "Usage: ubus [<options>] <command> [arguments...]\n");
    if (line === "call system board")
      return exited(command, args, 0, files().get(".sim/ubus-system-board.json") ?? "");
    return exited(command, args, 8, "", "Command failed: Not supported\n");
  }
  if (command === "ip") return ipAddr(gateway, args);
  return null;
}

const IP_USAGE =
  "Usage: ip [ -j ] [ -4 | -6 ] neigh [ show ]\n       ip -j addr [ show ] [ [ dev ] IFNAME ]\n";

/** `ip -j addr [show] [[dev] IF]`; null when the arguments are not an addr command (memoryContext handles neigh). */
function ipAddr(gateway: SimulatedGateway, args: readonly string[]): CommandResult | null {
  const rest = [...args];
  let json = false;
  let family = false;
  while (rest[0]?.startsWith("-")) {
    const flag = rest.shift();
    if (flag === "-j" || flag === "-json") json = true;
    else if (flag === "-4" || flag === "-6") family = true;
    else return null;
  }
  if (!/^(a|ad|add|addr|addre|addres|address)$/.test(rest.shift() ?? "")) return null;
  const usage = () => exited("ip", args, 1, "", IP_USAGE);
  if (!json || family) return usage();
  if (["show", "list", "ls"].includes(rest[0] ?? "\0")) rest.shift();
  if (rest[0] === "dev" && rest.length === 2) rest.shift();
  const files = gateway.renderedFiles();
  if (rest.length === 0) return exited("ip", args, 0, files.get(".sim/ip-addr.json") ?? "");
  if (rest.length !== 1) return usage();
  const dev = rest[0] as string;
  const text = /^$|\/|^\./.test(dev) ? undefined : files.get(`.sim/ip-addr-${dev}.json`);
  if (text === undefined) return exited("ip", args, 1, "", `Device "${dev}" does not exist.\n`);
  return exited("ip", args, 0, text);
}

function ping(
  gateway: SimulatedGateway,
  tool: "iputils" | "busybox",
  args: readonly string[],
): CommandResult {
  const iputils = tool === "iputils";
  const usage = () =>
    iputils
      ? exited("ping", args, 2, "", "\nUsage\n  ping [options] <destination>\n")
      : exited("ping", args, 1, "", "BusyBox v1.36.1 multi-call binary.\n\nUsage: ping [OPTIONS] HOST\n");
  const fail = (host: string, why: string) =>
    iputils
      ? exited("ping", args, 2, "", `ping: ${host}: ${why}\n`)
      : exited("ping", args, 1, "", `ping: bad address '${host}'\n`);
  if (args.join(" ") === "-V") {
    return iputils
      ? exited("ping", args, 0, "ping from iputils 20221126\n")
      : exited("ping", args, 1, "", "ping: unrecognized option: V\nBusyBox v1.36.1 multi-call binary.\n");
  }
  let count: string | undefined;
  let i = 0;
  for (; args.length - i > 1; i += 2) {
    const flag = args[i];
    const value = args[i + 1] as string;
    if (flag === "-c") count = value;
    else if (flag === "-W") {
      if (!/^[0-9]+$/.test(value)) return usage();
    } else return usage();
  }
  if (args.length - i !== 1 || count !== "3") return usage();
  const host = args[i] as string;
  let addr: string;
  if (host === "" || host.startsWith("-") || /[^A-Za-z0-9.:-]/.test(host))
    return fail(host, "Name or service not known");
  if (host.includes(":")) {
    if (/[^0-9a-f:]/.test(host)) return fail(host, "Name or service not known");
    addr = host;
  } else if (/\.invalid\.?$/.test(host)) return fail(host, "Name or service not known");
  else if (/[^0-9.]/.test(host)) addr = `198.51.100.${(posixCksum(host) % 254) + 1}`;
  else addr = host;
  const files = gateway.renderedFiles();
  const body =
    files.get(`.sim/ping-${addr}.txt`) ?? files.get(`.sim/ping-far-${posixCksum(addr) % 4}.txt`) ?? "";
  const stdout = pingHeader(tool, host, addr) + body.replaceAll("@ADDR@", addr).replaceAll("@TARGET@", host);
  return exited("ping", args, body.includes(" from ") ? 0 : 1, stdout);
}
