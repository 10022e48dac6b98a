import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createJiti } from '../project/jiti-loader.js';
import type { CliContext } from '../cli-context.js';
import { configFileNames } from '../project/find-config.js';
import { resolveStoreUrl } from '../project/store-url.js';
import { printNextSteps } from '../output/next-steps.js';

/** The example flow `keel init` writes, so `keel run hello` works right away. */
export const exampleFlow = `import { checkpoint, flow, log, save } from '@keel/core';

/**
 * An example flow. Each checkpoint's result is stored: run it, then look at it with
 * \`keel executions show <id>\`; replay it with \`keel executions replay <id> --override 'compose:1="Hi!"'\`.
 */
export const hello = flow('hello', async (input?: { name?: string }) => {
  const name = input?.name ?? 'world';
  const greeting = await checkpoint('compose', () => \`Hello, \${name}!\`);
  log.info('composed a greeting', { length: greeting.length });
  const loud = await checkpoint('shout', () => greeting.toUpperCase());
  await save('greeting', \`# \${loud}\\n\\nComposed by Keel for \${name}.\\n\`, { type: 'markdown' });
  return { greeting, loud };
});
`;

function configText(store: string): string {
  return `import { defineConfig } from '@keel/cli';

export default defineConfig({
  // Where executions live: a folder (lowdb JSON files), sqlite:./keel.db or postgres://user@host/db.
  // Relative to this file. KEEL_STORE or --store override it.
  store: ${JSON.stringify(store)},
  // The modules that define flows with flow(name, fn) from @keel/core: paths or globs, relative to this file.
  flows: ['./flows/*.ts'],
});
`;
}

/**
 * `keel init`: writes `keel.config.ts` and an example flow, creates the store, and keeps the store out
 * of git. Safe to run twice: what exists is kept and said so.
 */
export async function initCommand(context: CliContext, options: { store?: string }): Promise<void> {
  const { terminal } = context;
  const { colors } = terminal;
  const root = context.cwd;
  const store = options.store ?? context.globals.store ?? './.keel';
  const done = (text: string) => terminal.line(`${colors.green('✓')} ${text}`);
  const kept = (text: string) => terminal.line(`${colors.dim('·')} ${text}`);

  const existingConfig = configFileNames.map((name) => join(root, name)).find((file) => existsSync(file));
  if (existingConfig) kept(`${relative(root, existingConfig)} exists; kept as it is`);
  else {
    await writeFile(join(root, 'keel.config.ts'), configText(store));
    done(`wrote keel.config.ts ${colors.dim(`(store ${store}, flows ./flows/*.ts)`)}`);
  }

  const example = join(root, 'flows', 'hello.ts');
  if (existsSync(example)) kept('flows/hello.ts exists; kept as it is');
  else if (existingConfig) kept('flows/hello.ts not written (the existing config decides where flows are)');
  else {
    await mkdir(dirname(example), { recursive: true });
    await writeFile(example, exampleFlow);
    done(`wrote flows/hello.ts ${colors.dim('(an example flow named "hello")')}`);
  }

  // Run again without --store, init keeps to the store the existing config names.
  const storeUrl =
    existingConfig && options.store === undefined && context.globals.store === undefined
      ? ((await context.open(false)).storeUrl ?? resolveStoreUrl(store, root))
      : resolveStoreUrl(store, root);
  const isFolder = !/^[a-z][a-z0-9+.-]*:/i.test(storeUrl) || storeUrl.startsWith('lowdb:');
  if (isFolder) {
    const folder = storeUrl.replace(/^lowdb:/, '');
    if (existsSync(folder)) kept(`store ${relative(root, folder) || folder}/ exists`);
    else {
      // lowdb writes its marker file on the first write; the folder is what makes the store visible now.
      await mkdir(folder, { recursive: true });
      done(`created the store ${relative(root, folder) || folder}/`);
    }
    const entry = `${relative(root, folder).split('\\').join('/')}/`;
    if (!entry.startsWith('../')) await ignoreInGit(root, entry, done, kept);
  } else {
    const project = await context.open(false);
    await project.runtime.executions.list({ limit: 1 });
    done(`opened the store ${project.storeLabel}`);
    // A SQLite file in the project (with its -wal and -shm companions) stays out of git too.
    if (storeUrl.startsWith('sqlite:')) {
      const file = relative(root, storeUrl.slice('sqlite:'.length)).split('\\').join('/');
      if (file !== '' && !file.startsWith('../') && !file.startsWith(':')) await ignoreInGit(root, `${file}*`, done, kept);
    }
  }
  // The config names the store now: the commands below need no --store.
  const { store: _given, ...globals } = context.globals;
  context.globals = globals;

  const resolver = createJiti(pathToFileURL(`${root}/`).href, { fsCache: false, moduleCache: false });
  const hasCore = resolver.esmResolve('@keel/core', { parentURL: pathToFileURL(`${root}/`).href, try: true }) !== undefined;
  terminal.line();
  printNextSteps(terminal, 'Next:', [
    [context.hint('run', 'hello', '--input', '{"name":"Ada"}'), 'run the example flow and watch its checkpoints'],
    [context.hint('executions', 'list'), 'what ran, what waits, what failed'],
    [context.hint('worker'), 'runs queued executions, resumes answered waits, recovers crashed runs'],
  ]);
  if (!hasCore) {
    terminal.line();
    terminal.line(colors.dim('@keel/core is not installed in this project; keel uses its own copy to run flows. Install it for'));
    terminal.line(colors.dim('editor types and for adapters:  npm install @keel/core zod   (zod: schemas for wait())'));
  }
}

async function ignoreInGit(root: string, entry: string, done: (text: string) => void, kept: (text: string) => void): Promise<void> {
  const file = join(root, '.gitignore');
  const current = existsSync(file) ? await readFile(file, 'utf8') : '';
  const bare = entry.replace(/[/*]$/, '');
  const lines = current.split(/\r?\n/).map((line) => line.trim());
  if (lines.some((line) => line === entry || line === bare || line === `/${entry}` || line === `/${bare}`)) {
    kept(`.gitignore already ignores ${entry}`);
    return;
  }
  await appendFile(file, `${current.length && !current.endsWith('\n') ? '\n' : ''}${entry}\n`);
  done(`${current.length ? 'added' : 'wrote .gitignore with'} ${entry}${current.length ? ' to .gitignore' : ''}`);
}
