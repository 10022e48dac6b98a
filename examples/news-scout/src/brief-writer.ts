import type { RankedArticle } from './article-scoring.js';
import { firstSentence } from './page-digest.js';
import type { FetchUrlResult, InvestigateResult } from './scout-tools.js';
import type { ScoutRequest } from './scout-request.js';
import { queryTerms, stemSet, termCoverage } from './text-terms.js';

/** A story the scout read: its score and what `investigate` returned. */
export interface ReadStory {
  readonly article: RankedArticle;
  readonly investigation: InvestigateResult;
}

/** Everything the brief is written from: nothing else goes into it. */
export interface BriefMaterial {
  readonly request: ScoutRequest;
  readonly searches: number;
  /** Distinct articles the searches found. */
  readonly found: number;
  /** The stories read, best first. */
  readonly read: readonly ReadStory[];
  readonly discarded: readonly (RankedArticle & { readonly reason: string })[];
  /** The top story checked at its primary source, if the scout did. */
  readonly primaryCheck?: { readonly storyUrl: string; readonly label: string; readonly page: FetchUrlResult };
  /** The model id that wrote it. */
  readonly writer: string;
}

/** Stories at or above this score are "Send now"; the other stories read go to the digest. */
export const sendNowScore = 8.5;

/**
 * Writes the brief in Markdown from what the tools returned — "Send now", "Digest", "Discarded", as
 * in Kitaru's News Scout. Every sentence about a story is quoted from the story's own digest.
 */
export function writeBrief(material: BriefMaterial): string {
  const { request, read } = material;
  const readable = read.filter((story) => story.investigation.status < 400);
  const unreadable = read.filter((story) => story.investigation.status >= 400);
  const sendNow = readable.filter((story) => story.article.score.total >= sendNowScore);
  const digest = readable.filter((story) => story.article.score.total < sendNowScore);
  const lines: string[] = [
    `# News Scout brief: ${request.interests.join(', ')}`,
    '',
    `*${request.asOf} · ${plural(material.searches, 'search', 'searches')} · ${plural(material.found, 'article')} found · ${readable.length} read · written by ${material.writer}*`,
    '',
    '## Send now',
    '',
  ];
  if (sendNow.length === 0) lines.push('Nothing scored high enough to send today.', '');
  sendNow.forEach((story, index) => lines.push(...storySection(story, index + 1, material.primaryCheck)));
  lines.push('## Digest', '');
  if (digest.length === 0) lines.push('Nothing else worth reading.');
  for (const { article, investigation } of digest) {
    lines.push(
      `- **${investigation.title || article.hit.title}** (${article.hit.source}, ${article.hit.publishedAt}, ${article.score.total.toFixed(1)}/10): ${firstSentence(investigation.summary)} <${article.hit.url}>`,
    );
  }
  lines.push('', '## Discarded', '');
  if (material.discarded.length === 0 && unreadable.length === 0) lines.push('Nothing: every article found was read.');
  for (const { article, investigation } of unreadable) {
    lines.push(`- ${article.hit.title} (${article.hit.source}): could not be read (HTTP ${investigation.status}).`);
  }
  for (const { hit, score, reason } of material.discarded) {
    lines.push(`- ${hit.title} (${hit.source}, ${hit.publishedAt || 'undated'}, ${score.total.toFixed(1)}/10): ${reason}.`);
  }
  return `${lines.join('\n')}\n`;
}

function storySection({ article, investigation }: ReadStory, position: number, check: BriefMaterial['primaryCheck']): string[] {
  const { hit, score } = article;
  const lines = [
    `### ${position}. ${investigation.title || hit.title}`,
    '',
    `*${hit.source} · ${hit.publishedAt} · score ${score.total.toFixed(1)}/10 (relevance ${score.relevance.toFixed(1)}, recency ${score.recency.toFixed(1)}, source ${score.source.toFixed(1)}) · for ${score.interests.map((interest) => `"${interest}"`).join(' and ')}*`,
    '',
    investigation.summary,
    '',
  ];
  if (investigation.keyPoints.length > 0) lines.push(...investigation.keyPoints.map((point) => `- ${point}`), '');
  if (investigation.whyItMatters) lines.push(`**Why it matters:** ${investigation.whyItMatters}`, '');
  if (check && check.storyUrl === hit.url) lines.push(primaryCheckLine(investigation, check), '');
  lines.push(`<${hit.url}>`, '');
  return lines;
}

function primaryCheckLine(investigation: InvestigateResult, check: NonNullable<BriefMaterial['primaryCheck']>): string {
  const { page, label } = check;
  if (page.status >= 400) return `Could not check ${label} (<${page.url}>, HTTP ${page.status}).`;
  // "Supported" is a modest claim: the primary source talks about what the story's title says it does.
  const supported = termCoverage(queryTerms(investigation.title), stemSet(`${page.title} ${page.text}`)) >= 0.4;
  const quote = firstSentence(page.text.split(/\n\s*\n/)[0] ?? '');
  return `**Checked at the source** ([${label}](${page.url})): ${supported ? 'it covers the same ground' : 'it does not obviously match the story; read it before sending'}. “${quote}”`;
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
