/**
 * A small schema language for the wire contract: each schema both validates untrusted JSON
 * (collecting every error with its path, never throwing) and gives the static type the rest
 * of the code uses, so the types and the validation cannot disagree.
 * Unknown object keys are dropped, not rejected: a newer agent may add optional fields
 * within the same protocol version, and the collector stores only what it knows.
 */

export interface ValidationError {
  path: string;
  message: string;
}

export interface Schema<T> {
  /** Returns the typed value, or INVALID after pushing at least one error. */
  check(value: unknown, path: string, errors: ValidationError[]): T | typeof INVALID;
}

export const INVALID: unique symbol = Symbol("invalid");

export type Infer<S> = S extends Schema<infer T> ? T : never;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string")
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

function fail(errors: ValidationError[], path: string, message: string): typeof INVALID {
  if (errors.length < MAX_ERRORS) errors.push({ path: path || "(root)", message });
  return INVALID;
}

export interface StringOptions {
  max: number;
  min?: number;
  pattern?: RegExp;
  /** Shown in the error when the pattern does not match. */
  patternName?: string;
}

export function str(options: StringOptions): Schema<string> {
  const min = options.min ?? 0;
  return {
    check(value, path, errors) {
      if (typeof value !== "string") return fail(errors, path, `expected a string, got ${describe(value)}`);
      if (value.length < min) return fail(errors, path, `must be at least ${min} characters`);
      if (value.length > options.max) return fail(errors, path, `longer than ${options.max} characters`);
      if (options.pattern && !options.pattern.test(value)) {
        return fail(
          errors,
          path,
          `expected ${options.patternName ?? options.pattern.source}, got ${describe(value)}`,
        );
      }
      return value;
    },
  };
}

export function oneOf<const T extends readonly string[]>(values: T): Schema<T[number]> {
  return {
    check(value, path, errors) {
      if (typeof value === "string" && (values as readonly string[]).includes(value))
        return value as T[number];
      return fail(errors, path, `expected one of ${values.join(", ")}, got ${describe(value)}`);
    },
  };
}

export function literal<const T extends string | number | boolean>(expected: T): Schema<T> {
  return {
    check(value, path, errors) {
      if (value === expected) return expected;
      return fail(errors, path, `expected ${JSON.stringify(expected)}, got ${describe(value)}`);
    },
  };
}

export function int(min: number, max: number = Number.MAX_SAFE_INTEGER): Schema<number> {
  return {
    check(value, path, errors) {
      if (typeof value !== "number" || !Number.isInteger(value)) {
        return fail(errors, path, `expected an integer, got ${describe(value)}`);
      }
      if (value < min || value > max)
        return fail(errors, path, `must be between ${min} and ${max}, got ${value}`);
      return value;
    },
  };
}

export function num(min: number, max: number): Schema<number> {
  return {
    check(value, path, errors) {
      if (typeof value !== "number" || !Number.isFinite(value)) {
        return fail(errors, path, `expected a number, got ${describe(value)}`);
      }
      if (value < min || value > max)
        return fail(errors, path, `must be between ${min} and ${max}, got ${value}`);
      return value;
    },
  };
}

export const bool: Schema<boolean> = {
  check(value, path, errors) {
    if (typeof value === "boolean") return value;
    return fail(errors, path, `expected true or false, got ${describe(value)}`);
  },
};

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return {
    check(value, path, errors) {
      return value === null ? null : inner.check(value, path, errors);
    },
  };
}

export function array<T>(item: Schema<T>, maxItems: number): Schema<T[]> {
  return {
    check(value, path, errors) {
      if (!Array.isArray(value)) return fail(errors, path, `expected an array, got ${describe(value)}`);
      if (value.length > maxItems) return fail(errors, path, `more than ${maxItems} items (${value.length})`);
      const out: T[] = [];
      let bad = false;
      for (let i = 0; i < value.length; i++) {
        const checked = item.check(value[i], `${path}[${i}]`, errors);
        if (checked === INVALID) bad = true;
        else out.push(checked);
        // A hostile array of thousands of bad items must not build an error list as big as itself.
        if (errors.length >= MAX_ERRORS) return INVALID;
      }
      return bad ? INVALID : out;
    },
  };
}

/** Errors reported per message: enough to diagnose, bounded so a hostile payload cannot bloat logs. */
export const MAX_ERRORS = 20;

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never;
}[keyof S];
export type ObjectOf<S extends Shape> = {
  [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]>;
} & { [K in OptionalKeys<S>]?: Infer<S[K]> };

export interface OptionalSchema<T> extends Schema<T> {
  optional: true;
}

/** A key that may be absent; when present it must match. */
export function optional<T>(inner: Schema<T>): OptionalSchema<T> {
  return { optional: true, check: (value, path, errors) => inner.check(value, path, errors) };
}

export function object<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  const keys = Object.keys(shape);
  return {
    check(value, path, errors) {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return fail(errors, path, `expected an object, got ${describe(value)}`);
      }
      const input = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      let bad = false;
      for (const key of keys) {
        const schema = shape[key] as Schema<unknown> & { optional?: true };
        const fieldPath = path ? `${path}.${key}` : key;
        if (!Object.hasOwn(input, key)) {
          if (schema.optional) continue;
          fail(errors, fieldPath, "is required");
          bad = true;
          continue;
        }
        const checked = schema.check(input[key], fieldPath, errors);
        if (checked === INVALID) bad = true;
        else out[key] = checked;
        if (errors.length >= MAX_ERRORS) return INVALID;
      }
      return bad ? INVALID : (out as ObjectOf<S>);
    },
  };
}
