import { tool, type Tool } from 'ai';
import { z } from 'zod';
import type { CallObserver } from './call-observer.js';
import type { DocumentLink } from './corpus/corpus-document.js';
import type { NewsSource, SearchHit } from './news-source.js';
import { digestPage } from './page-digest.js';

/** What `search_news` returns. */
export interface SearchNewsResult {
  readonly query: string;
  readonly results: readonly SearchHit[];
}

/** What `investigate` returns: the page's gist, or why it could not be read. */
export interface InvestigateResult {
  readonly url: string;
  readonly status: number;
  readonly title: string;
  readonly source: string;
  readonly publishedAt: string;
  readonly summary: string;
  readonly keyPoints: readonly string[];
  readonly whyItMatters: string;
  readonly links: readonly DocumentLink[];
  readonly words: number;
}

/** What `fetch_url` returns. */
export interface FetchUrlResult {
  readonly url: string;
  readonly status: number;
  readonly contentType: string;
  readonly title: string;
  readonly text: string;
  /** Whether `text` was cut at `maxChars`. */
  readonly truncated: boolean;
}

/**
 * The scout's tools, as Vercel AI SDK tools: `search_news`, `investigate` (read and summarize a
 * URL) and `fetch_url` (the raw page, an escape hatch). They are plain tools — `durable()` makes each
 * call a checkpoint — over a {@link NewsSource}: the offline corpus or the web.
 */
export function createScoutTools(source: NewsSource, observer: CallObserver): ScoutTools {
  return {
    search_news: tool({
      description: 'Search recent news articles for a query. Returns title, url, source, date (YYYY-MM-DD), a snippet and tags per article, best match first.',
      inputSchema: z.object({
        query: z.string().describe('What to search for, e.g. one of the interests'),
        limit: z.number().int().min(1).max(20).optional().describe('How many results (default 6)'),
      }),
      execute: ({ query, limit }, { abortSignal }): Promise<SearchNewsResult> =>
        observer.observe('tool', 'search_news', query, async () => ({
          query,
          results: await source.search(query, { limit: limit ?? 6, ...(abortSignal ? { signal: abortSignal } : {}) }),
        })),
    }),
    investigate: tool({
      description: 'Read an article and summarize it: its lede, the key figures, why it matters (in its own words) and the primary sources it links to.',
      inputSchema: z.object({ url: z.string().describe('The article URL, from search_news') }),
      execute: ({ url }, { abortSignal }): Promise<InvestigateResult> =>
        observer.observe('tool', 'investigate', url, async () => {
          const page = await source.read(url, abortSignal ? { signal: abortSignal } : {});
          const digest = page.status < 400 ? digestPage(page.text) : { summary: page.text, keyPoints: [], whyItMatters: '', words: 0 };
          return { url: page.url, status: page.status, title: page.title, source: page.source, publishedAt: page.publishedAt, links: page.links, ...digest };
        }),
    }),
    fetch_url: tool({
      description: 'Fetch any URL and return its text as is (cut at maxChars). Use it to check a claim at its primary source.',
      inputSchema: z.object({
        url: z.string(),
        maxChars: z.number().int().min(200).max(20_000).optional().describe('Cut the text here (default 4000)'),
      }),
      execute: ({ url, maxChars }, { abortSignal }): Promise<FetchUrlResult> =>
        observer.observe('tool', 'fetch_url', url, async () => {
          const page = await source.read(url, abortSignal ? { signal: abortSignal } : {});
          const limit = maxChars ?? 4000;
          return {
            url: page.url,
            status: page.status,
            contentType: page.contentType,
            title: page.title,
            text: page.text.slice(0, limit),
            truncated: page.text.length > limit,
          };
        }),
    }),
  };
}

/** The scout's tool set. */
export type ScoutTools = {
  search_news: Tool<{ query: string; limit?: number | undefined }, SearchNewsResult>;
  investigate: Tool<{ url: string }, InvestigateResult>;
  fetch_url: Tool<{ url: string; maxChars?: number | undefined }, FetchUrlResult>;
};
