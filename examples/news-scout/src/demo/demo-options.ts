import { parseArgs } from 'node:util';
import { defaultInterests } from '../news-scout-flow.js';

/** The demo's command line, parsed. */
export interface DemoOptions {
  readonly interests: readonly string[];
  /** Approve the brief without asking. */
  readonly yes: boolean;
  /** Write a JSON summary of what happened here (for scripts and tests). */
  readonly summary?: string;
  /** Search and read the real web. */
  readonly live: boolean;
  /** `offline`, `openai[:id]`, `anthropic[:id]`; undefined: from the environment. */
  readonly model?: string;
  /** Delay before each model and tool call, so the run can be followed (ms). */
  readonly paceMs?: number;
  /** Show the output of the `keel` commands the demo runs. */
  readonly verbose: boolean;
  readonly help: boolean;
}

/** The demo's `--help`. */
export const demoUsage = `News Scout demo: a durable agent, broken on purpose and resumed.

Usage: node dist/demo.js [options]       (from the repository root: pnpm demo [options])

  --interests "<a>, <b>"   what the scout looks for (default "${defaultInterests.join(', ')}")
  --yes                    approve the brief without asking (needed without a terminal to finish the run)
  --offline                use the offline model even if OPENAI_API_KEY or ANTHROPIC_API_KEY is set
  --model <spec>           offline | openai[:<model id>] | anthropic[:<model id>]
  --live                   search Hacker News and read real pages instead of the bundled corpus
  --pace <ms>              pause before each model and tool call (default 250 offline, 0 otherwise)
  --summary <file>         also write what happened as JSON (for scripts and tests)
  --verbose                show the output of the keel commands the demo runs
  -h, --help               this help

The store is KEEL_STORE if set, else examples/news-scout/.keel.`;

/** Parses the demo's arguments (throws with a readable message on a bad one). */
export function parseDemoOptions(argv: readonly string[]): DemoOptions {
  // `pnpm demo -- --yes` hands the separator on; it means nothing here.
  const given = argv[0] === '--' ? argv.slice(1) : [...argv];
  const { values } = parseArgs({
    args: given,
    options: {
      interests: { type: 'string' },
      yes: { type: 'boolean', short: 'y', default: false },
      summary: { type: 'string' },
      live: { type: 'boolean', default: false },
      offline: { type: 'boolean', default: false },
      model: { type: 'string' },
      pace: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
    strict: true,
  });
  const interests = (values.interests ?? '')
    .split(',')
    .map((interest) => interest.trim())
    .filter(Boolean);
  const paceMs = values.pace === undefined ? undefined : Number(values.pace);
  if (paceMs !== undefined && (!Number.isFinite(paceMs) || paceMs < 0)) throw new Error(`--pace takes a number of milliseconds, not "${values.pace}".`);
  const model = values.offline ? 'offline' : values.model;
  return {
    interests: interests.length > 0 ? interests : [...defaultInterests],
    yes: values.yes,
    ...(values.summary ? { summary: values.summary } : {}),
    live: values.live,
    ...(model ? { model } : {}),
    ...(paceMs !== undefined ? { paceMs } : {}),
    verbose: values.verbose,
    help: values.help,
  };
}
