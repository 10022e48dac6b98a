import type { DocumentLink } from './corpus/corpus-document.js';

/** One search result: enough to judge a story before reading it. */
export interface SearchHit {
  readonly title: string;
  readonly url: string;
  /** The outlet's name (offline) or the site's host (live). */
  readonly source: string;
  /** `YYYY-MM-DD`. */
  readonly publishedAt: string;
  /** The first sentence, or what the search service returns. */
  readonly snippet: string;
  readonly tags: readonly string[];
}

/** A fetched page as text. */
export interface FetchedPage {
  readonly url: string;
  /** HTTP status (404 for a URL the offline corpus does not have). */
  readonly status: number;
  readonly contentType: string;
  readonly title: string;
  readonly source: string;
  /** `YYYY-MM-DD` when known, else empty. */
  readonly publishedAt: string;
  /** The readable text, paragraphs separated by blank lines. */
  readonly text: string;
  readonly links: readonly DocumentLink[];
}

/**
 * Where the scout's tools get news from: the bundled offline corpus, or the web (`--live`).
 * The tools — and so the checkpoints — are the same either way.
 */
export interface NewsSource {
  /** For people: what is being searched ("bundled corpus: 22 fictional articles"). */
  readonly description: string;
  /** Articles matching a query, best first. */
  search(query: string, options: { readonly limit: number; readonly signal?: AbortSignal }): Promise<SearchHit[]>;
  /** A page by URL. A missing page resolves with its status (404), it does not throw. */
  read(url: string, options: { readonly signal?: AbortSignal }): Promise<FetchedPage>;
}
