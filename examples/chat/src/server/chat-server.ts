import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { createChatHandlers } from '@keel/adapter-vercel-ai/chat';
import type { Runtime } from '@keel/core';
import { corpusAsOf, defaultInterests, scoutPrompt } from 'news-scout';
import { createChatAgent } from './chat-agent.js';

/** Options of {@link createChatServer}. */
export interface ChatServerOptions {
  readonly runtime: Runtime;
  /** The built page (Vite's output folder). */
  readonly appFolder: string;
}

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The chat example's one process: Keel's chat handlers under `/api/chat`, the prompt the page
 * suggests, and the built page. Returns a Web-standard `fetch` handler and `recover`, which resumes
 * the turns a dead server left.
 */
export function createChatServer({ runtime, appFolder }: ChatServerOptions) {
  const chat = createChatHandlers({ agent: createChatAgent(), runtime });
  const suggestion = scoutPrompt({ interests: [...defaultInterests], asOf: corpusAsOf, maxArticles: 3 });

  async function page(path: string): Promise<Response> {
    const file = normalize(join(appFolder, path === '/' ? 'index.html' : path));
    if (!file.startsWith(appFolder)) return new Response('Not found.', { status: 404 });
    try {
      return new Response(await readFile(file), { headers: { 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream' } });
    } catch {
      // Any other path is the page itself (a chat's address: `/?chat=<id>`).
      return new Response(await readFile(join(appFolder, 'index.html')), { headers: { 'content-type': contentTypes['.html']! } });
    }
  }

  return {
    recover: () => chat.recover(),
    fetch(request: Request): Promise<Response> {
      const { pathname } = new URL(request.url);
      if (pathname === '/api/suggestion') return Promise.resolve(Response.json({ text: suggestion }));
      if (pathname.startsWith('/api/chat')) return chat.fetch(request);
      return page(decodeURIComponent(pathname));
    },
  };
}
