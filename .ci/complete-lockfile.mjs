#!/usr/bin/env node
// npm leaves out of package-lock.json the other platforms' optional binaries (biome, rollup) that
// the package registry reachable here does not serve, and `npm ci` then refuses the lock as out of
// sync. This adds those entries (name, version, os/cpu/libc) so `npm ci` passes everywhere;
// npm still skips them at install time by platform. Run after every `npm install`:
//   node .ci/complete-lockfile.mjs package-lock.json
import { readFileSync, writeFileSync } from "node:fs";

const file = process.argv[2];
const lock = JSON.parse(readFileSync(file, "utf8"));
const pkgs = lock.packages;
const OS = [
  "android",
  "darwin",
  "freebsd",
  "linux",
  "win32",
  "openbsd",
  "netbsd",
  "sunos",
  "aix",
  "openharmony",
];
const CPU = {
  arm64: "arm64",
  x64: "x64",
  ia32: "ia32",
  arm: "arm",
  riscv64: "riscv64",
  s390x: "s390x",
  ppc64: "ppc64",
  loong64: "loong64",
  loongarch64: "loong64",
  powerpc64le: "ppc64",
  riscv64gc: "riscv64",
  mips64el: "mips64el",
};
let added = 0;
for (const meta of Object.values(pkgs)) {
  for (const [name, spec] of Object.entries(meta.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (pkgs[key]) continue;
    const base = name.split("/").pop();
    const parts = base.split("-");
    const os = OS.find((o) => parts.includes(o));
    const cpuPart = parts.find((p) => CPU[p]);
    const entry = { version: spec.replace(/^[\^~=]/, ""), dev: meta.dev || undefined, optional: true };
    if (os) entry.os = [os];
    if (cpuPart) entry.cpu = [CPU[cpuPart]];
    if (parts.includes("musl") || parts.includes("musleabihf")) entry.libc = ["musl"];
    else if (os === "linux" && (parts.includes("gnu") || parts.includes("gnueabihf"))) entry.libc = ["glibc"];
    pkgs[key] = entry;
    added++;
    console.log(key, JSON.stringify(entry));
  }
}
const sorted = Object.fromEntries(
  Object.entries(pkgs).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added}`);
