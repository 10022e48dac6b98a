import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createRuntime } from '@keel/core';
import { createChatServer } from './chat-server.js';

// The store is core's default (`KEEL_STORE`, else `./.keel`); PORT picks the port (0: any free one).
const runtime = createRuntime();
const server = createChatServer({ runtime, appFolder: fileURLToPath(new URL('../app/', import.meta.url)) });
const resumed = await server.recover();
if (resumed > 0) console.log(`resumed ${resumed} turn(s) a previous server left unfinished`);
const port = Number(process.env['PORT'] ?? 5180);
const listener = serve({ fetch: server.fetch, port, hostname: process.env['HOST'] ?? '127.0.0.1' }, (info) => {
  console.log(`chat listening on http://127.0.0.1:${info.port}/`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => listener.close(() => void runtime.close().then(() => process.exit(0))));
}
