import { createOpenAI as createOpenAI7 } from '@ai-sdk/openai';
import { createOpenAI as createOpenAI6 } from '@ai-sdk/openai-v3';
import * as ai7 from 'ai';
import * as ai6 from 'ai-v6';
import { z } from 'zod';

/* The shared suites drive both SDK majors through this one shape; their types differ, so it is loose. */
type Loose = any;

/** One `ai` major with its matching OpenAI provider. */
export interface SdkUnderTest {
  readonly name: 'ai 7' | 'ai 6';
  readonly ToolLoopAgent: new (settings: Loose) => Loose;
  readonly tool: (definition: Loose) => Loose;
  readonly generateText: (options: Loose) => Promise<Loose>;
  readonly streamText: (options: Loose) => Loose;
  readonly stepCountIs: (count: number) => Loose;
  readonly wrapLanguageModel: (options: Loose) => Loose;
  /** A chat-completions or responses model of the provider, pointed at the fake server. */
  model(baseURL: string, api?: 'chat' | 'responses'): Loose;
  /** Agent settings under which calls of `toolName` need a person's approval, the version's own way. */
  approvalSettings(tools: Record<string, Loose>, toolName: string): { tools: Record<string, Loose>; toolApproval?: Loose };
}

export const ai7Sdk: SdkUnderTest = {
  name: 'ai 7',
  ToolLoopAgent: ai7.ToolLoopAgent as Loose,
  tool: ai7.tool as Loose,
  generateText: ai7.generateText as Loose,
  streamText: ai7.streamText as Loose,
  stepCountIs: ai7.stepCountIs,
  wrapLanguageModel: ai7.wrapLanguageModel as Loose,
  model: (baseURL, api = 'chat') => {
    const openai = createOpenAI7({ baseURL, apiKey: 'test' });
    return api === 'chat' ? openai.chat('gpt-4o') : openai('gpt-4o');
  },
  approvalSettings: (tools, toolName) => ({ tools, toolApproval: { [toolName]: 'user-approval' } }),
};

export const ai6Sdk: SdkUnderTest = {
  name: 'ai 6',
  ToolLoopAgent: ai6.ToolLoopAgent as Loose,
  tool: ai6.tool as Loose,
  generateText: ai6.generateText as Loose,
  streamText: ai6.streamText as Loose,
  stepCountIs: ai6.stepCountIs,
  wrapLanguageModel: ai6.wrapLanguageModel as Loose,
  model: (baseURL, api = 'chat') => {
    const openai = createOpenAI6({ baseURL, apiKey: 'test' });
    return api === 'chat' ? openai.chat('gpt-4o') : openai('gpt-4o');
  },
  approvalSettings: (tools, toolName) => ({ tools: { ...tools, [toolName]: { ...tools[toolName], needsApproval: true } } }),
};

/** The news agent's three tools; each call is appended to `calls` as `<tool> <arguments>`. */
export function newsTools(sdk: SdkUnderTest, calls: string[]) {
  return {
    searchNews: sdk.tool({
      description: 'Search recent news on a topic',
      inputSchema: z.object({ topic: z.string() }),
      execute: async ({ topic }: { topic: string }) => {
        calls.push(`searchNews ${topic}`);
        return ['https://news.example/1', 'https://news.example/2'];
      },
    }),
    readPage: sdk.tool({
      description: 'Read a page',
      inputSchema: z.object({ url: z.string() }),
      execute: async ({ url }: { url: string }) => {
        calls.push(`readPage ${url}`);
        return `Page ${url}: ${url.endsWith('2') ? 'a new open model tops the charts' : 'a chip export rule changes'}`;
      },
    }),
    rankStories: sdk.tool({
      description: 'Rank stories by importance',
      inputSchema: z.object({ urls: z.array(z.string()) }),
      execute: async ({ urls }: { urls: string[] }) => {
        calls.push(`rankStories ${urls.join(',')}`);
        return `${urls[1]} leads`;
      },
    }),
  };
}

/** A tool with a side effect a person should approve; each run is appended to `calls`. */
export function deleteFileTool(sdk: SdkUnderTest, calls: string[]) {
  return sdk.tool({
    description: 'Delete a file',
    inputSchema: z.object({ path: z.string() }),
    execute: async ({ path }: { path: string }) => {
      calls.push(`deleteFile ${path}`);
      return `deleted ${path}`;
    },
  });
}
