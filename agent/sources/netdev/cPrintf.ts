/**
 * The subset of C printf that the kernel's /proc formats use (`%-16s`, `0x%-10x`, `%7llu`), so
 * tests and fixture generators produce the exact column spacing from the kernel's own format
 * strings instead of spacing typed by hand. Numbers may be bigint to print full u64 values.
 */
const SPEC = /%(-?)(\d*)(?:ll|l|h)?([sdux%])/g;

export function cPrintf(format: string, ...args: (string | number | bigint)[]): string {
  let next = 0;
  return format.replace(SPEC, (_match, left: string, width: string, conversion: string) => {
    if (conversion === "%") return "%";
    const arg = args[next++];
    if (arg === undefined) throw new Error(`cPrintf: missing argument ${next} for ${format}`);
    let text: string;
    if (conversion === "s") text = String(arg);
    else if (conversion === "x") text = BigInt(arg).toString(16);
    else text = BigInt(arg).toString(10);
    const w = width === "" ? 0 : Number(width);
    return left ? text.padEnd(w) : text.padStart(w);
  });
}
