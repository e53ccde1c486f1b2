import { describe, expect, it } from "vitest";
import { endpointUrl, serverLabel, testServerUrlProblem } from "./testServerUrls.js";

describe("test server URLs", () => {
  it("endpoints go under the base path", () => {
    expect(endpointUrl(new URL("http://c.example:8080"), "ping").href).toBe("http://c.example:8080/ping");
    expect(endpointUrl(new URL("https://c.example/speed/"), "upload").href).toBe(
      "https://c.example/speed/upload",
    );
    expect(endpointUrl(new URL("http://c.example/st?region=eu#x"), "download", 1048576).href).toBe(
      "http://c.example/st/download?region=eu&bytes=1048576",
    );
  });

  it("the server label always has a port", () => {
    expect(serverLabel(new URL("http://collector.example:8080/x"))).toBe("collector.example:8080");
    expect(serverLabel(new URL("https://collector.example"))).toBe("collector.example:443");
    expect(serverLabel(new URL("http://[::1]:9000"))).toBe("[::1]:9000");
  });

  it("a configured URL must be http(s) with a host and no credentials", () => {
    expect(testServerUrlProblem("https://speed.isp.example/t")).toBeNull();
    expect(testServerUrlProblem("http://10.0.0.1:8080")).toBeNull();
    expect(testServerUrlProblem("speed.isp.example")).toMatch(/expected an http/);
    expect(testServerUrlProblem("ftp://speed.isp.example")).toMatch(/ftp:/);
    expect(testServerUrlProblem("https://u:p@speed.isp.example")).toMatch(/credentials/);
  });
});
