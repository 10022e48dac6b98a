import { corpusArticles } from './corpus-articles.js';
import type { CorpusDocument, NewsOutlet } from './corpus-document.js';
import { corpusOutlets } from './corpus-outlets.js';
import { corpusPages } from './corpus-pages.js';

/**
 * The day the offline corpus is "as of": its newest story is from this day, and recency is measured
 * from it, so an offline run scores the same next year as today.
 */
export const corpusAsOf = '2026-11-24';

const byUrl = new Map<string, CorpusDocument>([...corpusArticles, ...corpusPages].map((document) => [normalizeUrl(document.url), document]));

/** Every document of the corpus: the articles, then the primary sources they link to. */
export function corpusDocuments(): readonly CorpusDocument[] {
  return [...corpusArticles, ...corpusPages];
}

/** The corpus document at `url` (trailing slashes, fragments and letter case of the host ignored). */
export function corpusDocument(url: string): CorpusDocument | undefined {
  return byUrl.get(normalizeUrl(url));
}

/** The outlet a URL belongs to, if it is one of the corpus's outlets. */
export function outletOf(url: string): NewsOutlet | undefined {
  const host = hostOf(url);
  return corpusOutlets.find((outlet) => host === outlet.domain || host.endsWith(`.${outlet.domain}`));
}

/** The host name of a URL, lower case; empty for something that is not a URL. */
export function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
}

function normalizeUrl(url: string): string {
  try {
    const parsed = new URL(url.trim());
    parsed.hash = '';
    return `${parsed.protocol}//${parsed.host.toLowerCase()}${parsed.pathname.replace(/\/+$/, '')}${parsed.search}`;
  } catch {
    return url.trim();
  }
}
