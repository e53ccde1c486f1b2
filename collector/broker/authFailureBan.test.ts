import { describe, expect, it } from "vitest";
import { AuthFailureBan } from "./authFailureBan.js";

const policy = { maxFailures: 15, windowMs: 60_000, banMs: 300_000, maxTracked: 3 };

describe("AuthFailureBan", () => {
  it("bans at the 15th failure within a minute, for five minutes", () => {
    const ban = new AuthFailureBan(policy);
    for (let i = 0; i < 14; i++) expect(ban.recordFailure("198.51.100.7", i * 4000)).toBe(false);
    expect(ban.isBanned("198.51.100.7", 56_000)).toBe(false);
    expect(ban.recordFailure("198.51.100.7", 56_000)).toBe(true);
    expect(ban.isBanned("198.51.100.7", 56_000)).toBe(true);
    expect(ban.isBanned("198.51.100.7", 356_000 - 1)).toBe(true);
    expect(ban.isBanned("198.51.100.7", 356_000)).toBe(false);
    expect(ban.isBanned("198.51.100.8", 56_000)).toBe(false);
  });

  it("does not ban 15 failures spread over more than a minute", () => {
    const ban = new AuthFailureBan(policy);
    for (let i = 0; i < 30; i++) expect(ban.recordFailure("a", i * 5000)).toBe(false);
  });

  it("forgets the least recently seen address past the table's bound", () => {
    const ban = new AuthFailureBan({ ...policy, maxFailures: 2 });
    ban.recordFailure("a", 0);
    ban.recordFailure("b", 1);
    ban.recordFailure("c", 2);
    ban.recordFailure("d", 3); // evicts a
    expect(ban.size).toBe(3);
    expect(ban.recordFailure("a", 4)).toBe(false); // a's first failure counted afresh
    expect(ban.recordFailure("d", 5)).toBe(true);
  });

  it("prunes entries with no ban and no recent failure", () => {
    const ban = new AuthFailureBan(policy);
    ban.recordFailure("a", 0);
    ban.prune(60_001);
    expect(ban.size).toBe(0);
  });
});
