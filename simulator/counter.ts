/**
 * A byte or packet counter driven by a rate: its value at any simulated time is a pure function
 * of the rate changes before it, so reading it after one big `advance` or many small ones gives
 * the same number (a run does not depend on the tick length).
 */
export class Counter {
  private base = 0;
  private since = 0;
  /** Units per second. */
  rate = 0;

  value(t: number): number {
    return this.base + Math.floor((this.rate * (t - this.since)) / 1000);
  }

  setRate(t: number, rate: number): void {
    this.base = this.value(t);
    this.since = t;
    this.rate = rate;
  }

  addRate(t: number, delta: number): void {
    this.setRate(t, this.rate + delta);
  }

  /** Restarts from `start` at time t (a reboot, a new association), keeping the rate. */
  reset(t: number, start = 0): void {
    this.base = start;
    this.since = t;
  }

  /** Adds a one-off amount (a burst that is not worth a rate). */
  add(t: number, amount: number): void {
    this.base = this.value(t) + amount;
    this.since = t;
  }
}
