import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { CliContext, GlobalOptions } from './cli-context.js';

/** This package's version, for `keel --version`. */
export const keelVersion = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * Whether the command line asks for keel's own version: `-v`/`--version` before any command word.
 * It is not a commander option on the program because commander gives the program's options
 * precedence everywhere on the line, and `keel invoke --version v7` names a flow version.
 */
export function asksForVersion(argv: readonly string[], commands: readonly string[]): boolean {
  for (const argument of argv) {
    if (commands.includes(argument)) return false;
    if (argument === '-v' || argument === '--version') return true;
  }
  return false;
}

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}

/**
 * The `keel` command tree. Every action reads the global options into the context first, so a command
 * opens the project with `--store` / `--config` wherever they were written on the line. Commands are
 * imported when they run, so `--help` and usage errors do not pay for loading `@keel/core` and jiti.
 */
export function createProgram(context: CliContext): Command {
  const program = new Command('keel')
    .description('Run, inspect, answer, resume, replay and recover durable agent executions.')
    .option('--store <url>', 'the store to use: a folder (./.keel), sqlite:./keel.db or postgres://… (overrides KEEL_STORE and the config)')
    .option('--config <file>', 'the config file (default: keel.config.ts here or in a folder above)')
    .option('--debug', 'show stack traces and causes of errors')
    .option('--no-color', 'no colour in output (also NO_COLOR=1)')
    .showHelpAfterError('(add --help for usage and examples)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.terminal.write(text),
      writeErr: (text) => process.stderr.write(text),
      outputError: (text, write) => write(context.terminal.errorColors.red(text)),
    })
    .addHelpText(
      'after',
      `${examples('keel init', 'keel run hello --input \'{"name":"Ada"}\'', 'keel executions list --status waiting', 'keel worker')}
Version: keel -v (or --version, before any command)
Exit codes: 0 ok · 1 a run failed (or the command could not be done) · 2 bad usage · 3 a run waits for input
Environment: KEEL_STORE (a store URL, overrides the config; --store overrides it) · KEEL_CODE_VERSION (the code version, overrides the config's)\n             KEEL_COMPATIBLE_WITH (comma-separated versions this code may continue, added to the config's compatibleWith)
`,
    );

  const act =
    <Parameters extends unknown[]>(handler: (...parameters: Parameters) => Promise<void>) =>
    async (...parameters: Parameters) => {
      const command = parameters[parameters.length - 1] as Command;
      context.globals = command.optsWithGlobals<GlobalOptions>();
      await handler(...parameters);
    };

  program
    .command('init')
    .description('create keel.config.ts, an example flow (flows/hello.ts) and the store, and ignore the store in git; safe to run twice')
    .addHelpText('after', examples('keel init', 'keel init --store sqlite:./keel.db'))
    .action(
      act(async (_options: Record<string, never>) =>
        (await import('./commands/init-command.js')).initCommand(context, { ...(context.globals.store !== undefined ? { store: context.globals.store } : {}) }),
      ),
    );

  program
    .command('run')
    .description('start an execution of a flow and show its checkpoints live; ends with its id, status and what to do next')
    .argument('<flow>', 'the flow name, as given to flow(name, fn)')
    .option('--input <json>', 'the flow input as JSON')
    .option('--input-file <path>', 'read the input JSON from a file (- for stdin)')
    .option('--queue', 'only create the execution, queued for a worker, and return at once')
    .option('--json', 'print the outcome as JSON (no live progress)')
    .option('--budget-usd <dollars>', "spend budget in US dollars at list price (instead of the flow's): at it, the next model call waits on `budget`")
    .option('--budget-tokens <n>', "spend budget in tokens (instead of the flow's)")
    .addHelpText(
      'after',
      examples(
        'keel run hello',
        'keel run research --budget-usd 0.50 --budget-tokens 200000',
        'keel run hello --input \'{"name":"Ada"}\'',
        'keel run research --input-file topic.json',
        'keel run research --input \'"AI"\' --queue',
      ) + '\nExit code: 0 completed · 1 failed or cancelled · 3 waiting for input (the output says the exact `keel executions input` command)\n',
    )
    .action(
      act(async (flow: string, options: { input?: string; inputFile?: string; queue?: boolean; json?: boolean; budgetUsd?: string; budgetTokens?: string }) =>
        (await import('./commands/run-command.js')).runCommand(context, flow, options),
      ),
    );

  const executions = program.command('executions').alias('ex').description('list, inspect, answer, resume, retry, cancel and replay executions');
  executions.addHelpText('after', examples('keel executions list', 'keel executions show ex_01jdq3k8m2r7f3k9q2xw4h', 'keel ex list --status failed'));

  executions
    .command('list')
    .alias('ls')
    .description('the newest executions with status, age, duration, and what they wait on or failed with')
    .option('--flow <name>', 'only this flow')
    .option('--status <statuses>', 'only these statuses, comma-separated: queued,running,waiting,completed,failed,cancelled')
    .option('--limit <n>', 'at most this many (default 20)')
    .option('--json', 'print the execution records as JSON')
    .addHelpText(
      'after',
      examples('keel executions list', 'keel executions list --flow hello --status waiting,failed --limit 50', 'keel executions list --json | jq -r ".[].id"'),
    )
    .action(
      act(async (options: { flow?: string; status?: string; limit?: string; json?: boolean }) =>
        (await import('./commands/executions-list.js')).executionsList(context, options),
      ),
    );

  executions
    .command('show')
    .description('one execution: input, output, checkpoint tree (kind, status, duration, attempts, model, tokens), pending waits, artifacts, error')
    .argument('<id>', 'the execution id')
    .option('--json', 'everything as JSON, with checkpoint inputs and outputs decoded')
    .addHelpText(
      'after',
      examples('keel executions show ex_01jdq3k8m2r7f3k9q2xw4h', 'keel executions show ex_01jdq3k8m2r7f3k9q2xw4h --json | jq ".checkpoints[].id"'),
    )
    .action(act(async (id: string, options: { json?: boolean }) => (await import('./commands/executions-show.js')).executionsShow(context, id, options)));

  executions
    .command('logs')
    .description('the log lines an execution wrote (log.info/warn/error), with their checkpoint')
    .argument('<id>', 'the execution id')
    .option('-f, --follow', 'keep printing new lines until the execution completes, fails or is cancelled')
    .option('--json', 'one JSON log record per line')
    .addHelpText('after', examples('keel executions logs ex_01jdq3k8m2r7f3k9q2xw4h', 'keel executions logs ex_01jdq3k8m2r7f3k9q2xw4h --follow'))
    .action(
      act(async (id: string, options: { follow?: boolean; json?: boolean }) =>
        (await import('./commands/executions-logs.js')).executionsLogs(context, id, options),
      ),
    );

  executions
    .command('input')
    .description("answer a pending wait; the value is checked against the wait's schema, and a refused value changes nothing (exit 2)")
    .argument('<id>', 'the execution id')
    .option('--wait <name>', 'the wait name (or id, e.g. approve:2); optional when only one wait is pending')
    .option('--value <json>', 'the input as JSON')
    .option('--value-file <path>', 'read the input JSON from a file (- for stdin)')
    .option('--resume', 'resume the execution in this process right away (instead of leaving it to a worker)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examples(
        'keel executions input ex_01jdq3k8m2r7f3k9q2xw4h --wait approve --value \'{"approved": true}\'',
        'keel executions input ex_01jdq3k8m2r7f3k9q2xw4h --value \'"looks good"\' --resume',
      ) + '\nThe input does not run anything by itself: a worker (keel worker) resumes the execution, or keel executions resume, or --resume.\n',
    )
    .action(
      act(async (id: string, options: { wait?: string; value?: string; valueFile?: string; resume?: boolean; json?: boolean }) =>
        (await import('./commands/executions-input.js')).executionsInput(context, id, options),
      ),
    );

  executions
    .command('resume')
    .description('continue a waiting or abandoned execution in this process; completed checkpoints are reused')
    .argument('<id>', 'the execution id')
    .option('--json', 'print the outcome as JSON')
    .addHelpText('after', examples('keel executions resume ex_01jdq3k8m2r7f3k9q2xw4h'))
    .action(
      act(async (id: string, options: { json?: boolean }) =>
        (await import('./commands/executions-continue.js')).executionsContinue(context, 'resume', id, options),
      ),
    );

  executions
    .command('retry')
    .description('run a failed execution again in this process; completed checkpoints are reused, the failed one runs again')
    .argument('<id>', 'the execution id')
    .option('--json', 'print the outcome as JSON')
    .addHelpText('after', examples('keel executions retry ex_01jdq3k8m2r7f3k9q2xw4h'))
    .action(
      act(async (id: string, options: { json?: boolean }) =>
        (await import('./commands/executions-continue.js')).executionsContinue(context, 'retry', id, options),
      ),
    );

  executions
    .command('cancel')
    .description('cancel an execution; one running in another process stops at its next checkpoint')
    .argument('<id>', 'the execution id')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', examples('keel executions cancel ex_01jdq3k8m2r7f3k9q2xw4h'))
    .action(act(async (id: string, options: { json?: boolean }) => (await import('./commands/executions-cancel.js')).executionsCancel(context, id, options)));

  executions
    .command('replay')
    .description("a new execution that reuses this one's checkpoints before --from, with --override values, and runs the rest live; prints what changed")
    .argument('<id>', 'the execution to replay')
    .option('--from <checkpoint>', 'run again from this checkpoint (default: the first overridden one; none: reuse every completed checkpoint)')
    .option(
      '--override <checkpoint=json>',
      "replace a checkpoint's output, e.g. draft:1='\"shorter\"' (repeatable)",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--hermetic', 'fail on any call that has no record instead of running it live (tests, evals)')
    .option('--json', 'print the comparison as JSON')
    .addHelpText(
      'after',
      examples(
        'keel executions replay ex_01jdq3k8m2r7f3k9q2xw4h --from summarize:1',
        'keel executions replay ex_01jdq3k8m2r7f3k9q2xw4h --override \'search_web:1=["only this result"]\'',
        'keel executions replay ex_01jdq3k8m2r7f3k9q2xw4h --hermetic',
      ),
    )
    .action(
      act(async (id: string, options: { from?: string; override?: string[]; hermetic?: boolean; json?: boolean }) =>
        (await import('./commands/executions-replay.js')).executionsReplay(context, id, options),
      ),
    );

  const collect = (value: string, previous: string[]) => [...previous, value];

  program
    .command('deploy')
    .description(
      "register the version of each flow this code runs (KEEL_CODE_VERSION, the config's codeVersion, or the flow's source digest) with its input schema, and point tags at it",
    )
    .argument('[flows...]', 'the flows to deploy (default: every flow the config defines)')
    .option('--tag <tag>', 'point this tag at the deployed version (repeatable), e.g. --tag prod', collect, [] as string[])
    .option('--deployed-by <name>', 'who deploys (default: $USER)')
    .option('--json', 'print the deployments as JSON')
    .addHelpText(
      'after',
      examples('KEEL_CODE_VERSION=v7 keel deploy --tag prod', 'KEEL_CODE_VERSION=$(git rev-parse --short HEAD) keel deploy research --tag canary') +
        '\nDeployments are immutable: the same version with the same code again changes nothing; with other code it is refused (exit 2).\n',
    )
    .action(
      act(async (flows: string[], options: { tag: string[]; deployedBy?: string; json?: boolean }) =>
        (await import('./commands/deploy-command.js')).deployCommand(context, flows, options),
      ),
    );

  program
    .command('invoke')
    .description('start a queued execution pinned to the version a tag points to (default prod), or to --version; a worker of that version runs it')
    .argument('<flow>', 'the flow name')
    .option('--tag <tag>', 'route through this tag (default prod)')
    .option('--version <version>', 'run exactly this deployed version')
    .option('--input <json>', 'the flow input as JSON (checked against the deployed input schema)')
    .option('--input-file <path>', 'read the input JSON from a file (- for stdin)')
    .option('--json', 'print the execution id and version as JSON')
    .addHelpText(
      'after',
      examples(
        'keel invoke research --input \'"AI"\'',
        'keel invoke research --tag canary --input-file topic.json',
        'keel invoke research --version v7 --input \'"AI"\'',
      ),
    )
    .action(
      act(async (flow: string, options: { tag?: string; version?: string; input?: string; inputFile?: string; json?: boolean }) =>
        (await import('./commands/invoke-command.js')).invokeCommand(context, flow, options),
      ),
    );

  const versions = program
    .command('versions')
    .description('per flow and code version: executions queued/running/waiting/failed, tags, whether it can be retired, whether this code serves it');
  versions.addHelpText('after', examples('keel versions', 'keel versions --flow research --json', 'keel versions remove research v6'));
  versions
    .command('list', { isDefault: true })
    .description('the versions table (what `keel versions` shows)')
    .option('--flow <name>', 'only this flow')
    .option('--json', 'print the summaries as JSON')
    .addHelpText('after', examples('keel versions list', 'keel versions --flow research'))
    .action(act(async (options: { flow?: string; json?: boolean }) => (await import('./commands/versions-list.js')).versionsList(context, options)));
  versions
    .command('remove')
    .description('remove a deployed version; refused (exit 2, nothing removed) while it has unfinished executions or tags')
    .argument('<flow>', 'the flow name')
    .argument('<version>', 'the version to remove')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', examples('keel versions remove research v6'))
    .action(
      act(async (flow: string, version: string, options: { json?: boolean }) =>
        (await import('./commands/versions-remove.js')).versionsRemove(context, flow, version, options),
      ),
    );

  const experiments = program
    .command('experiments')
    .description('replay a cohort of recorded runs with a change (model, instructions, tool) and compare them side by side');
  experiments.addHelpText(
    'after',
    examples('keel experiments run cheaper-writer', 'keel experiments list', 'keel experiments show ex_01jdq3k8m2r7f3k9q2xw4h --json'),
  );
  experiments
    .command('run')
    .description('run an experiment defined in the flow modules: each member replays in this process; prints the report')
    .argument('<name>', 'the name given to experiment(name, …)')
    .option('--limit <n>', 'replay at most this many executions of the cohort')
    .option('--since <when>', 'only executions created since then: an ISO date or a duration ago (7d, 12h)')
    .option('--json', 'print the experiment as JSON')
    .addHelpText('after', examples('keel experiments run cheaper-writer', 'keel experiments run cheaper-writer --since 7d --limit 20 --json'))
    .action(
      act(async (name: string, options: { limit?: string; since?: string; json?: boolean }) =>
        (await import('./commands/experiments-run.js')).experimentsRun(context, name, options),
      ),
    );
  experiments
    .command('resume')
    .description('continue an experiment whose process died: members done are kept, the rest replay')
    .argument('<id>', "the experiment's id")
    .option('--json', 'print the experiment as JSON')
    .addHelpText('after', examples('keel experiments resume ex_01m903ecsqdjkwkkbd'))
    .action(act(async (id: string, options: { json?: boolean }) => (await import('./commands/experiments-run.js')).experimentsResume(context, id, options)));
  experiments
    .command('list', { isDefault: true })
    .alias('ls')
    .description('the newest experiments: status, members done, outputs changed, tool answers, token and cost deltas')
    .option('--name <name>', 'only experiments of this name')
    .option('--limit <n>', 'at most this many (default 20)')
    .option('--json', 'print the experiments as JSON')
    .addHelpText('after', examples('keel experiments list', 'keel experiments list --name cheaper-writer --json'))
    .action(
      act(async (options: { name?: string; limit?: string; json?: boolean }) =>
        (await import('./commands/experiments-list.js')).experimentsList(context, options),
      ),
    );
  experiments
    .command('show')
    .description("one experiment: its change, totals, and each member's output change, first difference, tokens, tool answers and scores")
    .argument('<id>', "the experiment's id")
    .option('--json', 'everything as JSON, output and artifact diffs included')
    .addHelpText(
      'after',
      examples('keel experiments show ex_01m903ecsqdjkwkkbd', 'keel experiments show ex_01m903ecsqdjkwkkbd --json | jq ".members[0].comparison.output.diff"'),
    )
    .action(act(async (id: string, options: { json?: boolean }) => (await import('./commands/experiments-list.js')).experimentsShow(context, id, options)));

  program
    .command('tag')
    .description('point a tag at a deployed version (new invocations go there; started executions stay on theirs), or remove it')
    .argument('<flow>', 'the flow name')
    .argument('<tag>', 'the tag, e.g. prod')
    .argument('[version]', 'the deployed version to point it at')
    .option('--remove', 'remove the tag instead')
    .option('--json', 'print the tag as JSON')
    .addHelpText('after', examples('keel tag research prod v8', 'keel tag research canary --remove'))
    .action(
      act(async (flow: string, tag: string, version: string | undefined, options: { remove?: boolean; json?: boolean }) =>
        (await import('./commands/tag-command.js')).tagCommand(context, flow, tag, version, options),
      ),
    );

  const artifacts = program.command('artifacts').description('list and read the artifacts an execution saved (its return value is "output")');
  artifacts.addHelpText('after', examples('keel artifacts list ex_01jdq3k8m2r7f3k9q2xw4h', 'keel artifacts get ex_01jdq3k8m2r7f3k9q2xw4h report'));
  artifacts
    .command('list')
    .alias('ls')
    .description('the artifacts of an execution, with type and size')
    .argument('<id>', 'the execution id')
    .option('--json', 'print the artifact records as JSON')
    .addHelpText('after', examples('keel artifacts list ex_01jdq3k8m2r7f3k9q2xw4h'))
    .action(act(async (id: string, options: { json?: boolean }) => (await import('./commands/artifacts.js')).artifactsList(context, id, options)));
  artifacts
    .command('get')
    .description('print an artifact: text and markdown as they are, JSON pretty; binary needs --out')
    .argument('<id>', 'the execution id')
    .argument('<name>', 'the artifact name')
    .option('-o, --out <file>', 'write it to a file instead')
    .addHelpText(
      'after',
      examples('keel artifacts get ex_01jdq3k8m2r7f3k9q2xw4h output', 'keel artifacts get ex_01jdq3k8m2r7f3k9q2xw4h screenshot --out shot.png'),
    )
    .action(
      act(async (id: string, name: string, options: { out?: string }) => (await import('./commands/artifacts.js')).artifactsGet(context, id, name, options)),
    );

  const store = program.command('store').description('operate on whole stores: copy every execution, deployment and tag from one store to another');
  store.addHelpText('after', examples('keel store copy --from ./.keel --to sqlite:./keel.db'));
  store
    .command('copy')
    .description(
      'copy every execution with its checkpoints, waits, artifacts, logs and blobs, and the deployed versions and tags, to another store, then compare counts and a digest of both sides (exit 1 if they differ)',
    )
    .requiredOption('--from <url>', 'the store to copy from: a folder (./.keel), sqlite:./keel.db or postgres://…')
    .requiredOption('--to <url>', 'the store to copy into')
    .option('--skip-existing', 'leave out executions the target already has (default: refuse and copy nothing)')
    .option('--json', 'print counts and digests as JSON')
    .addHelpText(
      'after',
      examples('keel store copy --from ./.keel --to sqlite:./keel.db', 'keel store copy --from sqlite:./keel.db --to postgres://keel@db/keel --skip-existing') +
        '\nExecution versions restart in the target and leases are not copied: an execution that was running is recovered by a worker on the target.\n',
    )
    .action(
      act(async (options: { from: string; to: string; skipExisting?: boolean; json?: boolean }) =>
        (await import('./commands/store-copy-command.js')).storeCopyCommand(context, options),
      ),
    );

  program
    .command('worker')
    .description('run queued executions, resume those whose waits got input, recover abandoned ones; stops cleanly on SIGINT/SIGTERM')
    .option('--once', 'do what is owed now, then exit (exit 1 if an execution it ran failed)')
    .addOption(new Option('--concurrency <n>', 'executions run at the same time').default('1'))
    .addOption(new Option('--poll <ms>', 'how long to sleep when idle before looking again').default('1000'))
    .addOption(new Option('--grace <ms>', 'on stop, how long executions in flight may take to finish before they are handed back').default('10000'))
    .option('--isolate', 'run each execution in its own child process: a crash or out-of-memory ends only that process, and the execution is recovered')
    .option('--memory-mb <n>', "with --isolate: the heap limit of each execution's process, in MB")
    .option('--timeout-ms <n>', "with --isolate: kill an execution's process after this long (the execution is recovered like a crashed one)")
    .option('--metrics-port <port>', 'serve /metrics (Prometheus text), /healthz and /readyz on this port (0 picks a free one)')
    .option('--metrics-host <address>', 'with --metrics-port: the address to listen on (default 127.0.0.1; 0.0.0.0 for a scraper in another container)')
    .option('--json', 'one JSON event per line')
    .addHelpText(
      'after',
      examples(
        'keel worker',
        'keel worker --concurrency 4',
        'keel worker --once',
        'keel worker --metrics-port 9464',
        'keel worker --isolate --memory-mb 512 --timeout-ms 600000',
        'KEEL_STORE=postgres://keel@db/keel keel worker --poll 500',
      ) +
        '\nStopping: the first SIGINT/SIGTERM starts no new work and gives executions in flight --grace ms to finish; then (or at a\nsecond signal) they are handed back — leases released — so another worker continues them at once.\n',
    )
    .action(
      act(
        async (options: {
          once?: boolean;
          concurrency: string;
          poll: string;
          grace: string;
          json?: boolean;
          isolate?: boolean;
          memoryMb?: string;
          timeoutMs?: string;
          metricsPort?: string;
          metricsHost?: string;
        }) => {
          const { parseWholeNumber } = await import('./command-arguments.js');
          if (!options.isolate && (options.memoryMb !== undefined || options.timeoutMs !== undefined)) {
            const { ArgumentInvalidError } = await import('./errors/argument-invalid-error.js');
            throw new ArgumentInvalidError({
              argument: options.memoryMb !== undefined ? '--memory-mb' : '--timeout-ms',
              problem: 'limits apply to isolated runs: add --isolate.',
            });
          }
          if (options.metricsHost !== undefined && options.metricsPort === undefined) {
            const { ArgumentInvalidError } = await import('./errors/argument-invalid-error.js');
            throw new ArgumentInvalidError({ argument: '--metrics-host', problem: 'it is the address of the metrics listener: add --metrics-port.' });
          }
          const isolate = options.isolate
            ? {
                ...(options.memoryMb !== undefined ? { memoryMb: parseWholeNumber(options.memoryMb, '--memory-mb', 16) } : {}),
                ...(options.timeoutMs !== undefined ? { timeoutMs: parseWholeNumber(options.timeoutMs, '--timeout-ms', 1) } : {}),
              }
            : undefined;
          const workerOptions = {
            once: options.once ?? false,
            concurrency: parseWholeNumber(options.concurrency, '--concurrency', 1),
            pollMs: parseWholeNumber(options.poll, '--poll', 10),
            graceMs: parseWholeNumber(options.grace, '--grace', 0),
            json: options.json ?? false,
            ...(isolate ? { isolate } : {}),
            ...(options.metricsPort !== undefined
              ? {
                  metrics: {
                    port: parseWholeNumber(options.metricsPort, '--metrics-port', 0),
                    ...(options.metricsHost !== undefined ? { host: options.metricsHost } : {}),
                  },
                }
              : {}),
          };
          const project = await context.open(true);
          const catalog = await project.loadFlows();
          const { Worker } = await import('./worker/worker.js');
          context.exitCode = await new Worker(context, project, catalog, workerOptions).run();
        },
      ),
    );

  program
    .command('serve')
    .description('serve the HTTP API and the web dashboard (MCP over HTTP at /mcp); resume, retry and replay asked there run in this process')
    .addOption(new Option('--host <host>', 'address to listen on; any but loopback needs KEEL_API_TOKEN').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'port; 0 picks a free one').default('7400'))
    .addHelpText(
      'after',
      examples('keel serve', 'keel serve --port 8080', 'KEEL_API_TOKEN=$(openssl rand -hex 16) keel serve --host 0.0.0.0') +
        '\nSecurity: on 127.0.0.1 no token is needed; on any other address the server refuses to start without KEEL_API_TOKEN,\nand every request then needs "Authorization: Bearer <token>" (the dashboard: open it once with ?token=<token>).\n',
    )
    .action(
      act(async (options: { host: string; port: string }) => {
        const { parseWholeNumber } = await import('./command-arguments.js');
        const { serveCommand } = await import('./commands/serve-command.js');
        await serveCommand(context, { host: options.host, port: parseWholeNumber(options.port, '--port', 0) });
      }),
    );

  program
    .command('mcp')
    .description("serve Keel's MCP server over stdio, for MCP clients (Claude, Cursor …) to inspect and operate executions")
    .addHelpText(
      'after',
      examples('keel mcp') + '\nIn an MCP client\'s configuration: { "mcpServers": { "keel": { "command": "npx", "args": ["@keel/cli", "mcp"] } } }\n',
    )
    .action(act(async () => (await import('./commands/mcp-command.js')).mcpCommand(context)));

  return program;
}
