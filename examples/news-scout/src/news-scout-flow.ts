import { approvalSchema } from '@keel/adapter-vercel-ai';
import { checkpoint, flow, log, save, wait } from '@keel/core';
import { corpusAsOf } from './corpus/news-corpus.js';
import { chooseModel } from './model-choice.js';
import { createScoutAgent, type ScoutSettings } from './scout-agent.js';
import { scoutPrompt } from './scout-request.js';

/** The input of a News Scout execution; every field is optional. */
export interface NewsScoutInput {
  /** Topics, as a list or one comma-separated string (default `ai agents, robotics`). */
  readonly interests?: readonly string[] | string;
  /** `offline`, `openai[:<id>]` or `anthropic[:<id>]` (default: from the environment, see `chooseModel`). */
  readonly model?: string;
  /** Search and read the real web instead of the bundled corpus. */
  readonly live?: boolean;
  /** Read at most this many articles (1–10, default 5). */
  readonly maxArticles?: number;
  /** The day to write the brief for (default: the corpus's day offline, today live). */
  readonly asOf?: string;
}

/** What a News Scout execution returns (its `output` artifact). */
export interface NewsScoutOutput {
  readonly published: boolean;
  /** The artifact holding the published brief. */
  readonly report?: 'final_report';
  /** Why it was not published (the approver's reason). */
  readonly reason?: string;
  readonly interests: readonly string[];
  readonly model: string;
  /** The agent run's tokens (all model calls, whether made in this process or an earlier one). */
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
}

/** The flow's name, as `keel` commands and the store know it. */
export const newsScoutFlowName = 'news_scout';

/** The question of the approval wait, exactly. */
export const approvalQuestion = 'Approve publishing this brief?';

/** The approval wait's name. Its input is `{ approve: boolean, reason?: string }`. */
export const approvalWaitName = 'approve_publish';

/** How many articles a run reads when the input does not say. */
export const defaultMaxArticles = 5;

/** Interests when none are given. */
export const defaultInterests = ['ai agents', 'robotics'] as const;

/**
 * The News Scout flow body: settle the run's settings, let the durable agent search, read and write
 * the brief, save it as the `draft_report` artifact, wait for a person to approve publishing (a
 * durable wait: the process may exit), then publish it as the `final_report` artifact in the
 * `publish_report` checkpoint.
 */
export async function newsScoutBody(input: NewsScoutInput | null | undefined): Promise<NewsScoutOutput> {
  // A checkpoint, so that a resume (maybe on another machine, another day, with other keys set) keeps
  // the same model, date and interests, and so asks the same questions of the same model.
  const settings = await checkpoint('settings', () => scoutSettings(input ?? {}));
  const agent = createScoutAgent(settings);
  const result = await agent.generate({ prompt: scoutPrompt(settings) });
  const brief = result.text;
  const usage = { inputTokens: result.totalUsage.inputTokens ?? 0, outputTokens: result.totalUsage.outputTokens ?? 0 };
  const model = `${settings.model.provider}:${settings.model.modelId}`;
  await save('draft_report', brief, { type: 'markdown' });
  log.info('brief written', { characters: brief.length, steps: result.steps.length, ...usage });

  const answer = await wait(approvalWaitName, {
    schema: approvalSchema,
    question: approvalQuestion,
    metadata: { draft: 'draft_report', interests: settings.interests, stories: headlines(brief) },
  });
  if (!answer.approve) {
    log.warn('not published', { reason: answer.reason ?? '(none given)' });
    return { published: false, ...(answer.reason ? { reason: answer.reason } : {}), interests: settings.interests, model, usage };
  }
  await checkpoint(
    'publish_report',
    async () => {
      await save('final_report', brief, { type: 'markdown' });
      return { artifact: 'final_report', characters: brief.length };
    },
    { kind: 'tool' },
  );
  return { published: true, report: 'final_report', interests: settings.interests, model, usage };
}

/** The News Scout flow, on the default runtime (the `keel` CLI loads it through `keel.config.ts`). */
export const newsScout = flow(newsScoutFlowName, newsScoutBody);

/** The settings of a run, from its input and (for what the input leaves open) the environment. */
export function scoutSettings(input: NewsScoutInput): ScoutSettings {
  const given = typeof input.interests === 'string' ? input.interests.split(',') : (input.interests ?? []);
  const interests = [...new Set(given.map((interest) => interest.trim()).filter(Boolean))];
  const live = input.live === true;
  return {
    interests: interests.length > 0 ? interests : [...defaultInterests],
    asOf: input.asOf ?? (live ? new Date().toISOString().slice(0, 10) : corpusAsOf),
    maxArticles: Math.min(10, Math.max(1, Math.trunc(input.maxArticles ?? defaultMaxArticles))),
    model: chooseModel(input.model),
    live,
  };
}

/** The story headings of a brief (`### 1. Title`), for the approval's metadata. */
function headlines(brief: string): string[] {
  return [...brief.matchAll(/^###\s+(?:\d+\.\s+)?(.+)$/gm)].map((match) => match[1]!.trim());
}
