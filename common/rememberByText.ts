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
      answer = compute(text);
      if (answers.size >= limit) answers.clear();
      answers.set(text, answer);
    }
    return answer;
  };
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
