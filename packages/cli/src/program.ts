import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { CliContext, GlobalOptions } from './cli-context.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

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
    .version(version, '-v, --version')
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
Exit codes: 0 ok · 1 a run failed (or the command could not be done) · 2 bad usage · 3 a run waits for input
Environment: KEEL_STORE (a store URL, overrides the config; --store overrides it)
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
    .action(act(async (_options: Record<string, never>) => (await import('./commands/init-command.js')).initCommand(context, { ...(context.globals.store !== undefined ? { store: context.globals.store } : {}) })));

  program
    .command('run')
    .description('start an execution of a flow and show its checkpoints live; ends with its id, status and what to do next')
    .argument('<flow>', 'the flow name, as given to flow(name, fn)')
    .option('--input <json>', 'the flow input as JSON')
    .option('--input-file <path>', 'read the input JSON from a file (- for stdin)')
    .option('--queue', 'only create the execution, queued for a worker, and return at once')
    .option('--json', 'print the outcome as JSON (no live progress)')
    .addHelpText(
      'after',
      examples('keel run hello', 'keel run hello --input \'{"name":"Ada"}\'', 'keel run research --input-file topic.json', 'keel run research --input \'"AI"\' --queue') +
        '\nExit code: 0 completed · 1 failed or cancelled · 3 waiting for input (the output says the exact `keel executions input` command)\n',
    )
    .action(act(async (flow: string, options: { input?: string; inputFile?: string; queue?: boolean; json?: boolean }) => (await import('./commands/run-command.js')).runCommand(context, flow, options)));

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
    .addHelpText('after', examples('keel executions list', 'keel executions list --flow hello --status waiting,failed --limit 50', 'keel executions list --json | jq -r ".[].id"'))
    .action(act(async (options: { flow?: string; status?: string; limit?: string; json?: boolean }) => (await import('./commands/executions-list.js')).executionsList(context, options)));

  executions
    .command('show')
    .description('one execution: input, output, checkpoint tree (kind, status, duration, attempts, model, tokens), pending waits, artifacts, error')
    .argument('<id>', 'the execution id')
    .option('--json', 'everything as JSON, with checkpoint inputs and outputs decoded')
    .addHelpText('after', examples('keel executions show ex_01jdq3k8m2r7f3k9q2xw4h', 'keel executions show ex_01jdq3k8m2r7f3k9q2xw4h --json | jq ".checkpoints[].id"'))
    .action(act(async (id: string, options: { json?: boolean }) => (await import('./commands/executions-show.js')).executionsShow(context, id, options)));

  executions
    .command('logs')
    .description('the log lines an execution wrote (log.info/warn/error), with their checkpoint')
    .argument('<id>', 'the execution id')
    .option('-f, --follow', 'keep printing new lines until the execution completes, fails or is cancelled')
    .option('--json', 'one JSON log record per line')
    .addHelpText('after', examples('keel executions logs ex_01jdq3k8m2r7f3k9q2xw4h', 'keel executions logs ex_01jdq3k8m2r7f3k9q2xw4h --follow'))
    .action(act(async (id: string, options: { follow?: boolean; json?: boolean }) => (await import('./commands/executions-logs.js')).executionsLogs(context, id, options)));

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
    .action(act(async (id: string, options: { wait?: string; value?: string; valueFile?: string; resume?: boolean; json?: boolean }) => (await import('./commands/executions-input.js')).executionsInput(context, id, options)));

  executions
    .command('resume')
    .description('continue a waiting or abandoned execution in this process; completed checkpoints are reused')
    .argument('<id>', 'the execution id')
    .option('--json', 'print the outcome as JSON')
    .addHelpText('after', examples('keel executions resume ex_01jdq3k8m2r7f3k9q2xw4h'))
    .action(act(async (id: string, options: { json?: boolean }) => (await import('./commands/executions-continue.js')).executionsContinue(context, 'resume', id, options)));

  executions
    .command('retry')
    .description('run a failed execution again in this process; completed checkpoints are reused, the failed one runs again')
    .argument('<id>', 'the execution id')
    .option('--json', 'print the outcome as JSON')
    .addHelpText('after', examples('keel executions retry ex_01jdq3k8m2r7f3k9q2xw4h'))
    .action(act(async (id: string, options: { json?: boolean }) => (await import('./commands/executions-continue.js')).executionsContinue(context, 'retry', id, options)));

  executions
    .command('cancel')
    .description('cancel an execution; one running in another process stops at its next checkpoint')
    .argument('<id>', 'the execution id')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', examples('keel executions cancel ex_01jdq3k8m2r7f3k9q2xw4h'))
    .action(act(async (id: string, options: { json?: boolean }) => (await import('./commands/executions-cancel.js')).executionsCancel(context, id, options)));

  executions
    .command('replay')
    .description('a new execution that reuses this one\'s checkpoints before --from, with --override values, and runs the rest live; prints what changed')
    .argument('<id>', 'the execution to replay')
    .option('--from <checkpoint>', 'run again from this checkpoint (default: the first overridden one; none: reuse every completed checkpoint)')
    .option('--override <checkpoint=json>', 'replace a checkpoint\'s output, e.g. draft:1=\'"shorter"\' (repeatable)', (value: string, previous: string[]) => [...previous, value], [] as string[])
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
    .action(act(async (id: string, options: { from?: string; override?: string[]; hermetic?: boolean; json?: boolean }) => (await import('./commands/executions-replay.js')).executionsReplay(context, id, options)));

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
    .addHelpText('after', examples('keel artifacts get ex_01jdq3k8m2r7f3k9q2xw4h output', 'keel artifacts get ex_01jdq3k8m2r7f3k9q2xw4h screenshot --out shot.png'))
    .action(act(async (id: string, name: string, options: { out?: string }) => (await import('./commands/artifacts.js')).artifactsGet(context, id, name, options)));

  const store = program.command('store').description('operate on whole stores: copy every execution from one store to another');
  store.addHelpText('after', examples('keel store copy --from ./.keel --to sqlite:./keel.db'));
  store
    .command('copy')
    .description('copy every execution with its checkpoints, waits, artifacts, logs and blobs to another store, then compare counts and a digest of both sides (exit 1 if they differ)')
    .requiredOption('--from <url>', 'the store to copy from: a folder (./.keel), sqlite:./keel.db or postgres://…')
    .requiredOption('--to <url>', 'the store to copy into')
    .option('--skip-existing', 'leave out executions the target already has (default: refuse and copy nothing)')
    .option('--json', 'print counts and digests as JSON')
    .addHelpText(
      'after',
      examples('keel store copy --from ./.keel --to sqlite:./keel.db', 'keel store copy --from sqlite:./keel.db --to postgres://keel@db/keel --skip-existing') +
        '\nExecution versions restart in the target and leases are not copied: an execution that was running is recovered by a worker on the target.\n',
    )
    .action(act(async (options: { from: string; to: string; skipExisting?: boolean; json?: boolean }) => (await import('./commands/store-copy-command.js')).storeCopyCommand(context, options)));

  program
    .command('worker')
    .description('run queued executions, resume those whose waits got input, recover abandoned ones; stops cleanly on SIGINT/SIGTERM')
    .option('--once', 'do what is owed now, then exit (exit 1 if an execution it ran failed)')
    .addOption(new Option('--concurrency <n>', 'executions run at the same time').default('1'))
    .addOption(new Option('--poll <ms>', 'how long to sleep when idle before looking again').default('1000'))
    .addOption(new Option('--grace <ms>', 'on stop, how long executions in flight may take to finish before they are handed back').default('10000'))
    .option('--json', 'one JSON event per line')
    .addHelpText(
      'after',
      examples('keel worker', 'keel worker --concurrency 4', 'keel worker --once', 'KEEL_STORE=postgres://keel@db/keel keel worker --poll 500') +
        '\nStopping: the first SIGINT/SIGTERM starts no new work and gives executions in flight --grace ms to finish; then (or at a\nsecond signal) they are handed back — leases released — so another worker continues them at once.\n',
    )
    .action(
      act(async (options: { once?: boolean; concurrency: string; poll: string; grace: string; json?: boolean }) => {
        const { parseWholeNumber } = await import('./command-arguments.js');
        const workerOptions = {
          once: options.once ?? false,
          concurrency: parseWholeNumber(options.concurrency, '--concurrency', 1),
          pollMs: parseWholeNumber(options.poll, '--poll', 10),
          graceMs: parseWholeNumber(options.grace, '--grace', 0),
          json: options.json ?? false,
        };
        const project = await context.open(true);
        const catalog = await project.loadFlows();
        const { Worker } = await import('./worker/worker.js');
        context.exitCode = await new Worker(context, project, catalog, workerOptions).run();
      }),
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
      examples('keel mcp') +
        '\nIn an MCP client\'s configuration: { "mcpServers": { "keel": { "command": "npx", "args": ["@keel/cli", "mcp"] } } }\n',
    )
    .action(act(async () => (await import('./commands/mcp-command.js')).mcpCommand(context)));

  return program;
}
