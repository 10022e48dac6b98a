import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { readmeSnippet } from '@keel/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { call, callJson } from './mcp-answers.js';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * The client side of stdio over a child this test spawned itself, so that it can see the child exit
 * on its own once stdin closes (the SDK's transport would SIGTERM it after a grace period).
 */
class ChildStdioTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  readonly #child: ChildProcess;

  constructor(child: ChildProcess) {
    this.#child = child;
  }

  async start(): Promise<void> {
    const buffer = new ReadBuffer();
    this.#child.stdout!.on('data', (chunk: Buffer) => {
      buffer.append(chunk);
      for (let message = buffer.readMessage(); message; message = buffer.readMessage()) this.onmessage?.(message);
    });
    this.#child.once('exit', () => this.onclose?.());
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.#child.stdin!.write(serializeMessage(message));
  }

  async close(): Promise<void> {
    this.#child.stdin!.end();
  }
}

describe('the README snippet', () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-mcp-readme-'));
  let child: ChildProcess | undefined;

  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('serves its flow over stdio, and exits by itself when the client closes stdin', async () => {
    const snippet = readmeSnippet({ readme: path.join(packageRoot, 'README.md'), marker: '## Serve it from your own code', language: 'js' });
    expect(snippet).toContain('serveStdio({ runtime })');
    // A project folder whose node_modules has the built @keel/mcp and @keel/core, as an install would.
    fs.mkdirSync(path.join(directory, 'node_modules', '@keel'), { recursive: true });
    fs.symlinkSync(packageRoot, path.join(directory, 'node_modules', '@keel', 'mcp'), 'dir');
    fs.symlinkSync(fs.realpathSync(path.join(packageRoot, 'node_modules', '@keel', 'core')), path.join(directory, 'node_modules', '@keel', 'core'), 'dir');
    fs.writeFileSync(path.join(directory, 'keel-mcp.mjs'), snippet);

    const spawned = spawn(process.execPath, ['keel-mcp.mjs'], { cwd: directory, stdio: ['pipe', 'pipe', 'inherit'] });
    child = spawned;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      spawned.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const client = new Client({ name: 'keel-readme-test', version: '1.0.0' });
    await client.connect(new ChildStdioTransport(spawned));

    expect((await callJson(client, 'list_flows')).flows).toEqual(['news-scout']);
    const listed = await callJson(client, 'list_executions');
    expect(listed.note).toContain(path.join(directory, '.keel'));
    const unknown = await call(client, 'get_execution', { executionId: 'ex_missing' });
    expect(unknown.isError).toBe(true);

    await client.close();
    expect(await exited).toEqual({ code: 0, signal: null });
  });
});
