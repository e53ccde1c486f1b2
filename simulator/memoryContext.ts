/**
 * A SourceContext that serves a simulated gateway's files and command outputs straight from
 * memory: the agent's real sources and parsers run on the real formats, without a filesystem
 * or a process per command. This is how a fleet of thousands of simulated agents fits in one
 * process; a single gateway's agent uses the real paths (files under root, bin/ scripts).
 * The command table mirrors the bin/ scripts (binScripts.ts; nlbw, conntrack and ping in
 * memoryCommands.ts), and a test holds them equal.
 */
import type { CommandResult } from "../agent/sources/runCommand.js";
import type { SourceContext } from "../agent/sources/source.js";
import type { SimulatedGateway } from "./gateway.js";
import { runSimulatedCommand } from "./memoryCommands.js";

const VERSIONS: Record<string, string> = {
  iw: "iw version 6.9\n",
  ip: "ip utility, iproute2-6.1.0\n",
  bridge: "bridge utility, iproute2-6.1.0\n",
};

/** The `.sim/` file a command prints, or null for arguments the real tool would refuse. */
export function commandOutputFile(command: string, args: readonly string[]): string | null {
  const rest = [...args];
  if (command === "iw") {
    if (rest[0] !== "dev") return null;
    if (rest.length === 1) return ".sim/iw-dev.txt";
    const what = { info: "info", "station dump": "station-dump", "survey dump": "survey-dump" }[
      rest.slice(2).join(" ")
    ];
    const dev = rest[1] as string;
    return what && !/^$|\/|^\./.test(dev) ? `.sim/iw-${dev}-${what}.txt` : null;
  }
  let json = false;
  let family = "";
  while (rest[0]?.startsWith("-")) {
    const flag = rest.shift() as string;
    if (flag === "-j" || flag === "-json") json = true;
    else if (command === "ip" && (flag === "-4" || flag === "-6")) family = flag;
    else return null;
  }
  const tail = rest.slice(1).join(" ");
  if (!["", "show", "list", "ls"].includes(tail)) return null;
  if (command === "ip" && /^(n|ne|nei|neigh|neighbor|neighbour)$/.test(rest[0] ?? "")) {
    return `.sim/ip${family}-neigh.${json ? "json" : "txt"}`;
  }
  if (command === "bridge" && rest[0] === "fdb") return `.sim/bridge-fdb.${json ? "json" : "txt"}`;
  return null;
}

const strip = (path: string) => path.replace(/^\/+/, "").replace(/\/+$/, "");

export function simulatedGatewayContext(gateway: SimulatedGateway): SourceContext {
  return {
    root: `simulated:${gateway.gatewayId}`,
    async readSystemFile(path) {
      const binary = gateway.renderedBinaryFiles().get(strip(path));
      if (binary) return Buffer.from(binary).toString("utf8");
      return gateway.renderedFiles().get(strip(path)) ?? null;
    },
    async readSystemBytes(path) {
      const text = gateway.renderedFiles().get(strip(path));
      if (text !== undefined) return Buffer.from(text, "utf8");
      return gateway.renderedBinaryFiles().get(strip(path)) ?? null;
    },
    async listSystemDir(path) {
      const prefix = `${strip(path)}/`;
      const names = new Set<string>();
      for (const files of [gateway.renderedFiles(), gateway.renderedBinaryFiles()]) {
        for (const key of files.keys()) {
          if (key.startsWith(prefix)) names.add(key.slice(prefix.length).split("/")[0] as string);
        }
      }
      return names.size > 0 ? [...names] : null;
    },
    async runCommand(command, args): Promise<CommandResult> {
      const simulated = runSimulatedCommand(gateway, command, args);
      if (simulated) return simulated;
      if (!(command in VERSIONS)) return { status: "absent", reason: `${command} is not installed` };
      if (args.length === 1 && (args[0] === "-V" || args[0] === "--version")) {
        return { status: "ok", stdout: VERSIONS[command] as string };
      }
      const file = commandOutputFile(command, args);
      if (file === null) return { status: "error", error: `${command} ${args.join(" ")} failed: usage` };
      const stdout = gateway.renderedFiles().get(file);
      if (stdout === undefined)
        return { status: "error", error: `${command} ${args.join(" ")} failed: No such device` };
      return { status: "ok", stdout };
    },
    now: () => gateway.clockMs(),
  };
}
