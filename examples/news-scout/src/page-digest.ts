/** What `investigate` makes of a page: the gist, in the page's own words. */
export interface PageDigest {
  /** The lede: the first one or two sentences. */
  readonly summary: string;
  /** Sentences with figures from the body (at most two). */
  readonly keyPoints: readonly string[];
  /** Why the story matters, as the page says it (the first sentence of its last paragraph). */
  readonly whyItMatters: string;
  /** Length of the text, in words. */
  readonly words: number;
}

/**
 * An extractive digest of a page's text (paragraphs separated by blank lines). Extractive on
 * purpose: it quotes the page instead of paraphrasing it, so the brief never says more than the
 * source did, and the same page always gives the same digest.
 */
export function digestPage(text: string): PageDigest {
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.replace(/\s+/g, ' ').trim())
    .filter((paragraph) => paragraph.length > 0);
  const [lede = '', ...rest] = paragraphs;
  const body = rest.length > 1 ? rest.slice(0, -1) : rest;
  const last = rest.length > 1 ? rest[rest.length - 1]! : '';
  return {
    summary: sentences(lede).slice(0, 2).join(' '),
    keyPoints: body
      .flatMap(sentences)
      .filter((sentence) => /\d/.test(sentence))
      .slice(0, 2),
    whyItMatters: firstSentence(last),
    words: text.split(/\s+/).filter(Boolean).length,
  };
}

/** The sentences of a paragraph (split after `.`, `!` or `?` followed by a space and a capital or digit). */
export function sentences(paragraph: string): string[] {
  return paragraph
    .split(/(?<=[.!?])\s+(?=["'‘“(]?[A-Z0-9$])/)
    .map((sentence) => sentence.trim())
    .filter(Boolean);
}

/** The first sentence of a paragraph. */
export function firstSentence(paragraph: string): string {
  return sentences(paragraph)[0] ?? '';
}
