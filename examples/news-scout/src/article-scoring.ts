import { outletOf } from './corpus/news-corpus.js';
import type { SearchHit } from './news-source.js';
import type { ScoutRequest } from './scout-request.js';
import { queryTerms, stemSet, termCoverage } from './text-terms.js';

/** An article's score out of 10, and what it is made of. */
export interface ArticleScore {
  /** relevance + recency + source, rounded to one decimal. */
  readonly total: number;
  /** 0–4: how much the article is about an interest (its title and tags count most, then the snippet); +0.5 per other interest it also serves. */
  readonly relevance: number;
  /** 0–3: 3 on the day, falling to 0 at three weeks old. */
  readonly recency: number;
  /** 0–3: the outlet's reliability (0.5 for an outlet the scout does not know). */
  readonly source: number;
  /** The interest it serves best. */
  readonly interest: string;
  /** Every interest it serves (the best first): the best, and the others with relevance of at least 2. */
  readonly interests: readonly string[];
}

/** A candidate article with its score. */
export interface RankedArticle {
  readonly hit: SearchHit;
  readonly score: ArticleScore;
}

/** The scout's reading list: what to investigate, and what to leave, with a reason. */
export interface ReadingPlan {
  readonly picked: readonly RankedArticle[];
  readonly discarded: readonly (RankedArticle & { readonly reason: string })[];
}

const dayMs = 86_400_000;
/** Below this relevance an article is not read, however fresh. */
const minimumRelevance = 1;
/** Below this total an article is not read. */
const minimumTotal = 5;
/** Outlets this unreliable (a source score under 1.5, reliability under 0.5) are not read at all. */
const minimumSource = 1.5;

/**
 * Scores a search result for a request: relevance to the interests, recency from `request.asOf`, and
 * the source's reliability. Pure and deterministic: the same hit and request always give the same
 * score, which is what lets a resumed or replayed run make the same choices.
 */
export function scoreArticle(hit: SearchHit, request: Pick<ScoutRequest, 'interests' | 'asOf'>): ArticleScore {
  const fields = { title: stemSet(hit.title), tags: stemSet(hit.tags.join(' ')), snippet: stemSet(hit.snippet) };
  const perInterest = request.interests.map((interest) => {
    const terms = queryTerms(interest);
    const raw = 3 * termCoverage(terms, fields.title) + 3 * termCoverage(terms, fields.tags) + termCoverage(terms, fields.snippet);
    return { interest, relevance: (raw * 3.5) / 7 };
  });
  const best = perInterest.reduce((left, right) => (right.relevance > left.relevance ? right : left), { interest: request.interests[0] ?? '', relevance: 0 });
  const others = perInterest.filter((entry) => entry !== best && entry.relevance >= 2);
  // Parts are rounded before they are added, so a brief that shows them adds up.
  const relevance = round(Math.min(4, best.relevance + 0.5 * others.length));
  const recency = round(recencyScore(hit.publishedAt, request.asOf));
  const source = round(3 * (outletOf(hit.url)?.reliability ?? 0.5));
  return {
    total: round(relevance + recency + source),
    relevance,
    recency,
    source,
    interest: best.interest,
    interests: [best.interest, ...others.map((entry) => entry.interest)],
  };
}

/** Every distinct article found (by URL), scored, best first (ties: newest, then by URL). */
export function rankArticles(hits: readonly SearchHit[], request: Pick<ScoutRequest, 'interests' | 'asOf'>): RankedArticle[] {
  const unique = new Map<string, SearchHit>();
  for (const hit of hits) if (!unique.has(hit.url)) unique.set(hit.url, hit);
  return [...unique.values()]
    .map((hit) => ({ hit, score: scoreArticle(hit, request) }))
    .sort(
      (left, right) =>
        right.score.total - left.score.total || right.hit.publishedAt.localeCompare(left.hit.publishedAt) || left.hit.url.localeCompare(right.hit.url),
    );
}

/** The articles worth reading (the best `maxArticles` that are relevant enough), and the rest with why. */
export function planReading(ranked: readonly RankedArticle[], maxArticles: number): ReadingPlan {
  const picked: RankedArticle[] = [];
  const discarded: (RankedArticle & { reason: string })[] = [];
  for (const article of ranked) {
    const { score } = article;
    const worthReading = score.relevance >= minimumRelevance && score.source >= minimumSource && score.total >= minimumTotal;
    if (worthReading && picked.length < maxArticles) picked.push(article);
    else discarded.push({ ...article, reason: discardReason(article, maxArticles) });
  }
  return { picked, discarded };
}

function discardReason({ hit, score }: RankedArticle, maxArticles: number): string {
  if (score.relevance < minimumRelevance) return 'barely about your interests';
  if (score.source < minimumSource) return 'less reliable source';
  if (score.recency < 1) return `old news (${hit.publishedAt || 'undated'})`;
  return `scored below the top ${maxArticles}`;
}

function recencyScore(publishedAt: string, asOf: string): number {
  const published = Date.parse(publishedAt);
  const today = Date.parse(asOf);
  if (Number.isNaN(published) || Number.isNaN(today)) return 1.5;
  const ageDays = Math.max(0, (today - published) / dayMs);
  return 3 * Math.max(0, 1 - ageDays / 21);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
