import { planReading, rankArticles } from '../article-scoring.js';
import { corpusAsOf } from '../corpus/news-corpus.js';
import { offlineNewsSource } from '../offline-news-source.js';

/**
 * How many articles an offline run will investigate for these interests: the same search and scoring
 * the offline model does, done ahead so the demo can break the run in the middle of its reading.
 */
export async function forecastReading(interests: readonly string[], maxArticles: number): Promise<number> {
  const source = offlineNewsSource();
  const hits = (await Promise.all(interests.map((interest) => source.search(interest, { limit: 6 })))).flat();
  return planReading(rankArticles(hits, { interests, asOf: corpusAsOf }), maxArticles).picked.length;
}

/**
 * Which `investigate` call to break: the middle one of the reading (3 of 5), so that some reads are
 * done and some are not. At least the first.
 */
export function middleRead(reads: number): number {
  return Math.max(1, Math.ceil((reads + 1) / 2));
}
