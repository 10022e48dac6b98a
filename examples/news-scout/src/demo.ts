#!/usr/bin/env node
/**
 * The News Scout demo (`pnpm demo` at the repository root, or `node dist/demo.js` here): a durable
 * agent run, broken on purpose with SIGKILL, resumed, approved and published. See README.md.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configure, defaultRuntime } from '@keel/core';
import { parseDemoOptions, demoUsage } from './demo/demo-options.js';
import { KeelCli } from './demo/keel-cli.js';
import { DemoStepFailedError } from './demo/demo-step-failed-error.js';
import { NewsScoutDemo, writeSummary } from './demo/news-scout-demo.js';
import { chooseModel } from './model-choice.js';

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repositoryDir = path.resolve(projectDir, '..', '..');

async function main(): Promise<number> {
  let options;
  try {
    options = parseDemoOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${demoUsage}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${demoUsage}\n`);
    return 0;
  }
  const defaultStore = path.join(projectDir, '.keel');
  const storeSetting = process.env['KEEL_STORE'];
  // A store URL (sqlite:…, postgres://…) is passed on as it is; a folder is made absolute for the children.
  const store = storeSetting
    ? /^[a-z][a-z0-9+]*:/i.test(storeSetting) && !/^[a-z]:[\\/]/i.test(storeSetting)
      ? storeSetting
      : path.resolve(storeSetting)
    : defaultStore;
  configure({ store });
  const model = chooseModel(options.model);
  const demo = new NewsScoutDemo({
    options,
    model,
    executions: defaultRuntime().executions,
    cli: new KeelCli({ projectDir, store, defaultStore: store === defaultStore }),
    store,
    storeLabel: store === defaultStore ? `${path.relative(repositoryDir, defaultStore)} (lowdb files; KEEL_STORE to change)` : store,
    projectLabel: path.relative(repositoryDir, projectDir) || '.',
    projectDir,
  });
  const stop = () => {
    demo.killChildren();
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const summary = await demo.run();
    if (options.summary) writeSummary(path.resolve(options.summary), summary);
    return 0;
  } catch (error) {
    demo.killChildren();
    process.stderr.write(`\n${error instanceof DemoStepFailedError ? error.message : ((error as Error).stack ?? String(error))}\n`);
    return 1;
  } finally {
    if (!options.summary) demo.removeCallLog();
    await defaultRuntime().close();
  }
}

process.exitCode = await main();
