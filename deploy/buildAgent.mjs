#!/usr/bin/env node
/**
 * Builds the gateway agent as ONE JavaScript file: `node dist/leaseline-agent.mjs` runs on a
 * gateway with plain Node and nothing else (no node_modules, no native addon). Entry point is
 * agent/main.ts, which exposes only the `agent` command; the build fails if collector code,
 * better-sqlite3, aedes or oui-data would be pulled in. Prints the bundle's size.
 *
 *   npm run build:agent        (node deploy/buildAgent.mjs)
 *
 * Target node20: the oldest Node that the bundled commander 14 and pino 10 support.
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const outfile = join(repo, "dist", "leaseline-agent.mjs");
const { version } = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));

/** Packages and folders the gateway build must never contain. */
const FORBIDDEN = [/^better-sqlite3$/, /^aedes(\/|$)/, /^oui-data(\/|$)/, /[/\\]collector[/\\]/];
/** Optional native speed-ups that ws tries to load inside try/catch; absent on a gateway, and not needed. */
const OPTIONAL_NATIVE = ["bufferutil", "utf-8-validate"];

/** Source rewrites needed only for a single-file build; each must match or the build stops. */
const REWRITES = [
  {
    // package.json is not next to the bundle on a gateway: the version is fixed at build time.
    file: "common/version.ts",
    replace: () => `export const LEASELINE_VERSION = ${JSON.stringify(version)};\n`,
  },
  {
    // createRequire(...) is opaque to a bundler. A plain require() is bundled, and behind a lazy
    // proxy net-snmp is only loaded (about 5 MB resident) by an agent that polls a router over SNMP.
    file: "agent/snmp/netSnmp.ts",
    replace: (text) => {
      const dynamic = 'createRequire(import.meta.url)("net-snmp")';
      if (!text.includes(dynamic))
        throw new Error(`agent/snmp/netSnmp.ts no longer loads net-snmp with ${dynamic}`);
      const lazy = 'new Proxy({}, { get: (_t, key) => (__netSnmp ??= require("net-snmp"))[key] })';
      return `let __netSnmp;\n${text.replace(dynamic, lazy)}`;
    },
  },
];

/**
 * Parts of mqtt.js a gateway agent never uses, replaced by stubs that throw a clear error if ever
 * called. mqtt.js requires them all as it connects, whatever the scheme (ws pulls in http, https
 * and zlib; socks pulls in ip-address): 145 KiB of the file and 1-2 MB resident. The agent's
 * configuration accepts only mqtt:// and mqtts://, with no SOCKS proxy, and mqtt.js picks Node's
 * own timers outside a browser. Keyed by the importing file and the path it requires.
 */
const STUBS = [
  {
    importer: /[/\\]mqtt[/\\]build[/\\]lib[/\\]connect[/\\]index\.js$/,
    path: "./ws",
    contents: `const off = () => { throw new Error("leaseline-agent: MQTT over WebSocket (ws://, wss://) is not in the gateway build; use mqtt:// or mqtts://"); };
exports.streamBuilder = off; exports.browserStreamBuilder = off;`,
  },
  {
    importer: /[/\\]mqtt[/\\]build[/\\]lib[/\\]connect[/\\](tcp|tls)\.js$/,
    path: "./socks",
    contents: `exports.default = () => { throw new Error("leaseline-agent: MQTT through a SOCKS proxy is not in the gateway build"); };`,
  },
  {
    importer: /[/\\]mqtt[/\\]build[/\\]lib[/\\]get-timer\.js$/,
    path: "worker-timers",
    contents: `const off = () => { throw new Error("leaseline-agent: mqtt.js worker timers (a browser feature) are not in the gateway build"); };
exports.setInterval = off; exports.clearInterval = off;`,
  },
];

const guard = {
  name: "gateway-guard",
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      const target = args.path.startsWith(".") ? join(args.resolveDir, args.path) : args.path;
      if (FORBIDDEN.some((re) => re.test(target))) {
        return {
          errors: [
            { text: `the gateway build must not include ${args.path} (imported by ${args.importer})` },
          ],
        };
      }
      if (OPTIONAL_NATIVE.includes(args.path)) return { path: args.path, external: true };
      const stub = STUBS.findIndex((s) => s.path === args.path && s.importer.test(args.importer));
      if (stub >= 0) return { path: `${args.path}#${stub}`, namespace: "gateway-stub" };
      return undefined;
    });
    b.onLoad({ filter: /.*/, namespace: "gateway-stub" }, (args) => ({
      contents: STUBS[Number(args.path.split("#")[1])].contents,
      loader: "js",
    }));
    for (const rewrite of REWRITES) {
      const path = join(repo, rewrite.file);
      b.onLoad({ filter: new RegExp(`${rewrite.file.replace(/[.]/g, "\\.")}$`) }, () => ({
        contents: rewrite.replace(readFileSync(path, "utf8")),
        loader: "ts",
        resolveDir: dirname(path),
      }));
    }
  },
};

const result = await build({
  entryPoints: [join(repo, "agent", "main.ts")],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  minify: true,
  keepNames: true,
  sourcemap: "external",
  legalComments: "eof",
  metafile: true,
  logLevel: "warning",
  // Bundled CommonJS packages call require() for Node built-ins; an ES module has none of its own.
  banner: {
    js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
  },
  plugins: [guard],
});

const inputs = Object.keys(result.metafile.inputs);
const unused = STUBS.filter((_, i) => !inputs.some((input) => input.endsWith(`#${i}`)));
if (unused.length > 0)
  throw new Error(`mqtt.js no longer requires ${unused.map((s) => s.path).join(", ")}: review STUBS`);
const leaked = inputs.filter((i) => FORBIDDEN.some((re) => re.test(i)) || i.endsWith(".node"));
if (leaked.length > 0) throw new Error(`forbidden inputs in the bundle: ${leaked.join(", ")}`);
const bytes = statSync(outfile).size;
const packages = new Set(inputs.map((i) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(i)?.[1]).filter(Boolean));
process.stdout.write(
  `${relative(repo, outfile)}: ${(bytes / 1024).toFixed(0)} KiB (${bytes} bytes), ${inputs.length} modules, ` +
    `packages: ${[...packages].sort().join(", ")}\n`,
);
