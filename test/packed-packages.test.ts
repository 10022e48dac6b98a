import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// What a user outside this repository gets: every public package packed with `pnpm pack`, installed by
// plain npm into an empty folder outside the workspace, then used the way the READMEs say.

const run = promisify(execFile);
const workspace = resolve(import.meta.dirname, '..');

/** The public packages (not `private`), by folder under packages/. */
const publicPackages = readdirSync(join(workspace, 'packages')).filter((folder) => {
  const manifest = JSON.parse(readFileSync(join(workspace, 'packages', folder, 'package.json'), 'utf8')) as { private?: boolean };
  return manifest.private !== true;
});

/** The harness versions the adapters are tested with in the workspace, so this test installs the same majors. */
function devRange(folder: string, name: string): string {
  const manifest = JSON.parse(readFileSync(join(workspace, 'packages', folder, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const range = manifest.devDependencies[name];
  if (range === undefined) throw new Error(`packages/${folder}/package.json has no devDependency ${name}`);
  return `${name}@${range}`;
}

let root: string;
let project: string;
let tarballs: string[];

/** Runs a command in the installed project; the child gets the project's own node_modules/.bin on PATH. */
async function inProject(command: string, args: string[], environment: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.KEEL_STORE;
  // npm and pnpm tell child processes how they were started; the user's shell does not.
  delete env.npm_config_user_agent;
  Object.assign(env, environment, { PATH: `${join(project, 'node_modules', '.bin')}:${process.env.PATH}`, NO_COLOR: '1' });
  return run(command, args, { cwd: project, env, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
}

async function keel(...args: string[]) {
  return inProject('keel', args);
}

/** The newest execution of a flow, with its checkpoints, read through the installed CLI. */
async function lastExecution(flowName: string) {
  const list = JSON.parse((await keel('executions', 'list', '--flow', flowName, '--json')).stdout) as Array<{ id: string; status: string }>;
  expect(list.length).toBeGreaterThan(0);
  const shown = JSON.parse((await keel('executions', 'show', list[0]!.id, '--json')).stdout) as {
    execution: { status: string };
    checkpoints: Array<{ id: string; kind: string; status: string }>;
  };
  return shown;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'keel-packed-'));
  const tarballFolder = join(root, 'tarballs');
  mkdirSync(tarballFolder);
  for (const folder of publicPackages) {
    await run('pnpm', ['pack', '--pack-destination', tarballFolder], { cwd: join(workspace, 'packages', folder) });
  }
  tarballs = readdirSync(tarballFolder).map((file) => join(tarballFolder, file));
  project = join(root, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'keel-packed-check', private: true, type: 'module' }, null, 2));
  const harnesses = [
    devRange('adapter-vercel-ai', 'ai'),
    devRange('adapter-vercel-ai', '@ai-sdk/openai'),
    devRange('adapter-openai-agents', '@openai/agents'),
    devRange('adapter-openai-agents', 'openai'),
    devRange('adapter-langgraph', '@langchain/core'),
    devRange('adapter-langgraph', '@langchain/langgraph'),
    devRange('adapter-langgraph', '@langchain/openai'),
    devRange('adapter-raw', '@anthropic-ai/sdk'),
    'zod@^4',
  ];
  // better-sqlite3 compiles when its prebuilt binary cannot be downloaded. An npm configured with a
  // `nodedir` (this CI machine's points at its system Node 20) would compile against that Node's headers
  // even when the test runs on Node 22 or 24; the running Node's own headers are the ones that fit.
  const runningNodePrefix = dirname(dirname(process.execPath));
  const nodedir: Record<string, string> = existsSync(join(runningNodePrefix, 'include', 'node', 'node_version.h'))
    ? { npm_config_nodedir: runningNodePrefix }
    : {};
  await inProject('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, ...harnesses], nodedir);
}, 900_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('the packed packages, installed by npm outside the workspace', () => {
  it('pass publint (strict) and Are the Types Wrong (ESM-only profile)', async () => {
    expect(tarballs).toHaveLength(publicPackages.length);
    const bin = (name: string) => join(workspace, 'node_modules', '.bin', name);
    for (const tarball of tarballs) {
      // Both exit non-zero on a problem, which rejects here with their report in the message.
      await run(bin('publint'), ['run', tarball, '--strict']);
      await run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii']);
    }
  });

  it('has one @keel/core, shared by the CLI, the adapters and the stores', async () => {
    const { stdout } = await inProject('npm', ['ls', '@keel/core', '--all', '--parseable']);
    const copies = new Set(stdout.split('\n').filter((line) => line.trim() !== ''));
    expect([...copies]).toEqual([join(project, 'node_modules', '@keel', 'core')]);
  });

  it('runs the installed keel: init, then run the example flow', async () => {
    await keel('init');
    const result = await keel('run', 'hello', '--input', '{"name":"Ada"}');
    expect(result.stdout).toContain('HELLO, ADA!');
    const { execution, checkpoints } = await lastExecution('hello');
    expect(execution.status).toBe('completed');
    expect(checkpoints.map((checkpoint) => checkpoint.id)).toEqual(['compose:1', 'shout:1']);
  });

  it('runs a flow on the SQLite store', async () => {
    const result = await inProject('keel', ['run', 'hello', '--store', 'sqlite:./keel.db', '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'completed', output: { loud: 'HELLO, WORLD!' } });
  });

  // One durable agent per harness: a tool call, then an answer, from @keel/testkit's fake LLM server.
  // Each script prints the answer and the number of model requests the fake server saw.
  const agents: Record<string, { flow: string; source: string }> = {
    'Vercel AI SDK': {
      flow: 'forecaster',
      source: `
        import { createOpenAI } from '@ai-sdk/openai';
        import { ToolLoopAgent, stepCountIs, tool } from 'ai';
        import { z } from 'zod';
        import { durable } from '@keel/adapter-vercel-ai';
        import { startFakeLLM } from '@keel/testkit';
        const fake = await startFakeLLM({ script: [{ toolCalls: [{ name: 'weather', arguments: { city: 'Rome' } }] }, 'Sunny in Rome'] });
        const weather = tool({ description: 'Weather', inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => 'sunny in ' + city });
        const model = createOpenAI({ baseURL: fake.url, apiKey: 'test' })('gpt-4o');
        const agent = durable(new ToolLoopAgent({ model, tools: { weather }, stopWhen: stepCountIs(5) }), { name: 'forecaster' });
        const result = await agent.generate({ prompt: 'Rome?' });
        console.log(JSON.stringify({ text: result.text, requests: fake.requests.length }));
        await fake.stop();`,
    },
    'OpenAI Agents SDK': {
      flow: 'forecaster',
      source: `
        import { Agent, OpenAIProvider, setTracingDisabled, tool } from '@openai/agents';
        import OpenAI from 'openai';
        import { z } from 'zod';
        import { durable } from '@keel/adapter-openai-agents';
        import { startFakeLLM } from '@keel/testkit';
        setTracingDisabled(true);
        const fake = await startFakeLLM({ script: [{ toolCalls: [{ name: 'weather', arguments: { city: 'Rome' } }] }, 'Sunny in Rome'] });
        const weather = tool({ name: 'weather', description: 'Weather', parameters: z.object({ city: z.string() }), execute: async ({ city }) => 'sunny in ' + city });
        const modelProvider = new OpenAIProvider({ openAIClient: new OpenAI({ baseURL: fake.url, apiKey: 'test', maxRetries: 0 }) });
        const agent = durable(new Agent({ name: 'forecaster', model: 'gpt-4o', tools: [weather] }), { runConfig: { modelProvider } });
        const result = await agent.run('Rome?');
        console.log(JSON.stringify({ text: result.finalOutput, requests: fake.requests.length }));
        await fake.stop();`,
    },
    'LangGraph.js': {
      flow: 'langgraph:forecaster', // durableGraph's flow: langgraph:<graph name>
      source: `
        import { HumanMessage } from '@langchain/core/messages';
        import { tool } from '@langchain/core/tools';
        import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
        import { ToolNode } from '@langchain/langgraph/prebuilt';
        import { ChatOpenAI } from '@langchain/openai';
        import { z } from 'zod';
        import { durableChatModel, durableGraph, durableTools } from '@keel/adapter-langgraph';
        import { startFakeLLM } from '@keel/testkit';
        const fake = await startFakeLLM({ script: [{ toolCalls: [{ name: 'weather', arguments: { city: 'Rome' } }] }, 'Sunny in Rome'] });
        const weather = tool(async ({ city }) => 'sunny in ' + city, { name: 'weather', description: 'Weather', schema: z.object({ city: z.string() }) });
        const tools = durableTools([weather]);
        const model = durableChatModel(new ChatOpenAI({ model: 'gpt-4o', apiKey: 'test', configuration: { baseURL: fake.url }, maxRetries: 0 })).bindTools(tools);
        const builder = new StateGraph(MessagesAnnotation)
          .addNode('agent', async (state) => ({ messages: [await model.invoke(state.messages)] }))
          .addNode('tools', new ToolNode(tools))
          .addEdge(START, 'agent')
          .addConditionalEdges('agent', (state) => (state.messages.at(-1).tool_calls?.length ? 'tools' : END))
          .addEdge('tools', 'agent');
        const graph = durableGraph(builder.compile({ name: 'forecaster' }));
        const result = await graph.invoke({ messages: [new HumanMessage('Rome?')] }, { configurable: { thread_id: 'rome' } });
        console.log(JSON.stringify({ text: result.messages.at(-1).content, requests: fake.requests.length }));
        await fake.stop();`,
    },
    'Anthropic SDK loop': {
      flow: 'forecaster',
      source: `
        import Anthropic from '@anthropic-ai/sdk';
        import { createRuntime } from '@keel/core';
        import { durableAnthropic, durableTool } from '@keel/adapter-raw';
        import { startFakeLLM } from '@keel/testkit';
        const fake = await startFakeLLM({ script: [{ toolCalls: [{ name: 'weather', arguments: { city: 'Rome' } }] }, 'Sunny in Rome'] });
        const runtime = createRuntime();
        const client = durableAnthropic(new Anthropic({ baseURL: fake.origin, apiKey: 'test', maxRetries: 0 }));
        const weather = durableTool('weather', async ({ city }) => 'sunny in ' + city);
        const definitions = [{ name: 'weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }];
        const forecaster = runtime.flow('forecaster', async (question) => {
          const messages = [{ role: 'user', content: question }];
          for (;;) {
            const message = await client.messages.create({ model: 'claude-sonnet-5', max_tokens: 256, tools: definitions, messages });
            messages.push({ role: 'assistant', content: message.content });
            if (message.stop_reason !== 'tool_use') return message.content.find((block) => block.type === 'text').text;
            const results = [];
            for (const block of message.content) {
              if (block.type === 'tool_use') results.push({ type: 'tool_result', tool_use_id: block.id, content: await weather(block.input, block) });
            }
            messages.push({ role: 'user', content: results });
          }
        });
        const result = await forecaster.run('Rome?');
        console.log(JSON.stringify({ text: result.output, requests: fake.requests.length }));
        await fake.stop();
        await runtime.close();`,
    },
  };

  for (const [harness, { flow: flowName, source }] of Object.entries(agents)) {
    it(`runs a durable ${harness} agent against the fake LLM server`, async () => {
      const folder = harness.toLowerCase().replace(/[^a-z]+/g, '-');
      mkdirSync(join(project, 'agents'), { recursive: true });
      const script = join(project, 'agents', `${folder}.mjs`);
      writeFileSync(script, source);
      // Each harness records into its own store, so the execution read back is this agent's.
      const store = join(project, 'stores', folder);
      const { stdout } = await inProject('node', [script], { KEEL_STORE: store });
      const printed = JSON.parse(stdout.trim().split('\n').at(-1)!) as { text: string; requests: number };
      expect(printed).toEqual({ text: 'Sunny in Rome', requests: 2 });

      const list = JSON.parse((await inProject('keel', ['executions', 'list', '--flow', flowName, '--store', store, '--json'])).stdout) as Array<{
        id: string;
        status: string;
      }>;
      expect(list.map((execution) => execution.status)).toEqual(['completed']);
      const shown = JSON.parse((await inProject('keel', ['executions', 'show', list[0]!.id, '--store', store, '--json'])).stdout) as {
        checkpoints: Array<{ kind: string; status: string }>;
      };
      const kinds = shown.checkpoints.filter((checkpoint) => checkpoint.status === 'completed').map((checkpoint) => checkpoint.kind);
      expect(kinds.filter((kind) => kind === 'model')).toHaveLength(2);
      expect(kinds.filter((kind) => kind === 'tool')).toHaveLength(1);
    });
  }
});
