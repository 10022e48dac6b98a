import { isStepCount, ToolLoopAgent } from 'ai';
import {
  callObserver,
  chooseModel,
  createScoutTools,
  languageModel,
  offlineNewsSource,
  scoutInstructions,
  type ModelChoice,
  type ScoutTools,
} from 'news-scout';

/**
 * The chat's agent: News Scout's model and tools (the offline model and corpus unless a key or
 * `NEWS_SCOUT_MODEL` says otherwise). `fetch_url` reads any page on the web, so the reader approves
 * each call of it in the chat: a Keel wait, answered from the browser.
 */
export function createChatAgent(choice: ModelChoice = chooseModel()): ToolLoopAgent<never, ScoutTools> {
  const observer = callObserver();
  const tools = createScoutTools(offlineNewsSource(), observer);
  return new ToolLoopAgent<never, ScoutTools>({
    id: 'scout',
    model: languageModel(choice, observer),
    instructions: scoutInstructions,
    tools: { ...tools, fetch_url: { ...tools.fetch_url, needsApproval: true } },
    stopWhen: isStepCount(14),
  });
}
