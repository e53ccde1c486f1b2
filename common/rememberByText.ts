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
