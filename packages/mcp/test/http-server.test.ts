import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createRuntime, lowdbStore, type Runtime } from '@keel/core';
import { createMcpHttpHandler, McpTokenMissingError, serveHttp, type HttpMcpServer } from '@keel/mcp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerFlows } from './fixtures/flows.mjs';
import { call, callJson } from './mcp-answers.js';

describe('the MCP server over streamable HTTP, driven by the SDK client', () => {
  let directory: string;
  let runtime: Runtime;
  let worker: Runtime;
  let server: HttpMcpServer;
  let client: Client;
  const closeAfter: (() => Promise<void>)[] = [];

  async function connect(url: string, headers?: Record<string, string>): Promise<Client> {
    const connected = new Client({ name: 'keel-test', version: '1.0.0' });
    await connected.connect(new StreamableHTTPClientTransport(new URL(url), headers ? { requestInit: { headers } } : {}));
    closeAfter.push(() => connected.close());
    return connected;
  }

  beforeAll(async () => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-mcp-http-'));
    // Both runtimes run the same code, so they name one code version (a checkout-less CI copy has none to derive).
    runtime = createRuntime({ store: lowdbStore(path.join(directory, '.keel')), codeVersion: 'mcp-test' });
    registerFlows(runtime, directory);
    // A second runtime over the same store plays the worker (what `keel worker` runs).
    worker = createRuntime({ store: lowdbStore(path.join(directory, '.keel')), codeVersion: 'mcp-test' });
    registerFlows(worker, directory);
    server = await serveHttp({ runtime, port: 0, token: null });
    client = await connect(server.url);
  });

  afterEach(async () => {
    while (closeAfter.length > 1) await closeAfter.pop()!();
  });

  afterAll(async () => {
    await client?.close();
    await server?.close();
    await server?.idle();
    await runtime?.close();
    await worker?.close();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('serves on 127.0.0.1 and explains a failed run: the tool call, its error and its input', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const failed = await runtime.run('news-scout', { topic: 'chips' });
    const listed = await callJson(client, 'list_executions', { status: ['failed'], flow: 'news-scout' });
    expect(listed.executions[0]).toMatchObject({ id: failed.executionId, status: 'failed', error: 'Error: HTTP 503 from https://news.example/chips' });
    const explanation = await callJson(client, 'explain_failure', { executionId: failed.executionId });
    expect(explanation.failingCheckpoint).toMatchObject({
      tool: 'fetch_page',
      input: { url: 'https://news.example/chips' },
      error: { message: 'HTTP 503 from https://news.example/chips' },
    });
    expect(explanation.modelCall.id).toBe('model:1');
  });

  it('gives input to a waiting execution; a worker then runs it to completion', async () => {
    const waiting = await runtime.run('publish', { draft: 'Spring issue' });
    const given = await callJson(client, 'give_input', { executionId: waiting.executionId, wait: 'approve:1', value: { approved: false } });
    expect(given.changed).toBe(`Stored the input for wait "approve:1" of execution ${waiting.executionId} (resolved by "mcp").`);
    expect(given.next).toContain('a Keel worker (keel worker) resumes it');
    expect((await runtime.executions.get(waiting.executionId)).status).toBe('waiting');

    const reports = await worker.executions.recover();
    expect(reports.map((report) => [report.executionId, report.result?.status])).toEqual([[waiting.executionId, 'completed']]);
    const execution = await callJson(client, 'get_execution', { executionId: waiting.executionId });
    expect(execution).toMatchObject({ status: 'completed', output: { posted: false, draft: 'Spring issue' } });
    expect(execution.waits[0]).toMatchObject({ id: 'approve:1', status: 'resolved', resolvedBy: 'mcp', input: { approved: false } });
  });

  it('runs a flow: queued for a worker, watched until the worker brings it to its wait, or run here by resume', async () => {
    const answer = callJson(client, 'run_flow', { flow: 'publish', input: { draft: 'Queued' }, waitSeconds: 30 });
    let reports: Awaited<ReturnType<Runtime['executions']['recover']>> = [];
    while (!reports.length) reports = await worker.executions.recover({ flows: ['publish'] });
    const ran = await answer;
    expect(ran).toMatchObject({ executionId: reports[0]?.executionId, status: 'waiting' });
    expect(ran.changed).toBe(`Created execution ${ran.executionId} of flow "publish", queued for a worker.`);
    expect(ran.next).toContain('give_input');

    const queued = await callJson(client, 'run_flow', { flow: 'news-scout', input: { topic: 'later' }, budget: { tokens: 1000 } });
    expect(queued.status).toBe('queued');
    expect((await runtime.executions.get(queued.executionId)).status).toBe('queued');
    expect(queued.next).toContain('resume_execution');
    const ranHere = await callJson(client, 'resume_execution', { executionId: queued.executionId });
    expect(ranHere).toMatchObject({ executionId: queued.executionId, status: 'failed', error: { message: 'HTTP 503 from https://news.example/later' } });
    expect(ranHere.changed).toBe(`Resumed execution ${queued.executionId} in this server's process: it failed (explain_failure says where).`);
    // Its one model call (gpt-test: no list price) counted against the budget it was started with.
    const shown = await callJson(client, 'get_execution', { executionId: queued.executionId });
    expect(shown.cost).toMatchObject({ spent: { tokens: 150, usd: 0, calls: 1, unpricedCalls: 1 }, budget: { tokens: 1000 } });
  });

  it('runs a flow through a tag: pinned to the deployed version, which a worker of that version runs; list_versions counts it', async () => {
    const { deployment } = await runtime.deployments.deploy('publish', { tags: ['prod'] });
    const version = deployment.version;
    const invoked = await callJson(client, 'run_flow', { flow: 'publish', input: { draft: 'Tagged' }, tag: 'prod' });
    expect(invoked).toMatchObject({ status: 'queued', version });
    expect(invoked.changed).toBe(
      `Created execution ${invoked.executionId} of flow "publish" version ${version} (tag prod), queued for a worker of that version.`,
    );
    expect((await runtime.executions.get(invoked.executionId)).codeVersion).toBe(version);
    const listed = await callJson(client, 'list_versions', { flow: 'publish' });
    expect(listed.versions.find((entry: { version: string }) => entry.version === version)).toMatchObject({
      tags: ['prod'],
      served: true,
      executions: { queued: 1 },
    });
    // The worker runs the same code, so the same version: it takes the execution to its wait.
    const reports = await worker.executions.recover({ flows: ['publish'] });
    expect(reports.map((report) => [report.executionId, report.result?.status])).toEqual([[invoked.executionId, 'waiting']]);

    const unknownTag = await call(client, 'run_flow', { flow: 'publish', input: { draft: 'x' }, tag: 'canary' });
    expect(unknownTag.isError).toBe(true);
    expect(unknownTag.text).toContain('Flow "publish" has no deployed tag "canary" (deployed tags: prod)');
    const unknownVersion = await call(client, 'run_flow', { flow: 'publish', input: { draft: 'x' }, version: 'v9' });
    expect(unknownVersion.isError).toBe(true);
    expect(unknownVersion.text).toContain('no deployed version "v9"');
  });

  it('answers a resume that outlives waitSeconds with "running", and the run goes on in the server', async () => {
    const gate = await runtime.run('gate', null);
    await runtime.executions.input(gate.executionId, 'go', true);
    const resumed = await callJson(client, 'resume_execution', { executionId: gate.executionId, waitSeconds: 0.2 });
    expect(resumed).toMatchObject({ executionId: gate.executionId, status: 'running' });
    expect(resumed.changed).toBe(
      `Resumed execution ${gate.executionId}: it is running in this MCP server's process (which holds its lease) and had not ended after 0.2 s.`,
    );
    expect(server.running()).toEqual([gate.executionId]);
    const busy = await call(client, 'resume_execution', { executionId: gate.executionId });
    expect(busy.isError).toBe(true);
    expect(busy.text).toContain('ExecutionLeasedError');

    fs.writeFileSync(path.join(directory, 'release'), '');
    await server.idle();
    expect(server.running()).toEqual([]);
    expect(await runtime.executions.get(gate.executionId)).toMatchObject({ status: 'completed', output: 'released' });
  });

  it('replays with an overridden tool output into a new execution and leaves the original as it was', async () => {
    const failed = await runtime.run('news-scout', { topic: 'replay' });
    const replayed = await callJson(client, 'replay_execution', {
      executionId: failed.executionId,
      overrides: { 'fetch_page:call_1': { status: 200, body: 'From the override' } },
      hermetic: true,
    });
    expect(replayed).toMatchObject({ replayOf: failed.executionId, status: 'completed', output: { headline: 'From the override' } });
    expect(replayed.executionId).not.toBe(failed.executionId);
    expect(replayed.changed).toContain(`Created execution ${replayed.executionId} as a replay of ${failed.executionId}`);
    expect((await runtime.executions.get(failed.executionId)).status).toBe('failed');
    expect((await runtime.executions.get(replayed.executionId)).replayOf).toMatchObject({ executionId: failed.executionId, hermetic: true });

    const badFrom = await call(client, 'replay_execution', { executionId: failed.executionId, from: 'fetch_page:9' });
    expect(badFrom.isError).toBe(true);
    expect(badFrom.text).toContain(`Execution "${failed.executionId}" has no checkpoint "fetch_page:9"`);
  });

  it('cancels a waiting execution and says what it was', async () => {
    const waiting = await runtime.run('publish', { draft: 'Never' });
    const cancelled = await callJson(client, 'cancel_execution', { executionId: waiting.executionId });
    expect(cancelled).toEqual({
      executionId: waiting.executionId,
      status: 'cancelled',
      changed: `Cancelled execution ${waiting.executionId} (it was waiting): its status is now cancelled.`,
    });
    const again = await call(client, 'cancel_execution', { executionId: waiting.executionId });
    expect(again.isError).toBe(true);
    expect(again.text).toContain(`Cannot cancel execution "${waiting.executionId}": it is cancelled`);
  });

  it('answers bad requests with errors and keeps answering', async () => {
    const noValue = await call(client, 'give_input', { executionId: 'ex_x', wait: 'approve' });
    expect(noValue.isError).toBe(true);
    expect(noValue.text).toMatch(/Input validation error: Invalid arguments for tool give_input: .* at value/);
    const unknownTool = await call(client, 'drop_database');
    expect(unknownTool.isError).toBe(true);
    expect(unknownTool.text).toContain('Tool drop_database not found');
    const unknownFlow = await call(client, 'run_flow', { flow: 'nope' });
    expect(unknownFlow.isError).toBe(true);
    expect(unknownFlow.text).toContain('No flow named "nope" is registered');
    const badStatus = await call(client, 'list_executions', { status: 'broken' });
    expect(badStatus.isError).toBe(true);
    expect(badStatus.text).toMatch(/Input validation error.*status/s);
    expect((await callJson(client, 'list_flows')).flows).toContain('news-scout');
  });

  it('refuses to listen beyond loopback without a token', async () => {
    const refused = serveHttp({ runtime, host: '0.0.0.0', port: 0, token: null });
    await expect(refused).rejects.toThrow(McpTokenMissingError);
    await expect(refused).rejects.toThrow(/without a token.*KEEL_API_TOKEN/);
  });

  it('beyond loopback with a token, every request needs "Authorization: Bearer <token>"', async () => {
    const guarded = await serveHttp({ runtime, host: '0.0.0.0', port: 0, token: 's3cret' });
    closeAfter.push(() => guarded.close());
    const url = `http://127.0.0.1:${guarded.port}/mcp`;
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    };
    const post = (headers: Record<string, string>) =>
      fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify(initialize),
      });

    const anonymous = await post({});
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="keel"');
    expect(((await anonymous.json()) as { error: { message: string } }).error.message).toContain('needs a token');
    const wrong = await post({ Authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toContain('does not match');
    expect((await post({ Authorization: 'Bearer s3cret' })).status).toBe(200);

    await expect(connect(url)).rejects.toThrow();
    const authorized = await connect(url, { Authorization: 'Bearer s3cret' });
    expect((await callJson(authorized, 'list_flows')).flows).toContain('publish');
  });

  it('without a token, answers only requests addressed to a loopback name or from no foreign origin', async () => {
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const request = http.request(
          {
            host: '127.0.0.1',
            port: server.port,
            path: '/mcp',
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
          },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        );
        request.on('error', reject);
        request.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }));
      });
    expect(await status({ Host: `evil.example:${server.port}` })).toBe(403);
    expect(await status({ Origin: 'http://evil.example' })).toBe(403);
    expect(await status({})).toBe(200);
  });

  it('works as a fetch handler, as a server mounts it at /mcp', async () => {
    const handler = createMcpHttpHandler({ runtime, token: 'mounted' });
    // A stand-in for a router that mounts the handler at /mcp and passes it the whole request.
    const router = (request: Request) =>
      new URL(request.url).pathname === '/mcp' ? handler.fetch(request) : Promise.resolve(new Response('not found', { status: 404 }));
    const mounted = new Client({ name: 'keel-test', version: '1.0.0' });
    await mounted.connect(
      new StreamableHTTPClientTransport(new URL('http://keel.internal/mcp'), {
        requestInit: { headers: { Authorization: 'Bearer mounted' } },
        fetch: (input, init) => router(new Request(input, init)),
      }),
    );
    closeAfter.push(() => mounted.close());
    expect((await callJson(mounted, 'list_flows')).flows).toContain('gate');
    const get = await handler.fetch(new Request('http://keel.internal/mcp', { headers: { Authorization: 'Bearer mounted' } }));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});
