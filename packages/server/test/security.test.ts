import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkpoint, createRuntime, memoryStore, save, wait, type Runtime } from '@keel/core';
import { ServerTokenMissingError, startServer, type KeelServer, type StartServerOptions } from '@keel/server';
import { z } from 'zod';
import { call, getWithHost } from './fixtures/http-client.js';

const servers: KeelServer[] = [];
const runtimes: Runtime[] = [];
let savedToken: string | undefined;

beforeEach(() => {
  savedToken = process.env.KEEL_API_TOKEN;
  delete process.env.KEEL_API_TOKEN;
});

afterEach(async () => {
  if (savedToken === undefined) delete process.env.KEEL_API_TOKEN;
  else process.env.KEEL_API_TOKEN = savedToken;
  for (const server of servers.splice(0)) await server.close();
  for (const runtime of runtimes.splice(0)) await runtime.close();
});

function newRuntime(): Runtime {
  const runtime = createRuntime({ store: memoryStore() });
  runtimes.push(runtime);
  return runtime;
}

async function serve(options: Partial<StartServerOptions> & { runtime?: Runtime } = {}): Promise<KeelServer> {
  const server = await startServer({ runtime: options.runtime ?? newRuntime(), port: 0, ...options });
  servers.push(server);
  return server;
}

describe('tokens', () => {
  it('refuses to listen beyond loopback without a token', async () => {
    const runtime = newRuntime();
    for (const host of ['0.0.0.0', '::']) {
      const attempt = startServer({ runtime, host, port: 0 });
      await expect(attempt).rejects.toThrow(ServerTokenMissingError);
      await expect(attempt).rejects.toThrow(/KEEL_API_TOKEN/);
    }
    await expect(startServer({ runtime, host: '0.0.0.0', port: 0, token: '' })).rejects.toSatisfy((error) => ServerTokenMissingError.isInstance(error));
  });

  it('with a token (the option or KEEL_API_TOKEN), every request needs it', async () => {
    const server = await serve({ host: '0.0.0.0', token: 's3cret-token' });
    const url = `http://127.0.0.1:${server.port}`;
    const missing = await call(`${url}/api/executions`);
    expect(missing.status).toBe(401);
    expect(missing.json.error.code).toBe('unauthorized');
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    const wrong = await call(`${url}/api/executions`, { headers: { authorization: 'Bearer s3cret-tokem' } });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.message).toContain('does not match');
    expect((await call(`${url}/api/executions`, { headers: { authorization: 'Bearer s3cret-token' } })).status).toBe(200);
    expect((await call(`${url}/api/openapi.json`)).status).toBe(401);
    expect((await call(`${url}/assets/main.js`)).status).toBe(401);
    // The API does not take the token from the address (it would end up in logs and histories).
    expect((await call(`${url}/api/executions?token=s3cret-token`)).status).toBe(401);
    const post = await call(`${url}/api/executions/ex_00000000000000000/cancel`, { method: 'POST' });
    expect(post.status).toBe(401);

    process.env.KEEL_API_TOKEN = 'from-the-environment';
    const fromEnvironment = await serve({ host: '0.0.0.0' });
    const environmentUrl = `http://127.0.0.1:${fromEnvironment.port}/api/flows`;
    expect((await call(environmentUrl)).status).toBe(401);
    expect((await call(environmentUrl, { headers: { authorization: 'Bearer from-the-environment' } })).status).toBe(200);
  });

  it('lets a browser sign in once with ?token=, keeping an HttpOnly cookie and dropping the token from the address', async () => {
    const server = await serve({ token: 'browser-token' });
    const page = await call(`${server.url}/executions/ex_1?x=1`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(401);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('?token=');
    expect(page.text).not.toContain('browser-token');

    const wrong = await call(`${server.url}/?token=nope`, { headers: { accept: 'text/html' } });
    expect(wrong.status).toBe(401);
    const signIn = await call(`${server.url}/executions/ex_1?x=1&token=browser-token`);
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/executions/ex_1?x=1');
    const cookie = signIn.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toContain('browser-token');
    const session = cookie.split(';')[0]!;
    expect((await call(`${server.url}/api/executions`, { headers: { cookie: session } })).status).toBe(200);
    expect((await call(`${server.url}/`, { headers: { cookie: session } })).status).toBe(200);
    expect((await call(`${server.url}/api/executions`, { headers: { cookie: 'keel_session=forged' } })).status).toBe(401);
  });
});

describe('requests from elsewhere', () => {
  it('without a token, answers only requests addressed to a loopback name (no DNS rebinding)', async () => {
    const server = await serve();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const url = `${server.url}/api/flows`;
    expect((await getWithHost(url, `127.0.0.1:${server.port}`)).status).toBe(200);
    expect((await getWithHost(url, `localhost:${server.port}`)).status).toBe(200);
    const rebound = await getWithHost(url, `attacker.example:${server.port}`);
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).error.code).toBe('host_not_allowed');
  });

  it('refuses changes that a browser says come from another origin', async () => {
    const runtime = newRuntime();
    runtime.flow('asks', async () => wait('go', { schema: z.boolean() }));
    const { executionId } = await runtime.run('asks', null);
    const server = await serve({ runtime });
    const input = `${server.url}/api/executions/${executionId}/waits/go/input`;
    const foreign = await call(input, { body: true, headers: { origin: 'https://attacker.example' } });
    expect(foreign.status).toBe(403);
    expect(foreign.json.error.code).toBe('origin_not_allowed');
    const crossSite = await call(input, { body: true, headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    const form = await call(input, { raw: 'value=true', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    expect((await runtime.executions.waits(executionId))[0]!.status).toBe('pending');
    const sameOrigin = await call(input, { body: true, headers: { origin: server.url, 'sec-fetch-site': 'same-origin' } });
    expect(sameOrigin.status).toBe(200);
  });
});

describe('stored content', () => {
  it('is never served as a live document: text as text/plain, unsafe media types as attachments, all with nosniff and a sandbox', async () => {
    const runtime = newRuntime();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    runtime.flow('saves', async () => {
      await save('page', '<html><script>alert(1)</script></html>', { type: 'text/html' });
      await save('drawing', new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), { type: 'image/svg+xml' });
      await save('chart', png, { type: 'image/png' });
      return checkpoint('tool', () => '<script>alert(1)</script>', { kind: 'tool' });
    });
    const { executionId } = await runtime.run('saves', null);
    const server = await serve({ runtime });
    const content = (name: string) => call(`${server.url}/api/executions/${executionId}/artifacts/${name}/content`);

    const page = await content('page');
    expect(page.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(page.text).toBe('<html><script>alert(1)</script></html>');
    const drawing = await content('drawing');
    expect(drawing.headers.get('content-type')).toBe('application/octet-stream');
    expect(drawing.headers.get('content-disposition')).toMatch(/^attachment/);
    const chart = await content('chart');
    expect(chart.headers.get('content-type')).toBe('image/png');
    expect(chart.headers.get('content-disposition')).toMatch(/^inline/);
    for (const answer of [page, drawing, chart]) {
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('content-security-policy')).toMatch(/default-src 'none'.*sandbox/);
    }

    const tree = await call(`${server.url}/api/executions/${executionId}/checkpoints`);
    expect(tree.headers.get('content-type')).toMatch(/^application\/json/);
    expect(tree.headers.get('x-content-type-options')).toBe('nosniff');
    expect(tree.headers.get('cache-control')).toBe('no-store');
    expect(tree.json.checkpoints[0].output).toBe('<script>alert(1)</script>');
  });

  it('serves the dashboard under a policy that runs only its own scripts', async () => {
    const server = await serve();
    const page = await call(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const policy = page.headers.get('content-security-policy')!;
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).not.toMatch(/https?:/);
    // Its scripts are files of its own: no inline script, nothing fetched from another address.
    expect(page.text).not.toMatch(/<script(?![^>]*\ssrc="\/assets\/)/);
    expect(page.text).not.toMatch(/https?:\/\//);
    const script = await call(`${server.url}/assets/main.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await call(`${server.url}/assets/../package.json`)).status).toBe(404);
    expect((await call(`${server.url}/assets/%2e%2e%2fpackage.json`)).status).toBe(404);
  });

  it('builds the dashboard only from text nodes: no HTML parsing API appears in its source', () => {
    const directory = fileURLToPath(new URL('../dashboard/', import.meta.url));
    const sources = readdirSync(directory).filter((file) => file.endsWith('.ts'));
    expect(sources.length).toBeGreaterThan(10);
    for (const file of sources) {
      const text = readFileSync(`${directory}${file}`, 'utf8');
      expect(text, file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|DOMParser|createContextualFragment|\beval\(|new Function/);
    }
  });
});
