import { describe, expect, it } from "vitest";
import { classifyDevice, matchingRules } from "./classifyDevice.js";
import { compileDeviceRules, DeviceRulesError, defaultDeviceRules } from "./deviceRules.js";
import rulesFile from "./deviceRules.json" with { type: "json" };

const rules = defaultDeviceRules();

describe("deviceRules.json", () => {
  it("has a version and compiles", () => {
    expect(rules.version).toBeGreaterThanOrEqual(1);
    expect(rules.rules.length).toBe(rulesFile.rules.length);
  });

  describe("every rule passes its own test case", () => {
    for (const rule of rules.rules) {
      it(rule.id, () => {
        const { input, expect: expected } = rule.test;
        expect(
          matchingRules(input, rules).map((r) => r.id),
          "the rule matches its own test input",
        ).toContain(rule.id);
        const result = classifyDevice(input, rules);
        expect(result.deviceType).toBe(expected);
        if (expected === rule.deviceType) {
          expect(
            result.signals.map((s) => s.rule),
            "the rule is part of the decision",
          ).toContain(rule.id);
        }
      });
    }
  });
});

const valid = {
  id: "host-iphone",
  match: { hostname: "iphone" },
  deviceType: "phone",
  weight: 0.9,
  test: { input: { hostname: "iPhone" }, expect: "phone" },
};
const doc = (...rs: unknown[]) => ({ version: 1, minConfidence: 0.35, rules: rs });

describe("rules validation", () => {
  it("accepts a minimal valid file", () => {
    expect(compileDeviceRules(doc(valid)).rules.map((r) => r.id)).toEqual(["host-iphone"]);
  });

  it("names the rule in every problem and reports them all at once", () => {
    let error: unknown;
    try {
      compileDeviceRules(
        doc(
          valid,
          { ...valid }, // duplicate id
          { ...valid, id: "bad-regex", match: { hostname: "(unclosed" } },
          { ...valid, id: "bad-key", match: { hostnme: "x" } },
          { ...valid, id: "bad-type", deviceType: "toaster" },
          { ...valid, id: "bad-weight", weight: 1.5 },
          { ...valid, id: "no-test", test: undefined },
          { ...valid, id: "bad-prl", match: { prl: "1,3,x" } },
          { ...valid, id: "bad-only", onlyTypes: ["phone", "fridge"] },
        ),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeviceRulesError);
    expect((error as DeviceRulesError).problems).toEqual([
      'rule "host-iphone": id is used by another rule',
      expect.stringMatching(/^rule "bad-regex": match\.hostname is not a valid regular expression: /),
      'rule "bad-key": match.hostnme is not a signal (hostname, vendorClass, vendor, prl, prlIncludes, randomizedMac)',
      expect.stringMatching(/^rule "bad-type": deviceType must be one of phone, tablet, /),
      'rule "bad-weight": weight must be a number in (0, 1]',
      'rule "no-test": test must be { input: {...}, expect: <device type> }',
      'rule "bad-prl": match.prl must be an option list like "1,3,6" or a list of them',
      'rule "bad-only": onlyTypes must be a non-empty list of device types',
    ]);
    expect((error as Error).message).toContain('rule "bad-regex"');
  });

  it("rejects a file without version, threshold or rules", () => {
    expect(() => compileDeviceRules({ rules: [] })).toThrow(
      /version must be a positive integer\n {2}minConfidence must be a number between 0 and 1\n {2}rules must be a non-empty array/,
    );
    expect(() => compileDeviceRules([])).toThrow(/not a JSON object/);
  });

  it("names a rule without an id by its position", () => {
    expect(() => compileDeviceRules(doc(valid, { ...valid, id: "" }))).toThrow(
      'rule "#2": id must be a non-empty string',
    );
  });
});
