import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createRuntime, lowdbStore, type Runtime } from '@keel/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callsMade, registerFlows } from './fixtures/flows.mjs';
import { call, callJson, readAllPages } from './mcp-answers.js';

const fixture = fileURLToPath(new URL('./fixtures/stdio-server.mjs', import.meta.url));

describe('the MCP server over stdio, driven by the SDK client', () => {
  let directory: string;
  let runtime: Runtime;
  let client: Client;
  let transport: StdioClientTransport;
  let stderr = '';
  let failedId: string;
  let waitingId: string;
  let bigId: string;

  beforeAll(async () => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-mcp-stdio-'));
    // This process makes the executions; the spawned server only reads and operates them.
    runtime = createRuntime({ store: lowdbStore(path.join(directory, '.keel')), codeVersion: 'fixture-v1' });
    registerFlows(runtime, directory);
    const failed = await runtime.run('news-scout', { topic: 'ai' });
    expect(failed.status).toBe('failed');
    failedId = failed.executionId;
    const waiting = await runtime.run('publish', { draft: 'Launch' });
    expect(waiting.status).toBe('waiting');
    waitingId = waiting.executionId;
    bigId = (await runtime.run('big', { size: 50_000 })).executionId;

    transport = new StdioClientTransport({
      command: process.execPath,
      args: [fixture],
      env: { ...(process.env as Record<string, string>), KEEL_MCP_TEST_DIR: directory },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    client = new Client({ name: 'keel-test', version: '1.0.0' });
    await client.connect(transport);
  });

  afterAll(async () => {
    await client?.close();
    await runtime?.close();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('lists every tool with a description and an object input schema', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name).sort();
    expect(names).toEqual(
      [
        'cancel_execution',
        'explain_failure',
        'get_checkpoint',
        'get_execution',
        'get_experiment',
        'get_logs',
        'give_input',
        'list_artifacts',
        'list_executions',
        'list_experiments',
        'list_flows',
        'list_versions',
        'read_artifact',
        'replay_execution',
        'resume_execution',
        'retry_execution',
        'run_experiment',
        'run_flow',
      ].sort(),
    );
    for (const tool of tools) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(40);
      expect(tool.inputSchema.type).toBe('object');
    }
    const explain = tools.find((tool) => tool.name === 'explain_failure')!;
    expect(explain.inputSchema.required).toEqual(['executionId']);
    expect(explain.annotations?.readOnlyHint).toBe(true);
    expect((await client.getServerVersion())?.name).toBe('keel');
    expect(client.getInstructions()).toContain('explain_failure');
  });

  it('lists the failed execution and explains which tool call broke, with its error and input', async () => {
    const listed = await callJson(client, 'list_executions', { status: 'failed' });
    expect(listed.executions.map((execution: { id: string }) => execution.id)).toEqual([failedId]);
    expect(listed.executions[0].error).toBe('Error: HTTP 503 from https://news.example/ai');

    const explanation = await callJson(client, 'explain_failure', { executionId: failedId });
    expect(explanation.status).toBe('failed');
    expect(explanation.failingCheckpoint).toMatchObject({
      id: 'fetch_page:call_1',
      kind: 'tool',
      tool: 'fetch_page',
      attempts: 1,
      input: { url: 'https://news.example/ai' },
    });
    expect(explanation.failingCheckpoint.error.message).toBe('HTTP 503 from https://news.example/ai');
    expect(explanation.failingCheckpoint.error.stack).toContain('flows.mjs');
    expect(explanation.summary).toContain('The tool call "fetch_page" (checkpoint fetch_page:call_1) failed with Error: HTTP 503');
    // The model call that led to it: its output holds the tool call it asked for; its prompt stays out.
    expect(explanation.modelCall).toMatchObject({ id: 'model:1', model: 'gpt-test', inputTokens: 120, outputTokens: 30, totalTokens: 150 });
    expect(explanation.modelCall.output.toolCalls[0]).toEqual({ id: 'call_1', name: 'fetch_page', arguments: { url: 'https://news.example/ai' } });
    expect(explanation.modelCall.prompt).toContain('part=input');
    expect(explanation.retry.reuses).toEqual(['model:1']);
    expect(explanation.retry.reruns).toEqual([expect.stringMatching(/^fetch_page:call_1 \(tool\): failed \(Error: HTTP 503/)]);
    expect(explanation.retry.reusedTokens).toBe(150);
  });

  it('shows an execution with its checkpoint tree, a checkpoint with its prompt, and logs', async () => {
    const execution = await callJson(client, 'get_execution', { executionId: failedId });
    expect(execution).toMatchObject({ id: failedId, flow: 'news-scout', status: 'failed', failedAt: 'fetch_page:call_1', input: { topic: 'ai' } });
    expect(execution.checkpoints).toEqual([
      expect.stringMatching(/^model:1 · model · completed · \d+ ms · gpt-test · 120 in \/ 30 out tokens · price unknown$/),
      expect.stringMatching(/^fetch_page:call_1 · tool · failed · \d+ ms · Error: HTTP 503 from https:\/\/news\.example\/ai$/),
    ]);
    expect(execution.modelUsage).toEqual({ modelCalls: 1, models: ['gpt-test'], inputTokens: 120, outputTokens: 30, totalTokens: 150 });
    // A model the price table does not know: its tokens count, its cost is unknown, never invented.
    expect(execution.cost).toMatchObject({ total: { tokens: 150, usd: 0, calls: 1, unpricedCalls: 1 }, spent: { tokens: 150, calls: 1 } });

    const prompt = await call(client, 'get_checkpoint', { executionId: failedId, checkpointId: 'model:1', part: 'input' });
    expect(JSON.parse(prompt.text)).toEqual({ messages: [{ role: 'user', content: 'Find news about ai' }] });

    const logs = await call(client, 'get_logs', { executionId: failedId });
    expect(logs.text).toMatch(/^#0 \S+ INFO scouting \{"topic":"ai"\}$/m);
  });

  it('answers bad arguments with tool errors that name the problem, and keeps answering', async () => {
    const unknown = await call(client, 'explain_failure', { executionId: 'ex_nope' });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toContain('Execution "ex_nope" was not found');
    expect(unknown.text).toContain('list_executions');

    const missing = await call(client, 'get_checkpoint', { executionId: failedId });
    expect(missing.isError).toBe(true);
    expect(missing.text).toMatch(/Input validation error.*checkpointId/s);

    const wrongCheckpoint = await call(client, 'get_checkpoint', { executionId: failedId, checkpointId: 'fetch_page:2' });
    expect(wrongCheckpoint.isError).toBe(true);
    expect(wrongCheckpoint.text).toContain(`Execution "${failedId}" has no checkpoint "fetch_page:2"`);

    const wrongState = await call(client, 'retry_execution', { executionId: waitingId });
    expect(wrongState.isError).toBe(true);
    expect(wrongState.text).toContain(`Cannot retry execution "${waitingId}": it is waiting`);

    await expect(client.readResource({ uri: 'keel://executions/ex_nope' })).rejects.toThrow(/Execution "ex_nope" was not found/);

    const flows = await callJson(client, 'list_flows');
    expect(flows.flows).toEqual(['big', 'gate', 'news-scout', 'publish']);
  });

  it('refuses invalid input, then gives input and resumes the execution in the server to completion', async () => {
    const invalid = await call(client, 'give_input', { executionId: waitingId, wait: 'approve', value: { approved: 'yes' } });
    expect(invalid.isError).toBe(true);
    expect(invalid.text).toContain('WaitInputInvalidError');
    expect((await runtime.executions.get(waitingId)).status).toBe('waiting');

    const given = await callJson(client, 'give_input', { executionId: waitingId, wait: 'approve', value: { approved: true }, resume: true });
    expect(given.changed).toBe(
      `Stored the input for wait "approve:1" of execution ${waitingId} (resolved by "mcp"). Then resumed execution ${waitingId} in this server's process: it ran to completion.`,
    );
    expect(given).toMatchObject({ executionId: waitingId, status: 'completed', output: { posted: true, draft: 'Launch' } });
    const stored = await runtime.executions.get(waitingId);
    expect(stored.status).toBe('completed');
    expect(stored.waits[0]).toMatchObject({ status: 'resolved', resolvedBy: 'mcp', input: { approved: true } });
    // The flow's console.log ran in the server; the guard sent it to stderr, and the protocol still works.
    expect(stderr).toContain('posting Launch');
    expect(stderr).toContain('a stray line on stdout');
    expect((await callJson(client, 'list_flows')).flows).toHaveLength(4);
  });

  it('retries the failed run once the tool is fixed: the model call is reused, only the tool call runs again', async () => {
    expect(callsMade(directory)).toEqual(['model', 'fetch_page']);
    fs.writeFileSync(path.join(directory, 'fixed'), '');
    const retried = await callJson(client, 'retry_execution', { executionId: failedId });
    expect(retried).toMatchObject({
      executionId: failedId,
      status: 'completed',
      output: { headline: 'Headlines about ai' },
      reused: ['model:1'],
      ranAgain: ['fetch_page:call_1'],
    });
    expect(retried.changed).toBe(`Retried execution ${failedId} in this server's process: it ran to completion.`);
    expect(callsMade(directory)).toEqual(['model', 'fetch_page', 'fetch_page']);
  });

  it('lists and reads executions and artifacts as resources', async () => {
    const { resources } = await client.listResources();
    const uris = resources.map((resource) => resource.uri);
    expect(uris).toContain(`keel://executions/${failedId}`);
    expect(uris).toContain(`keel://executions/${failedId}/artifacts/brief`);
    const brief = await client.readResource({ uri: `keel://executions/${failedId}/artifacts/brief` });
    expect(brief.contents[0]).toMatchObject({ mimeType: 'text/markdown', text: '# News about ai\n\nHeadlines about ai\n' });
    const execution = await client.readResource({ uri: `keel://executions/${failedId}` });
    expect(JSON.parse(String((execution.contents[0] as { text?: string }).text))).toMatchObject({ id: failedId, status: 'completed' });
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate).sort()).toEqual([
      'keel://executions/{executionId}',
      'keel://executions/{executionId}/artifacts/{name}',
    ]);
  });

  it('pages a long artifact: each call is bounded and the offsets in the notes give back all of it', async () => {
    const first = await call(client, 'read_artifact', { executionId: bigId, name: 'big' });
    expect(first.text.length).toBeLessThan(20_200);
    expect(first.text).toMatch(/\[truncated: 30000 more characters; call again with offset=20000 to read on\]$/);
    const all = await readAllPages(client, 'read_artifact', { executionId: bigId, name: 'big' }, 7_000);
    expect(all.pages).toBe(8);
    expect(all.text).toBe((await runtime.executions.artifact(bigId, 'big')).value);
    const summary = await call(client, 'get_execution', { executionId: bigId, maxChars: 1_000 });
    expect(summary.text).toMatch(/^\{\n {2}"id": "ex_/);
    expect(summary.text).toMatch(/\[truncated: \d+ more characters; call again with offset=1000 to read on\]$/);
  });
});
