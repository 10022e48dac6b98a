import { durable } from '@keel/adapter-vercel-ai';
import { isStepCount, ToolLoopAgent } from 'ai';
import { callObserver, type CallObserver } from './call-observer.js';
import { liveNewsSource } from './live-news-source.js';
import { languageModel, type ModelChoice } from './model-choice.js';
import type { NewsSource } from './news-source.js';
import { offlineNewsSource } from './offline-news-source.js';
import { scoutInstructions, type ScoutRequest } from './scout-request.js';
import { createScoutTools, type ScoutTools } from './scout-tools.js';

/** Everything a run of the scout is decided by; stored as the run's `settings` checkpoint. */
export interface ScoutSettings extends ScoutRequest {
  readonly model: ModelChoice;
  /** `true`: search and read the real web; `false`: the bundled corpus. */
  readonly live: boolean;
}

/** Options of {@link createScoutAgent}. */
export interface ScoutAgentOptions {
  /** Where news comes from (default: the offline corpus, or the web when `settings.live`). */
  readonly source?: NewsSource;
  /** Sees every call that really runs (default: the one the environment configures). */
  readonly observer?: CallObserver;
}

/**
 * The News Scout agent: a Vercel AI SDK `ToolLoopAgent` with `search_news`, `investigate` and
 * `fetch_url`, made durable with `durable()` from `@keel/adapter-vercel-ai`. Inside a Keel flow each
 * model request and tool call is a checkpoint under `scout:1`, so a resumed run takes every finished
 * call from the store and makes only the ones that did not finish.
 *
 * Build it inside the flow body, from the run's stored settings (as Kitaru's News Scout builds its
 * agent lazily): the model then never depends on the environment of whichever process resumes.
 */
export function createScoutAgent(settings: ScoutSettings, options: ScoutAgentOptions = {}): ToolLoopAgent<never, ScoutTools> {
  const observer = options.observer ?? callObserver();
  const source = options.source ?? (settings.live ? liveNewsSource() : offlineNewsSource());
  const agent = new ToolLoopAgent<never, ScoutTools>({
    id: 'scout',
    model: languageModel(settings.model, observer),
    instructions: scoutInstructions,
    tools: createScoutTools(source, observer),
    // Searches, one read per article, a source check and the brief, with room for a real model's detours.
    stopWhen: isStepCount(settings.maxArticles + 8),
  });
  // Tools get one more attempt (a page that timed out); model calls are already retried by the SDK.
  return durable(agent, { retries: { tool: 1 } });
}
