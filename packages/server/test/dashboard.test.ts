import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createRuntime, lowdbStore, type Runtime } from '@keel/core';
import { startServer, type KeelServer } from '@keel/server';
import { useChromium } from '@keel/testkit/browser';
import { registerDemoExperiment, registerDemoFlows } from './fixtures/demo-flows.js';

/** What the functions run in the page see there (this file is type-checked without the DOM library). */
interface InPage {
  readonly document: { querySelectorAll(selector: string): { readonly length: number } };
  readonly __keelInjected?: unknown;
}
const chromium = useChromium({ tests: 'The dashboard tests', screenshots: new URL('./screenshots/', import.meta.url) });
const screenshots = chromium.screenshots;
const cleanups: (() => Promise<void>)[] = [];

/** A store with three executions (completed, failed, waiting), a server on it, and a worker: each test its own. */
interface Dashboard {
  readonly runtime: Runtime;
  readonly server: KeelServer;
  readonly ids: { readonly waiting: string; readonly failed: string; readonly completed: string };
}

async function dashboard(options: { codeVersion?: string } = {}): Promise<Dashboard> {
  const directory = mkdtempSync(join(tmpdir(), 'keel-'));
  const runtime = createRuntime({ store: lowdbStore(join(directory, '.keel')), ...options });
  registerDemoFlows(runtime);
  const completed = (await runtime.run('news_scout', 'robotics')).executionId;
  await runtime.executions.input(completed, 'approve_publish', { approved: true });
  expect((await runtime.executions.resume(completed)).status).toBe('completed');
  const failed = (await runtime.run('flaky_research', 'https://status.example.com/feed')).executionId;
  const waiting = (await runtime.run('news_scout', 'AI infrastructure')).executionId;
  const server = await startServer({ runtime, port: 0, token: null, pollIntervalMs: 100 });
  const stopWorker = startWorker(runtime);
  cleanups.push(async () => {
    await stopWorker();
    await server.close();
    await server.idle();
    await runtime.close();
    rmSync(directory, { recursive: true, force: true });
  });
  return { runtime, server, ids: { waiting, failed, completed } };
}

/** The test's worker: what `keel worker` does, in a loop on the same store. */
function startWorker(target: Runtime): () => Promise<void> {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await target.executions.recover();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

/** A page that fails the test on any script error or console error (a policy violation shows up there). */
async function open(path: string, base: string): Promise<Page & { problems: string[] }> {
  const page = (await chromium.browser.newPage({ viewport: { width: 1360, height: 900 } })) as Page & { problems: string[] };
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') page.problems.push(`console: ${message.text()}`);
  });
  await page.goto(`${base}${path}`);
  return page;
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('dashboard', () => {
  it('lists executions live with status, flow, duration, calls and tokens, and filters them', async () => {
    const { runtime, server, ids } = await dashboard();
    const page = await open('/', server.url);
    await page.waitForSelector('[data-testid=execution-row]');
    const waiting = page.locator(`[data-testid=execution-row][data-execution-id="${ids.waiting}"]`);
    expect(await waiting.getAttribute('data-status')).toBe('waiting');
    const cells = await waiting.locator('td').allInnerTexts();
    expect(cells[0]).toContain('needs input');
    expect(cells[2]).toBe('news_scout');
    expect(cells[5]).toBe('5');
    expect(cells[6]).toBe('7.6k');
    expect(cells[7]).toMatch(/^~\$0\.0\d+/);
    const failed = page.locator(`[data-testid=execution-row][data-execution-id="${ids.failed}"]`);
    expect(await failed.innerText()).toContain('HTTP 503 Service Unavailable');
    expect(await page.locator(`[data-testid=execution-row][data-execution-id="${ids.completed}"] [data-testid=status-badge]`).getAttribute('data-status')).toBe(
      'completed',
    );
    await page.screenshot({ path: join(screenshots, 'executions-list.png'), fullPage: true });

    await page.selectOption('[data-testid=filter-status]', 'failed');
    await page.waitForFunction(() => (globalThis as unknown as InPage).document.querySelectorAll('[data-testid=execution-row]').length === 1);
    expect(new URL(page.url()).search).toBe('?status=failed');
    expect(await page.locator('[data-testid=execution-row]').getAttribute('data-execution-id')).toBe(ids.failed);

    // Live: a run started elsewhere appears without a reload, and the worker moves it along.
    await page.selectOption('[data-testid=filter-status]', '');
    await page.waitForFunction(() => (globalThis as unknown as InPage).document.querySelectorAll('[data-testid=execution-row]').length === 3);
    const { executionId } = await runtime.start('news_scout', 'quantum sensors');
    await page.waitForSelector(`[data-testid=execution-row][data-execution-id="${executionId}"][data-status=waiting]`);
    await runtime.executions.cancel(executionId);
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('opens a waiting execution, approves it through the form built from its schema, and follows it to completion', async () => {
    const { runtime, server, ids } = await dashboard();
    const page = await open(`/executions/${ids.waiting}`, server.url);
    const form = page.locator('[data-testid=wait-form]');
    await form.waitFor();
    expect(await form.getAttribute('data-wait-id')).toBe('approve_publish:1');
    expect(await form.locator('[data-testid=wait-question]').innerText()).toBe('Publish the brief on "AI infrastructure"?');
    expect(await form.locator('[data-testid=reject-button]').count()).toBe(1);
    await page.screenshot({ path: join(screenshots, 'execution-waiting.png'), fullPage: true });

    await form.locator('textarea').first().fill('Looks good');
    await form.locator('[data-testid=approve-button]').click();
    await page.waitForSelector('[data-testid=status-panel-completed]');
    const wait = (await runtime.executions.waits(ids.waiting))[0]!;
    expect(wait).toMatchObject({ status: 'resolved', resolvedBy: 'dashboard', input: { approved: true, comment: 'Looks good' } });
    expect(await page.locator('[data-testid=reuse-summary]').innerText()).toContain('reused 5 checkpoints');
    expect(await page.locator('[data-testid=reuse-summary]').innerText()).toContain('7,570 tokens');

    // The report renders as markdown, and the markup a tool returned is shown as text and never runs.
    const report = page.locator('[data-testid=artifact-viewer] [data-testid=markdown]');
    await report.waitFor();
    expect(await report.locator('h2').innerText()).toBe('AI infrastructure: weekly brief');
    expect(await report.locator('strong').first().innerText()).toBe('2 searches');
    expect(await report.locator('a.external').getAttribute('href')).toBe('https://example.com/story');
    expect(await report.innerText()).toContain('<script>window.__keelInjected = true</script>');
    await page.locator('[data-testid=checkpoint-row][data-checkpoint-id="fetch_page:1"] .timeline-row').click();
    const output = page.locator('[data-testid=checkpoint-row][data-checkpoint-id="fetch_page:1"] [data-testid=checkpoint-output]');
    expect(await output.innerText()).toContain('<script>window.__keelInjected = true</script>');
    expect(await page.evaluate(() => (globalThis as unknown as InPage).document.querySelectorAll('main script, main img[src="x"]').length)).toBe(0);
    expect(await page.evaluate(() => typeof (globalThis as unknown as InPage).__keelInjected)).toBe('undefined');
    await page.waitForSelector('[data-testid=log-line]:has-text("published")');
    await page.screenshot({ path: join(screenshots, 'execution-completed.png'), fullPage: true });
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('shows the budget wait as a form, the budget spent and what an inner agent cost, and approving it with more tokens lets the run finish', async () => {
    const { runtime, server } = await dashboard();
    const { executionId } = await runtime.run('budgeted_research', 'chips');
    const page = await open(`/executions/${executionId}`, server.url);
    const form = page.locator('[data-testid=wait-form]');
    await form.waitFor();
    expect(await form.getAttribute('data-wait-id')).toBe('budget:model:2');
    expect(await form.locator('[data-testid=wait-question]').innerText()).toContain('spent 3350 of 3000 tokens on 3 model calls');
    expect(await page.locator('[data-testid=budget-card]').innerText()).toContain('3,350 of 3,000 tokens');
    expect(await page.locator('[data-testid=checkpoint-row][data-checkpoint-id="research:call_1"] [data-testid=cost-below]').first().innerText()).toBe(
      '2,000 tok · ~$0.0028 below',
    );
    await page.screenshot({ path: join(screenshots, 'execution-budget-wait.png'), fullPage: true });

    await form.getByRole('textbox', { name: 'add (optional)' }).fill('{"tokens": 5000}');
    await form.locator('[data-testid=approve-button]').click();
    await page.waitForSelector('[data-testid=status-panel-completed]');
    const [answer] = await runtime.executions.waits(executionId);
    expect(answer).toMatchObject({ status: 'resolved', resolvedBy: 'dashboard', input: { approve: true, add: { tokens: 5000 } } });
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('explains a failed run in words and points at the failing checkpoint', async () => {
    const { server, ids } = await dashboard();
    const page = await open(`/executions/${ids.failed}`, server.url);
    const panel = page.locator('[data-testid=status-panel-failed]');
    await panel.waitFor();
    expect(await panel.locator('[data-testid=failure-message]').innerText()).toBe('Error: HTTP 503 Service Unavailable from https://status.example.com/feed');
    expect(await panel.locator('[data-testid=failed-checkpoint-link]').innerText()).toBe('fetch_page:1');
    expect(await panel.locator('[data-testid=failure-where]').innerText()).toContain('a tool call, after 3 attempts');
    expect(await panel.innerText()).toContain('the 2 checkpoints that completed are reused');

    const row = page.locator('[data-testid=checkpoint-row][data-checkpoint-id="fetch_page:1"]');
    expect(await row.getAttribute('data-status')).toBe('failed');
    expect(await row.locator('[data-testid=failed-here]').count()).toBe(1);
    await row.locator('[data-testid=checkpoint-detail]').waitFor();
    expect(await row.locator('[data-testid=checkpoint-error]').innerText()).toContain('HTTP 503 Service Unavailable');
    expect(await row.locator('[data-testid=checkpoint-input]').innerText()).toContain('"url": "https://status.example.com/feed"');
    await page.screenshot({ path: join(screenshots, 'execution-failed.png'), fullPage: true });
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('replays with an edited output, hermetic, and shows what changed against the original side by side', async () => {
    const { runtime, server, ids } = await dashboard();
    const page = await open(`/executions/${ids.completed}`, server.url);
    await page.waitForSelector('[data-testid=status-panel-completed]');
    await page.click('[data-testid=replay-button]');
    await page.click('[data-testid=replay-add-override]');
    await page.selectOption('[data-testid=replay-override-select]', 'model:2');
    await page.fill('[data-testid=replay-override-value]', JSON.stringify('# Edited brief\n\nShorter.'));
    await page.check('[data-testid=replay-hermetic]');
    await page.click('[data-testid=replay-start]');
    await page.waitForURL((url) => url.pathname.startsWith('/executions/') && !url.pathname.endsWith(ids.completed));
    const replayId = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]!);
    await page.waitForSelector('[data-testid=status-panel-completed]');
    const comparison = page.locator('[data-testid=replay-comparison]');
    await comparison.waitFor();
    expect(await comparison.locator('[data-checkpoint-id="model:2"]').getAttribute('data-change')).toBe('overridden');
    expect(await comparison.locator('[data-checkpoint-id="search_web:1"]').getAttribute('data-change')).toBe('reused');
    expect(await comparison.locator('[data-testid=output-change]').innerText()).toBe('The final output changed.');
    expect(await comparison.locator('[data-testid=replay-output]').innerText()).toContain('# Edited brief');
    expect(await comparison.locator('[data-testid=original-output]').innerText()).toContain('# robotics: weekly brief');
    const replay = await runtime.executions.get(replayId);
    const { codeVersion } = await runtime.executions.get(ids.completed);
    expect(replay.replayOf).toEqual({
      executionId: ids.completed,
      overridden: ['model:2'],
      hermetic: true,
      ...(codeVersion !== undefined ? { codeVersion } : {}),
    });
    await page.screenshot({ path: join(screenshots, 'execution-replay.png'), fullPage: true });
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('signs in once with ?token= on a server that needs a token', async () => {
    const { runtime } = await dashboard();
    const guarded = await startServer({ runtime, port: 0, token: 'dashboard-token' });
    try {
      const page = await open('/?token=dashboard-token', guarded.url);
      await page.waitForSelector('[data-testid=execution-row]');
      expect(new URL(page.url()).search).toBe('');
      expect(page.problems).toEqual([]);
      await page.close();
      const stranger = await chromium.browser.newPage();
      const answer = await stranger.goto(`${guarded.url}/`);
      expect(answer?.status()).toBe(401);
      expect(await stranger.locator('h1').innerText()).toBe('Sign in to Keel');
      await stranger.close();
    } finally {
      await guarded.close();
    }
  });

  it('shows the Versions panel: per flow and version the executions by status, tags, retirable, and whether this code serves it — live', async () => {
    const { runtime, server } = await dashboard({ codeVersion: 'v1' });
    const { deployment } = await runtime.deployments.deploy('news_scout', { tags: ['prod'] });
    // An older deployed version this server's code does not run: its invocation stays queued.
    const store = await runtime.store();
    await store.createDeployment({ flow: 'news_scout', version: 'v0-legacy', digest: 'sha256:legacy', deployedAt: Date.now() - 3 * 86_400_000 });
    const legacy = await runtime.deployments.invoke('news_scout', 'legacy topic', { version: 'v0-legacy' });
    const page = await open('/', server.url);
    const current = page.locator(`[data-testid=version-row][data-flow=news_scout][data-version="${deployment.version}"]`);
    const old = page.locator('[data-testid=version-row][data-flow=news_scout][data-version=v0-legacy]');
    await old.waitFor();
    expect(await old.locator('[data-status=queued]').innerText()).toBe('1');
    expect(await old.locator('[data-testid=served]').innerText()).toBe('no');
    expect(await old.locator('[data-testid=retirable]').innerText()).toBe('no');
    expect(await current.locator('td').nth(2).innerText()).toBe('prod');
    expect(await current.locator('[data-testid=served]').innerText()).toBe('yes');
    expect(await current.locator('[data-testid=retirable]').innerText()).toBe('no');
    const waitingBefore = Number(await current.locator('[data-status=waiting]').innerText());

    // Invoked through prod, the worker (same code) takes it to its approval: the panel follows.
    await runtime.deployments.invoke('news_scout', 'tidal power', { tag: 'prod' });
    await page.waitForFunction(
      ([version, expected]) =>
        (globalThis as unknown as { document: { querySelector(selector: string): { textContent: string } | null } }).document.querySelector(
          `[data-testid=version-row][data-flow=news_scout][data-version="${version}"] [data-status=waiting]`,
        )?.textContent === String(expected),
      [deployment.version, waitingBefore + 1] as const,
    );
    await page.locator('[data-testid=versions-panel]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(screenshots, 'versions-panel.png'), fullPage: true });
    // The legacy version's execution is still queued: no worker serves v0-legacy.
    expect((await runtime.executions.get(legacy.executionId)).status).toBe('queued');
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('shows an experiment: the cohort table, and a member side by side with its original (output, artifact and checkpoint diffs)', async () => {
    const { runtime, server, ids } = await dashboard();
    const second = (await runtime.run('news_scout', 'chips')).executionId;
    await runtime.executions.input(second, 'approve_publish', { approved: true });
    expect((await runtime.executions.resume(second)).status).toBe('completed');
    const experiment = await registerDemoExperiment(runtime).run();

    const page = await open('/', server.url);
    await page.click('nav a[href="/experiments"]');
    const row = page.locator('[data-testid=experiment-row]');
    await row.waitFor();
    const cells = await row.locator('td').allInnerTexts();
    expect(cells.slice(1, 5)).toEqual([experiment.id, 'cheaper-writer', expect.any(String), '2 / 2']);
    expect(cells[6]).toBe('2 / 0 / 0');
    await row.locator('a').click();

    await page.waitForSelector('[data-testid=member-row]');
    expect(await page.locator('[data-testid=member-row]').count()).toBe(2);
    expect(await page.locator('[data-testid=experiment-change]').innerText()).toContain('model claude-sonnet-4-5 → claude-haiku-4-5');
    expect(await page.locator('[data-testid=experiment-totals]').innerText()).toContain('2 answered from records, 0 live, 0 missed');
    // The newest run comes first and is shown at once; the other is one click away.
    const detail = page.locator('[data-testid=member-detail]');
    await detail.locator('[data-testid=replay-comparison]').waitFor();
    expect(await detail.locator('h2').first().innerText()).toContain(second);
    expect(await detail.locator('[data-testid=artifact-diff]').innerText()).toContain('-- **2 searches**, 1 page read');
    expect(await detail.locator('[data-testid=comparison-row][data-checkpoint-id="model:2"]').getAttribute('data-change')).toBe('different');
    expect(await detail.locator('[data-testid=comparison-row][data-checkpoint-id="model:1"]').getAttribute('data-change')).toBe('reused');
    await page.screenshot({ path: join(screenshots, 'experiment.png'), fullPage: true });

    await page.locator(`[data-testid=member-row][data-original="${ids.completed}"] [data-testid=member-compare]`).click();
    await page.waitForFunction(
      (id) =>
        (globalThis as unknown as { document: { querySelector(selector: string): { textContent: string } | null } }).document
          .querySelector('[data-testid=member-detail] h2')
          ?.textContent.includes(id),
      ids.completed,
    );
    expect(page.problems).toEqual([]);
    await page.close();
  });
});
