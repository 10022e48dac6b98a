import { corpusArticles } from './corpus/corpus-articles.js';
import type { CorpusDocument } from './corpus/corpus-document.js';
import { corpusDocument, hostOf } from './corpus/news-corpus.js';
import type { FetchedPage, NewsSource, SearchHit } from './news-source.js';
import { firstSentence } from './page-digest.js';
import { queryTerms, stemSet, termCoverage } from './text-terms.js';

/**
 * The news source of an offline run: the bundled corpus of fictional articles. Search ranks by where
 * the query's words occur (title, then tags, then text), newest first among equals — a plain keyword
 * search, deliberately dumber than the scout's own scoring.
 */
export function offlineNewsSource(): NewsSource {
  return {
    description: `bundled corpus: ${corpusArticles.length} fictional articles`,
    async search(query, { limit }) {
      const terms = queryTerms(query);
      return corpusArticles
        .map((article) => ({ article, score: searchScore(article, terms) }))
        .filter(({ score }) => score > 0)
        .sort(
          (left, right) =>
            right.score - left.score || right.article.publishedAt.localeCompare(left.article.publishedAt) || left.article.url.localeCompare(right.article.url),
        )
        .slice(0, limit)
        .map(({ article }) => searchHit(article));
    },
    async read(url) {
      const document = corpusDocument(url);
      if (!document) {
        return {
          url,
          status: 404,
          contentType: 'text/plain',
          title: '',
          source: hostOf(url),
          publishedAt: '',
          text: `No page at ${url} in the offline corpus.`,
          links: [],
        };
      }
      return fetchedPage(document);
    },
  };
}

function searchScore(article: CorpusDocument, terms: readonly string[]): number {
  return (
    3 * termCoverage(terms, stemSet(article.title)) +
    2 * termCoverage(terms, stemSet(article.tags.join(' '))) +
    termCoverage(terms, stemSet(article.paragraphs.join(' ')))
  );
}

function searchHit(article: CorpusDocument): SearchHit {
  return {
    title: article.title,
    url: article.url,
    source: article.source,
    publishedAt: article.publishedAt,
    snippet: firstSentence(article.paragraphs[0] ?? ''),
    tags: article.tags,
  };
}

function fetchedPage(document: CorpusDocument): FetchedPage {
  return {
    url: document.url,
    status: 200,
    contentType: 'text/html',
    title: document.title,
    source: document.source,
    publishedAt: document.publishedAt,
    text: document.paragraphs.join('\n\n'),
    links: document.links ?? [],
  };
}
