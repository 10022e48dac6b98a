/** What the scout is asked to do: the part of the prompt that changes from run to run. */
export interface ScoutRequest {
  /** Topics to watch, e.g. `['ai agents', 'robotics']`. */
  readonly interests: readonly string[];
  /** The day the brief is written for (`YYYY-MM-DD`); recency is measured from it. */
  readonly asOf: string;
  /** Read (investigate) at most this many articles. */
  readonly maxArticles: number;
}

/**
 * The agent's instructions (its system prompt). A real model follows them; the offline model
 * implements them (see `OfflineScoutModel`), so both produce the same kind of brief.
 */
export const scoutInstructions = `You are News Scout, an agent that finds the news that matters for a reader's interests and writes a short briefing.

How to work:
1. Call search_news once for each interest (use the interest as the query).
2. Score every article you found from 0 to 10: relevance to the interests (0-4; an article that serves several interests scores higher), recency (0-3, from the date you are given, falling to 0 at three weeks), and how reliable the source is (0-3).
3. Call investigate on the best-scoring articles, one at a time, best first, up to the number you are told to read. Skip articles that are barely about the interests or come from an unreliable outlet.
4. If the top story links to a primary source (a paper, an announcement), call fetch_url on it once and check that it supports the story.
5. Write the briefing in Markdown, from what investigate returned, without inventing facts:
   "# News Scout brief: <interests>", a line with the date and what you read,
   "## Send now" with the stories scoring 8.5 or more (title, source, date, score, two sentences, why it matters, the URL),
   "## Digest" with the other stories you read (one line each),
   "## Discarded" with what you found but did not read, and why.`;

/** The user prompt for a request. Its first lines are the request, in a form people and parsers read alike. */
export function scoutPrompt(request: ScoutRequest): string {
  return [
    'Find the news that matters for these interests:',
    ...request.interests.map((interest) => `- ${interest}`),
    '',
    `Today is ${request.asOf}. Read at most ${request.maxArticles} articles.`,
  ].join('\n');
}

/** The request in a prompt written by {@link scoutPrompt}, or `undefined` if the prompt is not one. */
export function parseScoutPrompt(prompt: string): ScoutRequest | undefined {
  const lines = prompt.split('\n');
  const start = lines.findIndex((line) => /interests:\s*$/i.test(line.trim()));
  if (start < 0) return undefined;
  const interests: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const item = /^\s*[-*]\s+(.+?)\s*$/.exec(line);
    if (!item) break;
    interests.push(item[1]!);
  }
  const asOf = /Today is (\d{4}-\d{2}-\d{2})/.exec(prompt)?.[1];
  const maxArticles = Number(/Read at most (\d+) articles/.exec(prompt)?.[1] ?? 4);
  if (interests.length === 0 || !asOf) return undefined;
  return { interests, asOf, maxArticles };
}
