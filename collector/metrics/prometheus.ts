/**
 * Prometheus text exposition format (version 0.0.4), written by hand: the collector exposes a
 * few dozen series and needs no client library for that.
 */
import type { Histogram } from "./histogram.js";

export type Labels = Record<string, string>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function formatLabels(labels: Labels | undefined): string {
  if (!labels) return "";
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length > 0 ? `{${parts.join(",")}}` : "";
}

function formatNumber(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return Number.isNaN(value) ? "NaN" : String(value);
}

export class MetricsWriter {
  readonly #lines: string[] = [];

  #header(name: string, type: string, help: string): void {
    this.#lines.push(`# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`);
    this.#lines.push(`# TYPE ${name} ${type}`);
  }

  counter(name: string, help: string, samples: number | Array<[Labels, number]>): this {
    this.#header(name, "counter", help);
    this.#samples(name, samples);
    return this;
  }

  gauge(name: string, help: string, samples: number | Array<[Labels, number]>): this {
    this.#header(name, "gauge", help);
    this.#samples(name, samples);
    return this;
  }

  histogram(name: string, help: string, histogram: Histogram): this {
    this.#header(name, "histogram", help);
    for (const { le, count } of histogram.cumulative()) {
      this.#lines.push(`${name}_bucket{le="${formatNumber(le)}"} ${count}`);
    }
    this.#lines.push(`${name}_sum ${formatNumber(histogram.sum)}`);
    this.#lines.push(`${name}_count ${histogram.count}`);
    return this;
  }

  #samples(name: string, samples: number | Array<[Labels, number]>): void {
    if (typeof samples === "number") {
      this.#lines.push(`${name} ${formatNumber(samples)}`);
      return;
    }
    for (const [labels, value] of samples)
      this.#lines.push(`${name}${formatLabels(labels)} ${formatNumber(value)}`);
  }

  toString(): string {
    return `${this.#lines.join("\n")}\n`;
  }
}
