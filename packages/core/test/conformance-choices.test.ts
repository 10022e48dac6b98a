import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const config = new URL('./fixtures/conformance-choices/vitest.config.ts', import.meta.url).pathname;
// vitest's command line script, beside its package.json (its exports map does not list it).
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');

interface JsonReport {
  testResults: { name: string; status: string; message: string; assertionResults: { title: string; status: string }[] }[];
}

/** Runs vitest on one fixture file in a child process, with the JSON reporter. */
function runFixture(file: string): Promise<{ code: number | null; report: JsonReport; stderr: string }> {
  const child = spawn(process.execPath, [vitest, 'run', '--config', config, '--reporter=json', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, report: JSON.parse(stdout.slice(stdout.indexOf('{'))) as JsonReport, stderr })));
}

describe('the store conformance suite says what it did not run', () => {
  it('refuses a store without `shared` that does not list the multi-process tests in `skip`', async () => {
    const { code, report } = await runFixture('unshared-without-skip');
    expect(code).not.toBe(0);
    const [file] = report.testResults;
    expect(file?.status).toBe('failed');
    expect(file?.message).toMatch(/these tests cannot run on this store: "persistence > [^"]+" \(no `shared` option/);
    expect(file?.message).toContain('multi-process > ');
    expect(file?.message).toContain('leases across processes > ');
  });

  it('reports the tests a store chose to skip as skipped, with the reason', async () => {
    const { code, report, stderr } = await runFixture('unshared-with-skip');
    expect(code, stderr).toBe(0);
    const results = report.testResults[0]!.assertionResults;
    const skipped = results.filter((result) => result.status === 'skipped' || result.status === 'pending');
    expect(skipped.length).toBeGreaterThanOrEqual(6);
    for (const result of skipped) expect(result.title).toMatch(/ — skipped: one process only$/);
    expect(results.filter((result) => result.status === 'passed').length).toBeGreaterThan(50);
  });
});
