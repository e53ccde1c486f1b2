import { describe, expect, it } from "vitest";
import { parseDmiIdentity } from "./parseDmiIdentity.js";

describe("parseDmiIdentity", () => {
  it.each([
    ["PC Engines\n", "apu2\n", "PC Engines apu2"],
    ["Protectli\n", "VP2420\n", "Protectli VP2420"],
    // Some makers repeat themselves in the product name.
    ["Dell Inc.\n", "Dell Inc. OptiPlex 3000\n", "Dell Inc. OptiPlex 3000"],
    ["To be filled by O.E.M.\n", "Q355G4\n", "Q355G4"],
    ["Default string\n", "  NUC7i3BNH   \n", "NUC7i3BNH"],
    [null, "apu4\n", "apu4"],
  ])("%j + %j gives %j", (vendor, product, model) => {
    expect(parseDmiIdentity(vendor, product)?.model).toBe(model);
  });

  it("names nothing when the product is a placeholder or absent", () => {
    expect(parseDmiIdentity("System manufacturer\n", "System Product Name\n")).toBeUndefined();
    expect(parseDmiIdentity("ASUS\n", "To be filled by O.E.M.\n")).toBeUndefined();
    expect(parseDmiIdentity("PC Engines\n", null)).toBeUndefined();
    expect(parseDmiIdentity(null, "\0\0\0\n")).toBeUndefined();
  });

  it("leaves every other field to the release files", () => {
    const identity = parseDmiIdentity("PC Engines\n", "apu2\n");
    expect(identity).toMatchObject({ firmware: null, kernel: null, hostname: null, board: null });
  });
});
