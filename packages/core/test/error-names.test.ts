import { describe, expect, it } from 'vitest';
import * as core from '../src/index.js';
import { KeelError } from '../src/index.js';

type ErrorClass = (new (fields: never) => KeelError) & { isInstance(error: unknown): boolean };

const errorClasses = Object.entries(core as Record<string, unknown>).filter(
  (entry): entry is [string, ErrorClass] => typeof entry[1] === 'function' && (entry[1] as ErrorClass).prototype instanceof KeelError,
);

/**
 * A stand-in for any constructor field (the message is not under test): it reads as text, iterates
 * as an empty list, and every property or call of it is another stand-in.
 */
const anything: unknown = new Proxy(function () {}, {
  get: (_target, key) =>
    key === Symbol.toPrimitive ? () => '<field>' : key === Symbol.iterator ? () => [][Symbol.iterator]() : key === 'length' ? 0 : anything,
  has: () => false,
  apply: () => anything,
});

/** The constructor fields that must be numbers (epoch ms turned into dates). */
const numbers = new Set(['deployedAt']);

/** Constructs an error class with stand-in fields. */
function instanceOf(ErrorClass: ErrorClass): KeelError {
  const fields = new Proxy({} as Record<string, unknown>, {
    get: (_target, key) => (typeof key !== 'string' ? undefined : numbers.has(key) ? 0 : anything),
  });
  return new ErrorClass(fields as never);
}

describe('error names', () => {
  it('every error class core exports keeps its name and isInstance when a minifier renames the class', () => {
    expect(errorClasses.length).toBeGreaterThan(15);
    for (const [exported, ErrorClass] of errorClasses) {
      const original = Object.getOwnPropertyDescriptor(ErrorClass, 'name')!;
      // What a minifier does: the class is called something else.
      Object.defineProperty(ErrorClass, 'name', { value: 'e', configurable: true });
      try {
        const error = instanceOf(ErrorClass);
        expect(error.name, exported).toBe(exported);
        expect(ErrorClass.isInstance(error), exported).toBe(true);
      } finally {
        Object.defineProperty(ErrorClass, 'name', original);
      }
    }
  });
});
