import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { bin, cleanEnvironment, createProject, keel, removeProjects, startKeel, until } from './cli-harness.js';

let project: string;
const children: ReturnType<typeof startKeel>[] = [];

beforeAll(async () => {
  project = createProject('link');
  expect((await keel(project, ['init'])).code).toBe(0);
  expect((await keel(project, ['run', 'hello', '--input', '{"name":"Ada"}'])).code).toBe(0);
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await child.exited;
    }
  }
});

afterAll(() => removeProjects());

describe('keel serve', () => {
  it('serves the API, the dashboard and MCP at /mcp, and stops on SIGINT', async () => {
    const server = startKeel(project, ['serve', '--port', '0']);
    children.push(server);
    let url = '';
    await until('the server prints its address', () => {
      url = /Keel dashboard and API: (http:\/\/\S+)/.exec(server.output().stdout)?.[1] ?? '';
      return url !== '';
    });
    const flows = (await (await fetch(`${url}/api/flows`)).json()) as unknown;
    expect(JSON.stringify(flows)).toContain('hello');
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');

    const client = new Client({ name: 'cli-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
    const result = await client.callTool({ name: 'list_executions', arguments: {} });
    expect(JSON.stringify(result.content)).toContain('hello');
    await client.close();

    server.kill('SIGINT');
    expect((await server.exited).code).toBe(0);
  });

  it('refuses to listen beyond loopback without a token', async () => {
    const result = await keel(project, ['serve', '--host', '0.0.0.0', '--port', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/KEEL_API_TOKEN/);
  });
});

describe('keel mcp', () => {
  it('answers an MCP client over stdio', async () => {
    const client = new Client({ name: 'cli-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [bin, 'mcp'],
        cwd: project,
        env: cleanEnvironment() as Record<string, string>,
        stderr: 'pipe',
      }),
    );
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['list_executions', 'explain_failure', 'give_input']));
    const listed = await client.callTool({ name: 'list_executions', arguments: {} });
    expect(JSON.stringify(listed.content)).toContain('hello');
    await client.close();
  });
});
