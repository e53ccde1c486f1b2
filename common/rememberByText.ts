/**
 * A pure function of a text, remembered per text in a bounded map. The agent runs without V8's
 * JIT (--lite-mode), where regular expressions and per-character loops cost microseconds, while
 * its sources print the same few hundred MACs, addresses and iw values every cycle; a map lookup
 * of a string is native. Past `limit` texts the map is dropped and rebuilt, so memory stays
 * bounded whatever the input. The answers are shared: they must never be modified.
 */
export function rememberByText<T>(compute: (text: string) => T, limit: number): (text: string) => T {
  const answers = new Map<string, T>();
  return (text) => {
    let answer = answers.get(text);
    if (answer === undefined) {
      // Kept, with anything the answer cuts from it, for many cycles: a copy of its own.
      const own = detachedCopy(text);
      answer = compute(own);
      if (answers.size >= limit) answers.clear();
      answers.set(own, answer);
    }
    return answer;
  };
}

/**
 * A copy of a text that shares no memory with the string it was cut from. V8 makes a substring
 * (slice, split, a regular expression's group) of 13 characters or more a view of its parent,
 * so a MAC kept in a memo or a map would keep the whole 500-KB station dump it was read from
 * alive, a different dump for each entry: at 2,000 devices that filled the agent's 24-MB heap.
 * A concatenation is copied into a string of its own when it is sliced, and the slice views
 * only that. For what is kept across cycles; a cycle's own records may view its texts.
 */
export function detachedCopy(text: string): string {
  return ` ${text}`.slice(1);
}

/**
 * A pure function of a text whose last answer is kept while the text stays the same: a lease
 * file is read at every poll and changes only when a lease does. Comparing the texts is native;
 * the answer is shared, so it must never be modified.
 */
export function rememberLastText<T>(compute: (text: string) => T): (text: string) => T {
  let last: { text: string; answer: T } | null = null;
  return (text) => {
    if (last === null || last.text !== text) last = { text, answer: compute(text) };
    return last.answer;
  };
}

/**
 * A pure function of a line, applied to every line of a text, with the answers for the lines of
 * the last text kept for the next: a lease file is rewritten whole for one renewal, and every
 * other line comes back unchanged. Only the last text's lines are kept, so memory follows the
 * file, and an answer is computed from a copy of its line, so it keeps no earlier text alive. The
 * answers are shared, so they must never be modified.
 */
export function rememberLinesOfLastText<T>(compute: (line: string) => T): (lines: readonly string[]) => T[] {
  let last = new Map<string, T>();
  return (lines) => {
    const now = new Map<string, T>();
    const answers = lines.map((line) => {
      let answer = now.get(line) ?? last.get(line);
      // Kept for the next text, the answer must not view this one: computed from a copy.
      if (answer === undefined) answer = compute(detachedCopy(line));
      now.set(line, answer);
      return answer;
    });
    last = now;
    return answers;
  };
}
