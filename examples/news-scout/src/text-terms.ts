/** Words that say nothing about a topic; left out of queries and interests. */
const stopWords = new Set([
  'a',
  'an',
  'and',
  'are',
  'as',
  'at',
  'be',
  'by',
  'for',
  'from',
  'in',
  'into',
  'is',
  'it',
  'its',
  'of',
  'on',
  'or',
  'the',
  'to',
  'with',
]);

/** Suffixes folded away so that "robotics", "robotic" and "robots" all mean "robot". Longest first. */
const suffixes = ['ations', 'ation', 'ics', 'ing', 'ers', 'ic', 'er', 'ed', 's'];

/**
 * The stem of a word, deliberately crude: lower case, one common suffix removed (when at least four
 * letters remain), "ies" → "y". Two words match when their stems are equal. It is what a search box
 * does, not linguistics — good enough to tell a robotics story from a biotech one, and predictable.
 */
export function stem(word: string): string {
  const lower = word.toLowerCase();
  if (lower.length > 5 && lower.endsWith('ies')) return `${lower.slice(0, -3)}y`;
  for (const suffix of suffixes) {
    if (lower.endsWith(suffix) && lower.length - suffix.length >= 4) return lower.slice(0, -suffix.length);
  }
  return lower;
}

/** The words of a text, lower case, without punctuation (digits kept: "2 nm", "4,000"). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+(?:['’][a-z]+)?/g) ?? [];
}

/** The distinct stems of a query or an interest, without stop words: what must be found. */
export function queryTerms(text: string): string[] {
  return [
    ...new Set(
      words(text)
        .filter((word) => !stopWords.has(word))
        .map(stem),
    ),
  ];
}

/** The set of stems of a text, for matching terms against it. */
export function stemSet(text: string): Set<string> {
  return new Set(words(text).map(stem));
}

/** The share (0–1) of `terms` that occur in `stems`. */
export function termCoverage(terms: readonly string[], stems: ReadonlySet<string>): number {
  if (terms.length === 0) return 0;
  return terms.filter((term) => stems.has(term)).length / terms.length;
}
