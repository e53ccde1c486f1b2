import { describe, expect, it } from "vitest";
import { vendorOf } from "./ouiVendor.js";

describe("vendorOf", () => {
  it("names the registered organisation of a universally administered MAC", () => {
    expect(vendorOf("b8:27:eb:12:34:56")).toBe("Raspberry Pi Foundation");
  });

  it("has no vendor for randomised, unknown or malformed addresses", () => {
    expect(vendorOf("d2:5f:3a:91:0c:7e")).toBeNull();
    expect(vendorOf(null)).toBeNull();
    expect(vendorOf("not-a-mac")).toBeNull();
  });
});
