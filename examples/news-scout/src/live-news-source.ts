import type { DocumentLink } from './corpus/corpus-document.js';
import { hostOf } from './corpus/news-corpus.js';
import type { FetchedPage, NewsSource, SearchHit } from './news-source.js';

/** Options of {@link liveNewsSource}. */
export interface LiveNewsSourceOptions {
  /** The Hacker News search API (Algolia). Default `https://hn.algolia.com/api/v1`; `NEWS_SCOUT_HN_URL` overrides it. */
  readonly searchUrl?: string;
  /** Give up on a request after this many ms (default 15 000). */
  readonly timeoutMs?: number;
  /** Read at most this many characters of a page (default 200 000). */
  readonly maxBytes?: number;
}

const userAgent = 'keel-news-scout/0.1';

/**
 * The news source of a `--live` run: search is Hacker News (Algolia's public API, no key; stories only,
 * so results are what people shared, not a news index), and pages are fetched with the global
 * `fetch` and reduced to text. Both are real network calls — which is the point of making them
 * checkpoints: a resumed run does not fetch again what it already read.
 */
export function liveNewsSource(options: LiveNewsSourceOptions = {}): NewsSource {
  const searchUrl = (options.searchUrl ?? process.env['NEWS_SCOUT_HN_URL'] ?? 'https://hn.algolia.com/api/v1').replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxBytes = options.maxBytes ?? 200_000;
  return {
    description: 'live: Hacker News search, pages fetched from the web',
    async search(query, { limit, signal }) {
      const url = `${searchUrl}/search_by_date?tags=story&hitsPerPage=${limit}&query=${encodeURIComponent(query)}`;
      const response = await fetch(url, { headers: { 'user-agent': userAgent, accept: 'application/json' }, signal: withTimeout(signal, timeoutMs) });
      if (!response.ok) throw new Error(`Hacker News search answered ${response.status} for "${query}" (${url}).`);
      const body = (await response.json()) as { hits?: HackerNewsHit[] };
      return (body.hits ?? []).filter((hit) => hit.title).map(searchHit);
    },
    async read(url, { signal }) {
      const response = await fetch(url, {
        headers: { 'user-agent': userAgent, accept: 'text/html, text/plain;q=0.9, */*;q=0.5' },
        redirect: 'follow',
        signal: withTimeout(signal, timeoutMs),
      });
      const contentType = response.headers.get('content-type') ?? '';
      const raw = (await response.text()).slice(0, maxBytes);
      const html = /html|xml/i.test(contentType) || /^\s*</.test(raw);
      return {
        url: response.url || url,
        status: response.status,
        contentType,
        title: html ? htmlTitle(raw) : '',
        source: hostOf(response.url || url),
        publishedAt: html ? htmlDate(raw) : '',
        text: html ? htmlText(raw) : raw,
        links: html ? htmlLinks(raw, response.url || url) : [],
      };
    },
  };
}

interface HackerNewsHit {
  readonly title?: string;
  readonly url?: string | null;
  readonly objectID: string;
  readonly created_at?: string;
  readonly points?: number;
  readonly num_comments?: number;
  readonly story_text?: string | null;
}

function searchHit(hit: HackerNewsHit): SearchHit {
  const url = hit.url || `https://news.ycombinator.com/item?id=${hit.objectID}`;
  return {
    title: hit.title ?? '',
    url,
    source: hostOf(url).replace(/^www\./, ''),
    publishedAt: (hit.created_at ?? '').slice(0, 10),
    snippet: hit.story_text ? htmlText(hit.story_text).slice(0, 240) : `${hit.points ?? 0} points, ${hit.num_comments ?? 0} comments on Hacker News`,
    tags: [],
  };
}

function withTimeout(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

function htmlTitle(html: string): string {
  return decodeEntities(/<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

function htmlDate(html: string): string {
  const match =
    /<meta[^>]+(?:property|name)=["'](?:article:published_time|date|pubdate)["'][^>]+content=["'](\d{4}-\d{2}-\d{2})/i.exec(html) ??
    /<time[^>]+datetime=["'](\d{4}-\d{2}-\d{2})/i.exec(html);
  return match?.[1] ?? '';
}

/** The readable text of an HTML page: its paragraphs (or, without `<p>`, its text), blank-line separated. */
function htmlText(html: string): string {
  const cleaned = html.replace(/<(script|style|noscript|svg|nav|footer|header)[\s\S]*?<\/\1>/gi, ' ');
  const paragraphs = [...cleaned.matchAll(/<p[^>]*>([\s\S]*?)<\/p>/gi)].map((match) => inlineText(match[1] ?? '')).filter((text) => text.length > 40);
  if (paragraphs.length > 0) return paragraphs.join('\n\n');
  return inlineText(cleaned);
}

function htmlLinks(html: string, base: string): DocumentLink[] {
  const links: DocumentLink[] = [];
  for (const match of html.matchAll(/<a[^>]+href=["']([^"'#]+)["'][^>]*>([\s\S]*?)<\/a>/gi)) {
    const label = inlineText(match[2] ?? '');
    try {
      const url = new URL(match[1] ?? '', base).toString();
      if (label.length > 3 && /^https?:/.test(url) && hostOf(url) !== hostOf(base)) links.push({ label, url });
    } catch {
      continue;
    }
    if (links.length >= 5) break;
  }
  return links;
}

function inlineText(html: string): string {
  return decodeEntities(html.replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

function decodeEntities(text: string): string {
  const named: Record<string, string> = {
    amp: '&',
    lt: '<',
    gt: '>',
    quot: '"',
    apos: "'",
    nbsp: ' ',
    rsquo: '’',
    lsquo: '‘',
    ldquo: '“',
    rdquo: '”',
    mdash: '—',
    ndash: '–',
    hellip: '…',
  };
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, code: string) => {
    if (code.startsWith('#x') || code.startsWith('#X')) return String.fromCodePoint(Number.parseInt(code.slice(2), 16));
    if (code.startsWith('#')) return String.fromCodePoint(Number.parseInt(code.slice(1), 10));
    return named[code.toLowerCase()] ?? entity;
  });
}
