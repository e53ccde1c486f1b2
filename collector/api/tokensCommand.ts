/**
 * `leaseline collector tokens add|list|remove`: HTTP API bearer tokens, managed like gateway
 * credentials (the token is printed once, only its hash is stored). Uses the collector's --db.
 */
import { Command, InvalidArgumentError } from "commander";
import { openDatabase } from "../store/openDatabase.js";
import { ROLES, type Role, TokenStore } from "./tokenStore.js";

function withStore<T>(command: Command, use: (tokens: TokenStore) => T): T {
  const db = openDatabase((command.optsWithGlobals() as { db: string }).db);
  try {
    return use(new TokenStore(db));
  } finally {
    db.close();
  }
}

function fail(message: string): void {
  process.stderr.write(`leaseline: ${message}\n`);
  process.exitCode = 2;
}

export function tokensCommand(): Command {
  const tokens = new Command("tokens").description(
    "HTTP API tokens: support (read) or privacy (read, export, erase)",
  );
  tokens
    .command("add")
    .description("create a token and print it once")
    .requiredOption("--role <role>", "support or privacy", (value: string): Role => {
      if (!(ROLES as readonly string[]).includes(value))
        throw new InvalidArgumentError("expected support or privacy");
      return value as Role;
    })
    .action((flags: { role: Role }, command: Command) => {
      try {
        const { tokenId, token } = withStore(command, (t) => t.add(flags.role));
        process.stderr.write(`${flags.role} token ${tokenId} stored; the token, shown only now:\n`);
        process.stdout.write(`${token}\n`);
      } catch (error) {
        fail((error as Error).message);
      }
    });
  tokens
    .command("list")
    .description("token ids, roles and creation times (never the tokens)")
    .option("--json", "JSON for tools")
    .action((flags: { json?: boolean }, command: Command) => {
      try {
        const rows = withStore(command, (t) => t.list());
        const text = flags.json
          ? JSON.stringify(rows, null, 2)
          : rows.length === 0
            ? "(none)"
            : rows.map((r) => `${r.tokenId}  ${r.role.padEnd(8)}  ${r.createdAt}`).join("\n");
        process.stdout.write(`${text}\n`);
      } catch (error) {
        fail((error as Error).message);
      }
    });
  tokens
    .command("remove")
    .description("delete a token; requests with it are refused at once")
    .argument("<tokenId>")
    .action((tokenId: string, _flags: object, command: Command) => {
      try {
        if (!withStore(command, (t) => t.remove(tokenId))) fail(`no token ${tokenId}`);
        else process.stderr.write(`token ${tokenId} removed\n`);
      } catch (error) {
        fail((error as Error).message);
      }
    });
  return tokens;
}
