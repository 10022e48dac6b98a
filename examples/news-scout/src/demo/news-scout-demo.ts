import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CheckpointInfo, Executions } from '@keel/core';
import { corpusArticles } from '../corpus/corpus-articles.js';
import { describeModel, type ModelChoice } from '../model-choice.js';
import { approvalQuestion, approvalWaitName, defaultMaxArticles, newsScoutFlowName, type NewsScoutInput, type NewsScoutOutput } from '../news-scout-flow.js';
import { countCalls, readCallLog, type CallCounts } from './call-log.js';
import { callTotals, costBasisOf, type CallTotals } from './call-totals.js';
import { callName, describeCheckpoint, isCall } from './checkpoint-description.js';
import { CheckpointWatcher, type WatchedState } from './checkpoint-watcher.js';
import type { DemoOptions } from './demo-options.js';
import { DemoStepFailedError } from './demo-step-failed-error.js';
import type { DemoSummary } from './demo-summary.js';
import type { KeelCli, KeelProcess } from './keel-cli.js';
import { forecastReading, middleRead } from './reading-forecast.js';
import { formatCount, formatDollars, pad, padStart, terminalStyle, type TerminalStyle } from './terminal-style.js';

/** What the demo needs from its surroundings. */
export interface NewsScoutDemoContext {
  readonly options: DemoOptions;
  readonly model: ModelChoice;
  /** The store's operations (the demo only reads, except for queueing nothing: runs happen in children). */
  readonly executions: Executions;
  readonly cli: KeelCli;
  /** Where the store is, for people. */
  readonly storeLabel: string;
  /** Where printed commands are run, for people (`examples/news-scout`). */
  readonly projectLabel: string;
  readonly projectDir: string;
  readonly store: string;
}

type Line = (text?: string) => void;

/**
 * The guided run: start the scout in a child process and show its checkpoints as they complete; kill
 * that process with SIGKILL in the middle of its reading; resume the execution in a new process and
 * show, per checkpoint, what was reused and what ran again, and what that saved; stop at the approval
 * and answer it (or say how); publish; say where everything is.
 */
export class NewsScoutDemo {
  readonly #context: NewsScoutDemoContext;
  readonly #style: TerminalStyle = terminalStyle();
  readonly #line: Line = (text = '') => process.stdout.write(`${text}\n`);
  readonly #callLog: string;
  readonly #commands: Record<string, string> = {};
  readonly #keelArguments: Record<string, readonly string[]> = {};
  readonly #live = new Set<KeelProcess>();

  constructor(context: NewsScoutDemoContext) {
    this.#context = context;
    this.#callLog = path.join(mkdtempSync(path.join(os.tmpdir(), 'keel-news-scout-')), 'calls.jsonl');
  }

  /** Removes the call log (unless a summary that points at it is kept). */
  removeCallLog(): void {
    rmSync(path.dirname(this.#callLog), { recursive: true, force: true });
  }

  /** Kills what the demo started and is still running (on Ctrl-C or a failure). */
  killChildren(): void {
    for (const started of this.#live) started.child.kill('SIGKILL');
  }

  /** Runs the demo; resolves with its summary. */
  async run(): Promise<DemoSummary> {
    const { options, model, executions, cli } = this.#context;
    const { bold, dim } = this.#style;
    const line = this.#line;
    const paceMs = options.paceMs ?? (model.provider === 'offline' && !options.live ? 250 : 0);
    // The model is left to the run's own choice (the same environment gives the same one) unless given.
    const input: NewsScoutInput = { interests: options.interests, ...(options.model ? { model: options.model } : {}), ...(options.live ? { live: true } : {}) };
    const hold = await this.#holdPoint();
    const callEnvironment = { NEWS_SCOUT_CALL_LOG: this.#callLog, NEWS_SCOUT_PACE_MS: String(paceMs) };

    this.#header(paceMs);

    // ── 1. Run ────────────────────────────────────────────────────────────────────────────────
    this.#step(1, 'Run the scout in a child process, and watch its checkpoints arrive in the store');
    const runArguments = ['run', newsScoutFlowName, '--input', JSON.stringify(input)];
    const known = new Set((await executions.list({ flow: newsScoutFlowName, limit: 100 })).map((execution) => execution.id));
    const first = this.#start('run', runArguments, { ...callEnvironment, ...(hold ? { NEWS_SCOUT_HOLD: `investigate:${hold.call}` } : {}) });
    const executionId = await this.#newExecution(known, first);
    line(`  ${dim(`execution ${executionId} · pid ${first.pid}`)}`);
    line();
    const watcher = new CheckpointWatcher(executions, executionId);
    const held = await this.#follow(watcher, first, { stopAtHold: hold !== undefined });

    // ── 2. Break it ───────────────────────────────────────────────────────────────────────────
    let kill: DemoSummary['kill'] = null;
    let afterKill: readonly CheckpointInfo[] = [];
    if (held) {
      this.#step(2, 'Break it on purpose: kill the process in the middle of a call');
      const during = held.checkpoint;
      line(`  The scout is in the middle of reading article ${hold!.call}${hold!.reads ? ` of ${hold!.reads}` : ''} (${held.url}).`);
      line(`  ${bold(`kill -9 ${first.pid}`)}  ${dim('(SIGKILL: no clean-up, no shutdown hook, no last write)')}`);
      process.kill(first.pid, 'SIGKILL');
      const exit = await first.exited;
      this.#ended(first);
      line(`  ${this.#style.red('✗')} pid ${first.pid} is gone (${exit.signal ?? `exit code ${exit.code}`}).`);
      afterKill = await executions.checkpoints(executionId);
      const execution = await executions.get(executionId);
      const completed = afterKill.filter((checkpoint) => isCall(checkpoint) && checkpoint.status === 'completed');
      const killedCalls = countCalls(readCallLog(this.#callLog), first.pid);
      line();
      line(`  What the store says now:`);
      line(`    execution   ${execution.status}, held by pid ${execution.lease?.pid ?? '?'}, which no longer exists: ${bold('abandoned')}`);
      line(`    completed   ${completed.length} calls, each with its result stored`);
      line(`    in flight   ${during.id}: started, no result (it never finished)`);
      kill = {
        pid: first.pid,
        signal: 'SIGKILL',
        exitSignal: exit.signal,
        during: during.id,
        completedBefore: completed.map((checkpoint) => checkpoint.id),
        callsMade: killedCalls,
      };
    } else {
      const exit = await first.exited;
      this.#ended(first);
      if (exit.code !== 3 && exit.code !== 0) throw this.#childFailed('keel run', first, exit.code);
      line();
      line(
        `  ${this.#style.yellow('!')} The scout read ${hold ? 'fewer articles than expected' : 'no articles'} for these interests, so there was no call to break.`,
      );
      line(`    Try the default interests ("ai agents, robotics") to see a crash and a resume.`);
    }

    // ── 3. Resume ─────────────────────────────────────────────────────────────────────────────
    let resume: DemoSummary['resume'] = null;
    let savings: DemoSummary['savings'] = null;
    let waitingExit: number | null = kill ? null : 3;
    if (kill) {
      this.#step(3, 'Resume it in a new process');
      const resumeArguments = ['executions', 'resume', executionId];
      line(`  ${dim('(keel worker does the same for every abandoned run; here we resume this one by id)')}`);
      const second = this.#start('resume', resumeArguments, callEnvironment);
      line(`  ${dim(`pid ${second.pid}`)}`);
      line();
      const reusedCheckpoints = afterKill.filter((checkpoint) => isCall(checkpoint) && checkpoint.status === 'completed');
      for (const checkpoint of reusedCheckpoints) this.#checkpointLine('↺', checkpoint, `reused · ${describeCheckpoint(checkpoint)}`, dim);
      const inFlight = new Set(afterKill.filter((checkpoint) => checkpoint.status === 'running').map((checkpoint) => checkpoint.id));
      await this.#follow(watcher, second, { inFlight });
      const exit = await second.exited;
      this.#ended(second);
      waitingExit = exit.code;
      if (exit.code !== 3 && exit.code !== 0) throw this.#childFailed('keel executions resume', second, exit.code);
      const afterResume = await executions.checkpoints(executionId);
      const calls = afterResume.filter(isCall);
      const before = new Map(afterKill.map((checkpoint) => [checkpoint.id, checkpoint]));
      const reran = calls.filter((checkpoint) => before.get(checkpoint.id)?.status === 'running').map((checkpoint) => checkpoint.id);
      const ran = calls.filter((checkpoint) => !before.has(checkpoint.id)).map((checkpoint) => checkpoint.id);
      const changedReused = reusedCheckpoints.filter((checkpoint) => calls.find((after) => after.id === checkpoint.id)?.attempts !== checkpoint.attempts);
      if (changedReused.length > 0)
        throw new DemoStepFailedError(
          `These calls completed before the kill but ran again on resume: ${changedReused.map((checkpoint) => checkpoint.id).join(', ')}.`,
        );
      const callsMade = countCalls(readCallLog(this.#callLog), second.pid);
      resume = {
        pid: second.pid,
        command: resumeArguments,
        exitCode: exit.code,
        reused: reusedCheckpoints.map((checkpoint) => checkpoint.id),
        reran,
        ran,
        attempts: Object.fromEntries(calls.map((checkpoint) => [checkpoint.id, checkpoint.attempts])),
        callsMade,
      };
      savings = await this.#savings(calls, reusedCheckpoints, callsMade, reran.length + ran.length);
    }

    // ── 4. Approve ────────────────────────────────────────────────────────────────────────────
    const approval = await this.#approval(executionId, waitingExit, callEnvironment);

    // ── 5. Where things are ───────────────────────────────────────────────────────────────────
    const final = await this.#finish(executionId, approval, kill !== null);
    return {
      executionId,
      store: this.#context.store,
      interests: options.interests,
      model: `${model.provider}:${model.modelId}`,
      callLog: this.#callLog,
      run: { pid: first.pid, command: runArguments },
      kill,
      resume,
      savings,
      approval,
      final,
      commands: this.#commands,
      keelArguments: this.#keelArguments,
      projectDir: this.#context.projectDir,
      keelBin: cli.bin,
    };
  }

  #header(paceMs: number): void {
    const { options, model, storeLabel } = this.#context;
    const { bold, dim } = this.#style;
    const line = this.#line;
    line();
    line(bold('News Scout · a durable AI agent, broken on purpose'));
    line();
    line('  An AI agent (a Vercel AI SDK ToolLoopAgent wrapped with durable() from @keel/adapter-vercel-ai)');
    line('  searches the news for your interests, reads the best articles and writes a brief. Keel stores');
    line("  each model call and tool call as a checkpoint. We will kill the agent's process in the middle");
    line('  of the run, resume it in a new one, then approve the brief and publish it.');
    line();
    const keyHint = model.provider === 'offline' && !options.model ? dim(' · set OPENAI_API_KEY or ANTHROPIC_API_KEY for a real one') : '';
    line(`  interests  ${options.interests.join(', ')}`);
    line(`  model      ${describeModel(model)}${keyHint}`);
    line(
      `  news       ${options.live ? 'live: Hacker News search, real pages' : `bundled corpus: ${corpusArticles.length} fictional articles`}${options.live ? '' : dim(' · --live for the web')}`,
    );
    line(`  store      ${storeLabel}`);
    if (paceMs > 0) line(`  pace       ${paceMs} ms before each call, so you can follow along${dim(' · --pace 0 for full speed')}`);
  }

  #step(number: number, title: string): void {
    this.#line();
    this.#line(this.#style.bold(`${this.#style.cyan(`▸ ${number}.`)} ${title}`));
  }

  /** Starts a keel command and prints the command a person would type for it. */
  #start(key: string, keelArguments: readonly string[], environment: Readonly<Record<string, string>>): KeelProcess {
    this.#remember(key, keelArguments);
    this.#line(`  ${this.#style.dim('$')} ${this.#commands[key]}`);
    const started = this.#context.cli.start(keelArguments, environment);
    this.#live.add(started);
    return started;
  }

  /** Forgets a process that ended; with --verbose, shows what it printed. */
  #ended(started: KeelProcess): void {
    this.#live.delete(started);
    if (!this.#context.options.verbose) return;
    const output = started.output().trimEnd();
    if (output) for (const text of output.split('\n')) this.#line(`    ${this.#style.dim(`keel[${started.pid}] ${text}`)}`);
  }

  #remember(key: string, keelArguments: readonly string[]): void {
    this.#commands[key] = this.#context.cli.printed(keelArguments);
    this.#keelArguments[key] = keelArguments;
  }

  /** The id of the execution `keel run` created (the newest one of the flow that was not there before). */
  async #newExecution(known: ReadonlySet<string>, started: KeelProcess): Promise<string> {
    let exited = false;
    void started.exited.then(() => (exited = true));
    for (;;) {
      const fresh = (await this.#context.executions.list({ flow: newsScoutFlowName, limit: 10 })).find((execution) => !known.has(execution.id));
      if (fresh) return fresh.id;
      if (exited) throw this.#childFailed('keel run', started, (await started.exited).code);
      await sleep(50);
    }
  }

  /**
   * Prints checkpoints as the store records them, until the process ends, or (with `stopAtHold`) until
   * the process holds the call the demo breaks. Returns the held call's checkpoint, if it got there.
   */
  async #follow(
    watcher: CheckpointWatcher,
    started: KeelProcess,
    options: { stopAtHold?: boolean; inFlight?: ReadonlySet<string>; replayed?: boolean },
  ): Promise<{ checkpoint: CheckpointInfo; url: string } | undefined> {
    let exited = false;
    void started.exited.then(() => (exited = true));
    const show = (state: WatchedState) => {
      for (const checkpoint of state.changed) this.#progressLine(checkpoint, options.inFlight, options.replayed ?? false);
    };
    for (;;) {
      // The call log is read before the store: the held call's checkpoint is written (running) before
      // the tool is called, so a store read that follows the `hold` line shows it — and shows the
      // call before it already completed, never as a stale `running` record.
      const held = options.stopAtHold ? readCallLog(this.#callLog).find((event) => event.event === 'hold' && event.pid === started.pid) : undefined;
      const state = await watcher.poll();
      show(state);
      if (held) {
        const candidates = state.checkpoints.filter((checkpoint) => checkpoint.status === 'running' && callName(checkpoint) === 'investigate');
        const running =
          candidates.find(
            (checkpoint) => held.detail !== undefined && JSON.stringify(checkpoint.input ?? null).includes(JSON.stringify(held.detail).slice(1, -1)),
          ) ?? candidates.sort((a, b) => b.seq - a.seq)[0];
        if (running) {
          this.#checkpointLine('⋯', running, `reading ${held.detail ?? ''} · in flight`, this.#style.yellow);
          return { checkpoint: running, url: held.detail ?? '' };
        }
      }
      if (exited) {
        show(await watcher.poll());
        return undefined;
      }
      await sleep(100);
    }
  }

  #progressLine(checkpoint: CheckpointInfo, inFlight: ReadonlySet<string> | undefined, replayed: boolean): void {
    const { green, red, yellow } = this.#style;
    if (checkpoint.kind === 'step' && checkpoint.name === 'scout') {
      // The agent run's own checkpoint groups its calls; only its end is news.
      if (checkpoint.status === 'completed')
        this.#checkpointLine('✓', checkpoint, replayed ? 'the agent run, walked again from its records' : 'the agent run is finished', green);
      return;
    }
    if (checkpoint.status === 'completed') {
      if (inFlight?.has(checkpoint.id)) {
        this.#checkpointLine(
          '↻',
          checkpoint,
          `ran again (attempt ${checkpoint.attempts}: it was in flight at the kill) · ${describeCheckpoint(checkpoint)}`,
          yellow,
        );
      } else {
        this.#checkpointLine('✓', checkpoint, `${inFlight ? 'ran · ' : ''}${describeCheckpoint(checkpoint)}`, green);
      }
    } else if (checkpoint.status === 'waiting') {
      this.#checkpointLine('◇', checkpoint, `waiting: ${approvalQuestion}`, yellow);
    } else if (checkpoint.status === 'failed') {
      this.#checkpointLine('✗', checkpoint, `failed: ${checkpoint.error?.message ?? ''}`, red);
    }
  }

  #checkpointLine(mark: string, checkpoint: CheckpointInfo, text: string, color: (text: string) => string): void {
    this.#line(`  ${color(mark)} ${pad(checkpoint.id, 31)} ${this.#style.dim(pad(checkpoint.kind, 5))}  ${text}`);
  }

  /** Which read to break, and how many reads the run will make (known ahead for the offline model only). */
  async #holdPoint(): Promise<{ call: number; reads?: number } | undefined> {
    const { options, model } = this.#context;
    if (model.provider === 'offline' && !options.live) {
      const reads = await forecastReading(options.interests, defaultMaxArticles);
      return reads > 0 ? { call: middleRead(reads), reads } : undefined;
    }
    // A real model decides for itself how much to read; break the second read if it gets there.
    return { call: 2 };
  }

  async #savings(
    calls: readonly CheckpointInfo[],
    reused: readonly CheckpointInfo[],
    callsMade: CallCounts,
    rerun: number,
  ): Promise<NonNullable<DemoSummary['savings']>> {
    const { bold, dim, green } = this.#style;
    const line = this.#line;
    const modelId = this.#context.model.modelId;
    const basis = costBasisOf(modelId);
    const wholeRun = await callTotals(calls, basis);
    const saved = await callTotals(reused, basis);
    const reusedIds = new Set(reused.map((checkpoint) => checkpoint.id));
    const madeAgain = await callTotals(
      calls.filter((checkpoint) => !reusedIds.has(checkpoint.id)),
      basis,
    );
    const priced = wholeRun.usd !== undefined;
    const row = (label: string, totals: CallTotals) => {
      const cost = totals.usd;
      return `    ${pad(label, 24)}${padStart(String(totals.calls), 6)}${padStart(String(totals.modelCalls), 13)}${padStart(formatCount(totals.inputTokens + totals.outputTokens), 10)}${padStart(cost === undefined ? '–' : formatDollars(cost), 10)}`;
    };
    line();
    line(`  ${bold('What the crash cost, and what Keel saved')}`);
    line(dim(`    ${pad('', 24)}${padStart('calls', 6)}${padStart('model calls', 13)}${padStart('tokens', 10)}${padStart('cost*', 10)}`));
    line(row('the whole run', wholeRun));
    line(row('made after the crash', madeAgain));
    line(green(row('reused from the store', saved)));
    line(`    ${dim('Without a durable record, a restart makes every call of the run again.')}`);
    if (priced) {
      line(dim(`    * at ${basis.model} list price (${basis.prices})` + (basis.illustration ? `: an illustration — ${modelId} itself is free.` : '.')));
    } else {
      line(dim(`    * no list price known for ${modelId}; tokens only.`));
    }
    const verdict = callsMade.model + callsMade.tool === rerun ? green('matches') : this.#style.red('does NOT match');
    line(
      `    Call log of the new process: ${callsMade.model} model + ${callsMade.tool} tool calls made — ${verdict} the ${rerun} checkpoints marked ran or ran again above.`,
    );
    return {
      wholeRun,
      reused: saved,
      price: priced ? basis : null,
      costSaved: saved.usd ?? null,
      costWholeRun: wholeRun.usd ?? null,
    };
  }

  async #approval(executionId: string, exitCodeAtWait: number | null, callEnvironment: Readonly<Record<string, string>>): Promise<DemoSummary['approval']> {
    const { executions } = this.#context;
    const { bold, dim, green, yellow } = this.#style;
    const line = this.#line;
    const execution = await executions.get(executionId);
    const pending = execution.waits.find((wait) => wait.status === 'pending');
    if (execution.status !== 'waiting' || !pending) {
      throw new DemoStepFailedError(
        `Expected execution ${executionId} to wait for "${approvalWaitName}", but it is ${execution.status}. See: ${this.#context.cli.printed(['executions', 'show', executionId])}`,
      );
    }
    this.#step(4, 'A person decides: the run waits for approval, with no process running');
    line(`  The run stopped at ${bold(pending.id)}: "${pending.question}"`);
    line(`  Its process exited (code ${exitCodeAtWait}). The question is in the store; it can be answered in a minute or in a week.`);
    const draft = String((await executions.artifact(executionId, 'draft_report')).value);
    line();
    line(`  ${dim(`The draft, in outline (the artifact draft_report, ${formatCount(draft.length)} characters):`)}`);
    const columns = process.stdout.columns && process.stdout.columns >= 60 ? process.stdout.columns : 100;
    for (const text of outline(draft, Math.min(columns, 110) - 6)) line(`  ${dim('│')} ${text}`);
    line();
    const approve = ['executions', 'input', executionId, '--wait', approvalWaitName, '--value', JSON.stringify({ approve: true })];
    const reject = ['executions', 'input', executionId, '--wait', approvalWaitName, '--value', JSON.stringify({ approve: false, reason: 'not today' })];
    const resumeAfter = ['executions', 'resume', executionId];
    this.#remember('approve', approve);
    this.#remember('reject', reject);
    this.#remember('resumeAfterInput', resumeAfter);
    this.#remember('worker', ['worker']);
    line(`  To answer it yourself (in ${this.#context.projectLabel}):`);
    line(`    ${this.#commands['approve']}`);
    line(`    ${this.#commands['resumeAfterInput']}        ${dim(`or keep ${this.#commands['worker']} running`)}`);
    line(`  ${dim(`To reject: --value '{"approve":false,"reason":"…"}'`)}`);
    line();
    const decision = await this.#decide();
    if (decision === undefined) {
      line(`  ${yellow('◇')} Not answered: no --yes and no terminal to ask on. The run stays waiting; answer it with the commands above.`);
      return { wait: approvalWaitName, question: pending.question ?? '', statusWhileWaiting: execution.status, exitCodeAtWait, answer: null };
    }
    const answer = decision ? { approve: true } : { approve: false, reason: 'rejected in the demo' };
    const answerArguments = decision ? approve : ['executions', 'input', executionId, '--wait', approvalWaitName, '--value', JSON.stringify(answer)];
    this.#remember('answer', answerArguments);
    line(`  ${dim('$')} ${this.#commands['answer']}`);
    const given = await this.#context.cli.run(answerArguments);
    if (given.code !== 0) throw this.#childFailed('keel executions input', { output: () => given.output }, given.code);
    const answered = (await executions.waits(executionId)).find((wait) => wait.id === pending.id);
    line(`  ${green('✓')} answer stored${answered?.resolvedBy ? ` (by ${answered.resolvedBy})` : ''}; nothing ran yet. Now let a process continue the run:`);
    const third = this.#start('resumeAfterInput', resumeAfter, callEnvironment);
    line(`  ${dim(`pid ${third.pid}`)}`);
    line();
    const before = await executions.checkpoints(executionId);
    const stored = before.filter((checkpoint) => checkpoint.status === 'completed');
    line(`  ${dim('↺')} reused: the settings and all ${stored.filter(isCall).length} calls of the agent run ${dim('(no model or tool call is made)')}`);
    const watcher = new CheckpointWatcher(executions, executionId);
    await watcher.baseline();
    await this.#follow(watcher, third, { replayed: true });
    const exit = await third.exited;
    this.#ended(third);
    if (exit.code !== 0) throw this.#childFailed('keel executions resume', third, exit.code);
    const callsMadeAfterAnswer = countCalls(readCallLog(this.#callLog), third.pid);
    line(
      `    ${dim(`Call log of pid ${third.pid}: ${callsMadeAfterAnswer.model} model calls, ${callsMadeAfterAnswer.tool} tool calls. Waiting for a person cost nothing.`)}`,
    );
    return {
      wait: approvalWaitName,
      question: pending.question ?? '',
      statusWhileWaiting: execution.status,
      exitCodeAtWait,
      answer,
      ...(answered?.resolvedBy ? { answeredBy: answered.resolvedBy } : {}),
      callsMadeAfterAnswer,
    };
  }

  /** `true` approve, `false` reject, `undefined` nobody to ask. */
  async #decide(): Promise<boolean | undefined> {
    if (this.#context.options.yes) {
      this.#line(`  ${this.#style.dim('--yes: approving, with the command above.')}`);
      return true;
    }
    if (!process.stdin.isTTY || !process.stdout.isTTY) return undefined;
    const prompt = createInterface({ input: process.stdin, output: process.stdout });
    try {
      const reply = await prompt.question(`  ${this.#style.bold(approvalQuestion)} [y/N] `);
      return /^y(es)?$/i.test(reply.trim());
    } finally {
      prompt.close();
    }
  }

  async #finish(executionId: string, approval: DemoSummary['approval'], killed: boolean): Promise<DemoSummary['final']> {
    const { executions, projectLabel } = this.#context;
    const { bold, dim, green, yellow } = this.#style;
    const line = this.#line;
    const execution = await executions.get(executionId);
    const output = execution.output as NewsScoutOutput | undefined;
    const published = execution.status === 'completed' && output?.published === true;
    const checkpoints = await executions.checkpoints(executionId, { payloads: false });
    const modelCalls = checkpoints.filter((checkpoint) => checkpoint.kind === 'model');
    const lastModel = modelCalls[modelCalls.length - 1];
    const search = checkpoints.filter((checkpoint) => callName(checkpoint) === 'search_news');
    const lastSearch = search[search.length - 1];
    this.#remember('artifact', ['artifacts', 'get', executionId, 'final_report']);
    this.#remember('show', ['executions', 'show', executionId]);
    if (lastModel) this.#remember('replayFrom', ['executions', 'replay', executionId, '--from', lastModel.id]);
    if (lastSearch) {
      const query = String(
        ((await executions.checkpoints(executionId)).find((checkpoint) => checkpoint.id === lastSearch.id)?.input as { query?: unknown } | undefined)?.query ??
          '',
      );
      this.#remember('replayOverride', ['executions', 'replay', executionId, '--override', `${lastSearch.id}=${JSON.stringify({ query, results: [] })}`]);
    }
    this.#step(5, execution.status === 'completed' ? 'Done' : 'Where things stand');
    const sessions = execution.sessions;
    if (published) {
      line(`  ${green('✓')} ${executionId} completed: the brief is published as the artifact ${bold('final_report')}.`);
    } else if (execution.status === 'completed') {
      line(`  ${yellow('✓')} ${executionId} completed without publishing (${output?.reason ?? 'rejected'}).`);
    } else {
      line(`  ${yellow('◇')} ${executionId} is ${execution.status}.`);
    }
    line(`    ${sessions} processes worked on this one execution${killed ? ', one of them killed mid-call' : ''}; everything they did is in the store.`);
    line();
    line(`  Try these in ${bold(projectLabel)} ${dim('(pnpm exec runs the keel CLI installed there)')}:`);
    const command = (key: string, note: string) => {
      if (this.#commands[key]) line(`    ${this.#commands[key]}\n      ${dim(note)}`);
    };
    if (!approval?.answer) {
      command('approve', 'answer the approval…');
      command('resumeAfterInput', '…and finish the run');
    }
    if (published) command('artifact', 'print the report (add > report.md to save it)');
    command('show', 'every checkpoint: kind, status, attempts, tokens; the answered wait; the artifacts');
    command(
      'replayFrom',
      'replay from a checkpoint: a new execution that reuses everything before it and runs the rest again (here: the brief is written again)',
    );
    command('replayOverride', 'replay with an override: what if that search had found nothing? Everything after it runs again, with the new value');
    line();
    return { status: execution.status, published, artifact: published ? 'final_report' : null };
  }

  #childFailed(what: string, started: { output(): string }, code: number | null): DemoStepFailedError {
    const output = started.output().trim();
    return new DemoStepFailedError(`${what} ended with exit code ${code}.${output ? `\nIts output:\n${output}` : ''}`);
  }
}

/**
 * The outline of a Markdown text: headings, emphasized lines and list items, each cut to one line —
 * enough to see what a brief says without scrolling the rest of the demo away.
 */
function outline(markdown: string, width: number): string[] {
  return markdown
    .split('\n')
    .filter((text) => /^(#{1,6} |\*[^*]|- )/.test(text))
    .map((text) => (text.length > width ? `${text.slice(0, width - 1)}…` : text));
}

/** Writes the summary as JSON. */
export function writeSummary(file: string, summary: DemoSummary): void {
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
}
