/** The package version, read once from package.json (two levels above both src and dist files). */
import { readFileSync } from "node:fs";

function findVersion(): string {
  for (const rel of ["../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "leaseline" && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return "0.0.0";
}

export const LEASELINE_VERSION = findVersion();
