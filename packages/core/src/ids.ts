import { randomBytes } from 'node:crypto';

// Crockford's base32, lower case: no i, l, o, u, so ids survive being read aloud and typed.
const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

let lastTime = -1;
let lastRandom: number[] = [];

/**
 * A new execution id: `ex_` + 10 characters of creation time + 8 random characters, e.g.
 * `ex_01jdq3k8m2r7f3k9q2x`. Ids sort by creation time (also within one millisecond of one process),
 * which lets stores page and list newest-first without an index, and they are safe file names.
 */
export function newExecutionId(now = Date.now()): string {
  if (now === lastTime) {
    increment(lastRandom);
  } else {
    lastTime = now;
    lastRandom = [...randomBytes(8)].map((byte) => byte % 32);
  }
  let time = '';
  let rest = now;
  for (let index = 0; index < 10; index++) {
    time = alphabet[rest % 32] + time;
    rest = Math.floor(rest / 32);
  }
  return `ex_${time}${lastRandom.map((digit) => alphabet[digit]).join('')}`;
}

function increment(digits: number[]): void {
  for (let index = digits.length - 1; index >= 0; index--) {
    const digit = (digits[index] ?? 0) + 1;
    if (digit < 32) {
      digits[index] = digit;
      return;
    }
    digits[index] = 0;
  }
}
