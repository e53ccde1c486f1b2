/**
 * Writes a gateway's files under its directory the way a reader must tolerate: each file is
 * written to a temporary name and renamed into place, so a reader sees the old or the new
 * content, never half of it. Unchanged content is not rewritten, which keeps large fleets cheap.
 */
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export class GatewayFiles {
  private readonly written = new Map<string, string | Uint8Array>();
  private readonly dirs = new Set<string>();
  private readonly tmpDir: string;
  private counter = 0;

  constructor(readonly dir: string) {
    // Temporary files live apart so a directory listing never shows them; same filesystem, so rename is atomic.
    this.tmpDir = join(dir, ".sim", "tmp");
  }

  /** Writes `content` to `relPath` atomically unless it already holds exactly that. Returns true when written. */
  write(relPath: string, content: string | Uint8Array, mode?: number): boolean {
    if (sameContent(this.written.get(relPath), content)) return false;
    const target = join(this.dir, relPath);
    this.ensureDir(dirname(target));
    this.ensureDir(this.tmpDir);
    const tmp = join(this.tmpDir, `${process.pid}-${this.counter++}`);
    writeFileSync(tmp, content);
    if (mode !== undefined) chmodSync(tmp, mode);
    renameSync(tmp, target);
    this.written.set(relPath, content);
    return true;
  }

  remove(relPath: string): void {
    rmSync(join(this.dir, relPath), { force: true });
    this.written.delete(relPath);
  }

  private ensureDir(path: string): void {
    if (this.dirs.has(path)) return;
    mkdirSync(path, { recursive: true });
    this.dirs.add(path);
  }
}

function sameContent(a: string | Uint8Array | undefined, b: string | Uint8Array): boolean {
  if (typeof a === "string" || typeof b === "string" || a === undefined) return a === b;
  return Buffer.compare(a, b) === 0;
}
