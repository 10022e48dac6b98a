/**
 * @module News Scout, Keel's example agent: a Vercel AI SDK `ToolLoopAgent` made durable, inside a
 * Keel flow, with an offline model and news corpus so it runs with no key and no network.
 */
export {
  approvalQuestion,
  approvalWaitName,
  defaultInterests,
  defaultMaxArticles,
  newsScout,
  newsScoutBody,
  newsScoutFlowName,
  scoutSettings,
  type NewsScoutInput,
  type NewsScoutOutput,
} from './news-scout-flow.js';
export { createScoutAgent, type ScoutAgentOptions, type ScoutSettings } from './scout-agent.js';
export { createScoutTools, type FetchUrlResult, type InvestigateResult, type ScoutTools, type SearchNewsResult } from './scout-tools.js';
export {
  OfflineScoutModel,
  curiousOfflineModelId,
  offlineModelId,
  offlineProvider,
  terseOfflineModelId,
  type OfflineScoutModelOptions,
} from './offline-scout-model.js';
export { cheaperWriter, keepsStories, scoutExperiment, scoutPrice, type ScoutExperimentOptions } from './scout-experiments.js';
export { decideNextStep, type PlannedToolCall, type ScoutDecision } from './scout-decision.js';
export { planReading, rankArticles, scoreArticle, type ArticleScore, type RankedArticle, type ReadingPlan } from './article-scoring.js';
export { writeBrief, sendNowScore, type BriefMaterial, type ReadStory } from './brief-writer.js';
export { parseScoutPrompt, scoutInstructions, scoutPrompt, type ScoutRequest } from './scout-request.js';
export { chooseModel, defaultModels, describeModel, languageModel, parseModelSpec, type ModelChoice } from './model-choice.js';
export { callTotals, costBasisOf, illustrationModel, type CallTotals, type CostBasis } from './demo/call-totals.js';
export type { FetchedPage, NewsSource, SearchHit } from './news-source.js';
export { offlineNewsSource } from './offline-news-source.js';
export { liveNewsSource, type LiveNewsSourceOptions } from './live-news-source.js';
export { corpusAsOf, corpusDocument, corpusDocuments, outletOf } from './corpus/news-corpus.js';
export type { CorpusDocument, DocumentLink, NewsOutlet } from './corpus/corpus-document.js';
export { CallObserver, callObserver, type CallEvent, type CallObserverOptions } from './call-observer.js';
