/**
 * Messages the outbox's size limit pushed out after they were sent and before the broker
 * acknowledged them (both outboxes share this rule). The broker may have them: one whose
 * acknowledgement still comes was delivered; one whose connection goes first (rewind, close) is
 * lost, and only then counted as dropped.
 */
export class DroppedInFlight {
  readonly #ids = new Set<number>();

  add(id: number): void {
    this.#ids.add(id);
  }

  /** Its acknowledgement came: delivered after all. */
  acknowledged(id: number): void {
    this.#ids.delete(id);
  }

  /** The connection went: how many can no longer be acknowledged, now forgotten. */
  takeLost(): number {
    const lost = this.#ids.size;
    this.#ids.clear();
    return lost;
  }
}
