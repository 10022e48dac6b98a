import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { crashAfterCalls } from './crash-after-calls.js';
import { conformanceTurn } from './conformance-model.js';
import {
  conformanceAnswers,
  conformancePrompt,
  conformanceUsage,
  longLoopSteps,
  type ConformanceConfig,
  type ConformanceOutcome,
  type ConformanceScenario,
} from './conformance-protocol.js';
import type { FakeRequest } from './fake-request.js';
import { startFakeLLM, type FakeLLM } from './start-fake-llm.js';
import { jsonLine, killAllChildren, startChild, type ChildExit, type RunningChild } from './start-child.js';
import { toolResultsOf } from './tool-results.js';
import type { FakeTurn } from './turn.js';

/** Options of {@link runAdapterConformance}. */
export interface AdapterConformanceOptions {
  /** Names the suite (`adapter conformance: <name>`). */
  readonly name: string;
  /** Path of the adapter's conformance agent: a script that calls `serveConformanceAgent()`. */
  readonly agent: string;
  /** The wait input that approves the `publish` call (the adapter's approval decision). */
  readonly approve: unknown;
  /** Adapter-specific settings handed to the agent as `context.options` (e.g. which SDK version). */
  readonly agentOptions?: Readonly<Record<string, unknown>>;
  /**
   * Proofs this adapter does not run, each with the reason. A skipped proof stays in the report, as
   * a skipped test whose title gives the reason: what was not proven is said, never silent.
   */
  readonly skip?: Partial<Record<AdapterConformanceProof, string>>;
  /**
   * What the stream of a run resumed after a crash carries, as the harness itself streams a resumed run:
   * - `whole-run` (default): the whole run again — the reused calls replay their recorded parts, the
   *   cut call streams live — so its deltas equal an uninterrupted run's;
   * - `from-unfinished-step`: only what comes from the unfinished step on (LangGraph: a resumed graph
   *   streams from its unfinished node) — here the cut call's text, complete, once.
   */
  readonly resumedStream?: 'whole-run' | 'from-unfinished-step';
}

/** The proofs of {@link runAdapterConformance}, by the name `skip` uses. */
export type AdapterConformanceProof = 'crash' | 'crash-in-tool' | 'streaming' | 'approval' | 'divergence' | 'budget' | 'request-storage';

const model = 'conformance-model';
const modelCalls = 3;

/**
 * The proofs every Keel adapter must pass, each across real processes, through the provider's real HTTP
 * client against the fake LLM server (which counts the calls):
 *
 * - a crash (SIGKILL) during model call k of 3, for every k, resumes in a new process with exactly the
 *   unfinished call made again and every finished call reused; so does a crash inside a tool;
 * - a streamed run gives the same deltas after a crash mid-stream as without it (reused calls replay
 *   their stream; the cut call streams again live);
 * - a tool approval survives a process restart: one process stops at the wait, another answers it,
 *   and the tool runs exactly once, after the answer;
 * - a resumed run whose model request changed fails with `DivergenceError` and calls nothing;
 * - a token budget stops the tool loop before the first model call at the budget: the execution waits on
 *   `budget` (no request reaches the server, even after a SIGKILL while it waits); approval with more
 *   tokens completes it with no call repeated, rejection fails it with `BudgetExceededError`;
 * - a 60-step tool loop (~1 KB tool results) stores its model requests in at most twice the bytes of
 *   its unique conversation (not each request whole: storage grows with the conversation, not its
 *   square), and a replay of it reuses every call (no request reaches the server, no tool runs).
 *
 * Call it at the top level of a test file, as stores call `runStoreConformance`.
 *
 * @example
 * runAdapterConformance({
 *   name: '@keel/adapter-raw',
 *   agent: fileURLToPath(new URL('./fixtures/conformance-agent.mjs', import.meta.url)),
 *   approve: { approve: true },
 * });
 */
export function runAdapterConformance(options: AdapterConformanceOptions): void {
  const folders: string[] = [];
  let fake: FakeLLM | undefined;

  /** Starts the fake model for a scenario; `hang` makes the request at that index (from 0) stall. */
  async function serve(scenario: ConformanceScenario, hang?: { index: number; afterEvents?: number }): Promise<FakeLLM> {
    const answer = (request: FakeRequest): FakeTurn => {
      const turn = conformanceTurn(scenario, request);
      if (request.index !== hang?.index) return turn;
      return { ...turn, fault: hang.afterEvents === undefined ? { hang: true } : { hang: true, afterEvents: hang.afterEvents } };
    };
    const turns = scenario === 'long-loop' ? longLoopSteps + 2 : modelCalls * 2;
    fake = await startFakeLLM({ script: Array.from({ length: turns }, () => answer) });
    return fake;
  }

  /** A store folder, and a way to start the agent on it. */
  function workspace(server: FakeLLM, scenario: ConformanceScenario, stream = false) {
    const folder = mkdtempSync(join(tmpdir(), 'keel-adapter-conformance-'));
    folders.push(folder);
    const base: ConformanceConfig = {
      mode: 'run',
      scenario,
      stream,
      store: join(folder, '.keel'),
      url: server.url,
      origin: server.origin,
      model,
      options: options.agentOptions ?? {},
    };
    return (change: Partial<ConformanceConfig> = {}): RunningChild => startChild(options.agent, [JSON.stringify({ ...base, ...change })]);
  }

  afterEach(async () => {
    await killAllChildren();
    await fake?.stop();
    fake = undefined;
  });
  afterAll(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  /** `it`, or a skipped test that carries the reason when the adapter skips this proof. */
  const proof = (name: AdapterConformanceProof, title: string, body: () => Promise<void>) => {
    const reason = options.skip?.[name];
    if (reason === undefined) it(title, body);
    // Only an adapter's declared `skip` lands here: the report lists the proof it does not pass, and why,
    // so a gap (LangGraph's resumed graph does not compare its input) stays visible until it is fixed.
    else it.skip(`${title} — not run for this adapter: ${reason}`, body);
  };

  describe(`adapter conformance: ${options.name}`, () => {
    it('runs the tool loop to its end: 3 model calls, 2 tool calls, each once', async () => {
      const server = await serve('tools');
      const end = await workspace(server, 'tools')().exited;
      expect(outcomeOf(end)).toMatchObject({ status: 'completed', output: conformanceAnswers.tools });
      expect(server.requests).toHaveLength(modelCalls);
      expect(toolStarts(end)).toEqual(['lookup alpha', 'lookup beta']);
    });

    for (let call = 1; call <= modelCalls; call++) {
      proof('crash', `a SIGKILL during model call ${call} of ${modelCalls} resumes in a new process with exactly that call made again`, async () => {
        const server = await serve('tools', { index: call - 1 });
        const agent = workspace(server, 'tools');
        const { killed, resumed, requestsBeforeKill, requestsAfterResume } = await crashAfterCalls({
          fake: server,
          killAt: { requests: call },
          start: () => agent(),
          resume: () => agent({ mode: 'recover' }),
        });
        expect(killed.signal).toBe('SIGKILL');
        expect(outcomeOf(resumed)).toMatchObject({ status: 'completed', output: conformanceAnswers.tools });
        expect(requestsBeforeKill).toBe(call);
        // The unfinished call once more, then the calls that had not started: nothing finished is repeated.
        expect(requestsAfterResume).toBe(modelCalls - call + 1);
        expect(toolResultsOf(server.requests[call]!)).toEqual(toolResultsOf(server.requests[call - 1]!));
        // Tools that finished before the crash are reused, not run again.
        expect([...toolStarts(killed), ...toolStarts(resumed)]).toEqual(['lookup alpha', 'lookup beta']);
      });
    }

    proof('crash-in-tool', 'a SIGKILL inside a tool call resumes with that tool run again and no model call repeated', async () => {
      const server = await serve('tools');
      const agent = workspace(server, 'tools');
      const { killed, resumed, requestsBeforeKill, requestsAfterResume } = await crashAfterCalls({
        fake: server,
        killAt: { lines: 'tool start lookup beta' },
        start: () => agent({ hangInTool: 'beta' }),
        resume: () => agent({ mode: 'recover' }),
      });
      expect(outcomeOf(resumed)).toMatchObject({ status: 'completed', output: conformanceAnswers.tools });
      expect(toolStarts(killed)).toEqual(['lookup alpha', 'lookup beta']);
      expect(toolDones(killed)).toEqual(['lookup alpha']);
      // At least once: the tool that never finished runs again, exactly once; the finished one is reused.
      expect(toolStarts(resumed)).toEqual(['lookup beta']);
      expect([requestsBeforeKill, requestsAfterResume]).toEqual([2, 1]);
    });

    const resumedStreamTitle =
      options.resumedStream === 'from-unfinished-step'
        ? 'the cut call streams again, complete, once'
        : 'the same deltas as without the crash: reused calls replay, the cut call streams again';
    proof('streaming', `streams, and a SIGKILL mid-stream resumes with ${resumedStreamTitle}`, async () => {
      const reference = await serve('tools');
      const uninterrupted = await workspace(reference, 'tools', true)().exited;
      expect(outcomeOf(uninterrupted)).toMatchObject({ status: 'completed', output: conformanceAnswers.tools });
      const expected = deltasOf(uninterrupted).join('');
      expect(expected).toContain(conformanceAnswers.tools);
      await reference.stop();

      // The last call stalls after a few events: its first words reach the agent, the rest never do.
      const server = await serve('tools', { index: modelCalls - 1, afterEvents: 5 });
      const agent = workspace(server, 'tools', true);
      const firstWord = `${conformanceAnswers.tools.split(' ')[0]!} `;
      const { killed, resumed, requestsAfterResume } = await crashAfterCalls({
        fake: server,
        killAt: { lines: (line) => line.startsWith('delta ') && (JSON.parse(line.slice(6)) as string).includes(firstWord) },
        start: () => agent(),
        resume: () => agent({ mode: 'recover' }),
      });
      expect(deltasOf(killed).join('')).not.toContain(conformanceAnswers.tools);
      expect(outcomeOf(resumed)).toMatchObject({ status: 'completed', output: conformanceAnswers.tools });
      if (options.resumedStream === 'from-unfinished-step') expect(deltasOf(resumed).join('')).toBe(conformanceAnswers.tools);
      else expect(deltasOf(resumed).join('')).toBe(expected);
      expect(requestsAfterResume).toBe(1);
      expect([...toolStarts(killed), ...toolStarts(resumed)]).toEqual(['lookup alpha', 'lookup beta']);
    });

    proof('approval', 'a tool approval survives a process restart: the tool runs once, after the answer from another process', async () => {
      const server = await serve('approval');
      const agent = workspace(server, 'approval');
      const first = await agent().exited;
      const waiting = outcomeOf(first);
      expect(waiting).toMatchObject({ status: 'waiting' });
      expect(waiting.waits).toHaveLength(1);
      expect(toolStarts(first)).toEqual([]);
      expect(server.requests).toHaveLength(1);

      const answer = { executionId: waiting.executionId!, wait: waiting.waits![0]!, input: options.approve };
      const second = await agent({ mode: 'answer', answer }).exited;
      expect(outcomeOf(second)).toMatchObject({ status: 'completed', executionId: waiting.executionId, output: conformanceAnswers.approved });
      expect(toolStarts(second)).toEqual(['publish hello']);
      expect(server.requests).toHaveLength(2);
    });

    proof('divergence', 'a resumed run whose model request changed fails with DivergenceError and calls nothing', async () => {
      const server = await serve('tools', { index: 1 });
      const agent = workspace(server, 'tools');
      const { resumed, requestsAfterResume } = await crashAfterCalls({
        fake: server,
        killAt: { requests: 2 },
        start: () => agent(),
        resume: () => agent({ mode: 'recover', prompt: `${conformancePrompt} And gamma.` }),
      });
      const outcome = outcomeOf(resumed);
      expect(outcome.status).toBe('failed');
      expect(outcome.error?.name).toBe('DivergenceError');
      expect(requestsAfterResume).toBe(0);
      expect(toolStarts(resumed)).toEqual([]);
    });

    // Each call reports 120 tokens: a budget of 180 lets call 2 start (120 spent) and stops call 3 (240 spent).
    const tokensPerCall = conformanceUsage.inputTokens + conformanceUsage.outputTokens;
    const budget = { tokens: tokensPerCall + tokensPerCall / 2 };

    proof(
      'budget',
      'a token budget: no model call once spent, a SIGKILL while waiting on `budget` changes nothing, approval with more tokens completes with no call repeated',
      async () => {
        const server = await serve('tools');
        const agent = workspace(server, 'tools');
        const { killed, resumed, requestsBeforeKill, requestsAfterResume } = await crashAfterCalls({
          fake: server,
          killAt: { lines: (line) => line.startsWith('result ') },
          start: () => agent({ budget, holdWhenWaiting: true }),
          resume: () => agent({ mode: 'recover' }),
        });
        const waiting = outcomeIn(killed);
        expect(waiting).toMatchObject({ status: 'waiting', waits: ['budget'] });
        expect(killed.signal).toBe('SIGKILL');
        expect(requestsBeforeKill).toBe(2);
        // Nothing is owed: without an answer, a new process makes no call.
        expect(outcomeOf(resumed)).toEqual({ status: 'nothing-to-recover' });
        expect(requestsAfterResume).toBe(0);

        const answer = { executionId: waiting.executionId!, wait: 'budget', input: { approve: true, add: { tokens: tokensPerCall * 2 } } };
        const approved = await agent({ mode: 'answer', answer }).exited;
        expect(outcomeOf(approved)).toMatchObject({ status: 'completed', executionId: waiting.executionId, output: conformanceAnswers.tools });
        expect(server.requests).toHaveLength(modelCalls);
        expect([...toolStarts(killed), ...toolStarts(approved)]).toEqual(['lookup alpha', 'lookup beta']);
      },
    );

    proof('budget', 'a token budget whose wait is rejected fails the execution with BudgetExceededError and makes no further call', async () => {
      const server = await serve('tools');
      const agent = workspace(server, 'tools');
      const waiting = outcomeOf(await agent({ budget }).exited);
      expect(waiting).toMatchObject({ status: 'waiting', waits: ['budget'] });
      const answer = { executionId: waiting.executionId!, wait: 'budget', input: { approve: false } };
      const rejected = outcomeOf(await agent({ mode: 'answer', answer }).exited);
      expect(rejected).toMatchObject({ status: 'failed', executionId: waiting.executionId, error: { name: 'BudgetExceededError' } });
      expect(server.requests).toHaveLength(2);
    });

    proof(
      'request-storage',
      `a ${longLoopSteps}-step tool loop stores its model requests in at most 2× its unique conversation, and its replay reuses every call`,
      async () => {
        const server = await serve('long-loop');
        const agent = workspace(server, 'long-loop');
        const original = outcomeOf(await agent().exited);
        expect(original).toMatchObject({ status: 'completed', output: conformanceAnswers.longLoop });
        expect(server.requests).toHaveLength(longLoopSteps + 1);
        const storage = original.requestStorage;
        expect(storage, 'the conformance agent measures no request storage: give serveConformanceAgent `requestStorage`').toBeDefined();
        expect(storage!.requests).toBe(longLoopSteps + 1);
        // Each request whole would be ~longLoopSteps / 2 times the conversation; the chain stays within 2×.
        expect(storage!.storedBytes).toBeLessThanOrEqual(2 * storage!.conversationBytes);
        expect(storage!.wholeBytes).toBeGreaterThan(10 * storage!.conversationBytes);

        const replayEnd = await agent({ mode: 'replay', replayOf: original.executionId! }).exited;
        const replayed = outcomeOf(replayEnd);
        expect(replayed).toMatchObject({ status: 'completed', output: conformanceAnswers.longLoop });
        expect(replayed.executionId).not.toBe(original.executionId);
        expect(server.requests).toHaveLength(longLoopSteps + 1);
        expect(toolStarts(replayEnd)).toEqual([]);
      },
    );
  });

  function outcomeOf(end: ChildExit): ConformanceOutcome {
    expect(end.code, `the conformance agent failed:\n${end.stderr}`).toBe(0);
    return jsonLine<ConformanceOutcome>(end.stdout, 'result');
  }

  /** The outcome a process printed before it was killed. */
  function outcomeIn(end: ChildExit): ConformanceOutcome {
    return jsonLine<ConformanceOutcome>(end.stdout, 'result');
  }
}

/** `<tool> <argument>` for each tool call that started, in order. */
function toolStarts(end: ChildExit): string[] {
  return linesAfter(end, 'tool start ');
}

function toolDones(end: ChildExit): string[] {
  return linesAfter(end, 'tool done ');
}

function deltasOf(end: ChildExit): string[] {
  return linesAfter(end, 'delta ').map((text) => JSON.parse(text) as string);
}

function linesAfter(end: ChildExit, prefix: string): string[] {
  return end.stdout
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .map((line) => line.slice(prefix.length));
}
