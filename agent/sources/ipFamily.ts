/**
 * `isIP` from node:net, remembered per address text (common/rememberByText.ts): node's isIP is
 * two regular expressions, microseconds an address without the JIT. The answer depends on the
 * text alone, so the parsers stay pure.
 */
import { isIP } from "node:net";
import { rememberByText } from "../../common/rememberByText.js";

/** More than a large household's addresses. */
const REMEMBERED = 4096;

/** 4, 6 or 0 (not an address), as isIP. */
export const ipFamily: (text: string) => number = rememberByText(isIP, REMEMBERED);
