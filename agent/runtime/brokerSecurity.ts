/**
 * TLS and credentials for the broker connection, read from files once at start-up: a CA file
 * to verify the broker (a private CA is the norm for a provider's collector), an optional client
 * certificate and key, or a username with a password read from a file. Secrets never come from
 * the command line (process lists show it) and never reach a log line: the object holding them
 * hides them from JSON and inspection.
 */
import { readFileSync } from "node:fs";
import { inspect } from "node:util";

export interface BrokerSecurityFiles {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  username?: string;
  passwordFile?: string;
}

/** The mqtt.js connect options these files produce. */
export interface BrokerSecurity {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  username?: string;
  password?: Buffer;
  rejectUnauthorized: true;
}

function read(file: string, what: string, problems: string[]): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (error) {
    problems.push(
      `${what}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
    return undefined;
  }
}

/** Reads the files; every problem is pushed to `problems` (named by flag) rather than thrown. */
export function readBrokerSecurity(files: BrokerSecurityFiles, problems: string[]): BrokerSecurity {
  const security: BrokerSecurity = { rejectUnauthorized: true };
  if (files.caFile) security.ca = read(files.caFile, "--ca-file", problems);
  if (files.certFile) security.cert = read(files.certFile, "--cert-file", problems);
  if (files.keyFile) security.key = read(files.keyFile, "--key-file", problems);
  if (files.username !== undefined) security.username = files.username;
  if (files.passwordFile) {
    const password = read(files.passwordFile, "--password-file", problems);
    // A trailing newline is an artefact of `echo secret > file`, never part of the password.
    if (password) security.password = Buffer.from(password.toString("utf8").replace(/\r?\n$/, ""));
    if (password && security.password?.length === 0)
      problems.push(`--password-file: ${files.passwordFile} is empty`);
  }
  // Keep the secrets out of anything that prints the object (a log line, a crash dump of options).
  Object.defineProperty(security, "toJSON", { value: () => redacted(security), enumerable: false });
  Object.defineProperty(security, inspect.custom, { value: () => redacted(security), enumerable: false });
  return security;
}

function redacted(s: BrokerSecurity): Record<string, unknown> {
  return {
    ca: s.ca ? "[file]" : undefined,
    cert: s.cert ? "[file]" : undefined,
    key: s.key ? "[redacted]" : undefined,
    username: s.username,
    password: s.password ? "[redacted]" : undefined,
  };
}
