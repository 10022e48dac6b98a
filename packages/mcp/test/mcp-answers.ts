import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Runtime } from '@keel/core';
import { createKeelMcpServer } from '@keel/mcp';
import { expect } from 'vitest';

/** What a tool call answered: its text, and whether it is a tool error. */
export interface Answer {
  readonly text: string;
  readonly isError: boolean;
}

/** Calls a tool through the real client and returns its text answer. */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<Answer> {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as { type: string; text?: string }[];
  expect(content).toHaveLength(1);
  expect(content[0]?.type).toBe('text');
  return { text: content[0]?.text ?? '', isError: result.isError === true };
}

/** Calls a tool that must succeed and parses its JSON answer. */
export async function callJson<T = Record<string, any>>(client: Client, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const answer = await call(client, name, args);
  expect(answer.isError, answer.text).toBe(false);
  return JSON.parse(answer.text) as T;
}

/** Reads a whole paged answer by following its truncation notes, and returns the pages' text joined. */
export async function readAllPages(client: Client, name: string, args: Record<string, unknown>, maxChars: number): Promise<{ text: string; pages: number }> {
  let offset = 0;
  let text = '';
  for (let pages = 1; ; pages++) {
    const answer = await call(client, name, { ...args, maxChars, offset });
    expect(answer.isError, answer.text).toBe(false);
    const body = answer.text.replace(/^\[characters \d+–\d+ of \d+\]\n/, '');
    const note = /\n\n\[truncated: (\d+) more characters; call again with offset=(\d+) to read on\]$/.exec(body);
    if (!note) return { text: text + body, pages };
    text += body.slice(0, note.index);
    expect(Number(note[2])).toBe(offset + maxChars);
    offset = Number(note[2]);
  }
}

/** A client connected in memory to a Keel MCP server on `runtime`. */
export async function connectedClient(runtime: Runtime): Promise<Client> {
  const server = createKeelMcpServer({ runtime });
  const [serverSide, clientSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'keel-test', version: '1.0.0' });
  await client.connect(clientSide);
  return client;
}
