/**
 * Where a speed test goes: the test server's endpoints under its base URL, the label support
 * sees in the result, and the check of a configured `--speedtest-url`.
 */

export type TestEndpoint = "ping" | "download" | "upload";

/** `<base>/<endpoint>`, keeping any path (and query) the base URL already has. */
export function endpointUrl(base: URL, endpoint: TestEndpoint, bytes?: number): URL {
  const url = new URL(base.href);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/${endpoint}`;
  url.hash = "";
  if (bytes !== undefined) url.searchParams.set("bytes", String(bytes));
  return url;
}

/** `host:port` as the result's `server` shows it (`collector.example:8080`). */
export function serverLabel(base: URL): string {
  const port = base.port || (base.protocol === "https:" ? "443" : "80");
  return `${base.hostname}:${port}`;
}

/** A problem with a test server URL, or null: http or https, with a host, no credentials in it. */
export function testServerUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `expected an http:// or https:// URL, got ${JSON.stringify(text.slice(0, 80))}`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `expected an http:// or https:// URL, got ${url.protocol}//`;
  }
  if (!url.hostname) return "the URL has no host";
  if (url.username || url.password) return "credentials do not belong in the URL (the test's token is sent)";
  return null;
}
