import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FakeLLM, FakeRequest } from '@keel/testkit';
import { Child, mcpServerFixture } from './agent-child.js';

/** A temp directory for one scenario run: its store, its calls log, and the tag its requests carry. */
export interface Workspace {
  readonly WORKSPACE: string;
  readonly STORE_DIR: string;
  readonly CALLS_LOG: string;
  readonly FAKE_URL: string;
  readonly MCP_SERVER: string;
}

const directories: string[] = [];

/** A new workspace against `fake`. */
export function workspace(fake: FakeLLM): Workspace {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-oai-'));
  directories.push(directory);
  return {
    WORKSPACE: path.basename(directory),
    STORE_DIR: path.join(directory, 'store'),
    CALLS_LOG: path.join(directory, 'calls.log'),
    FAKE_URL: fake.url,
    MCP_SERVER: mcpServerFixture,
  };
}

/** Removes every workspace made so far. */
export function removeWorkspaces(): void {
  for (const directory of directories.splice(0)) fs.rmSync(directory, { recursive: true, force: true });
}

/** The workspace a request came from. */
export function workspaceOf(request: FakeRequest): string | undefined {
  return request.headers['x-test-workspace'];
}

/** The requests the fake server received from one workspace's processes. */
export function requestsOf(fake: FakeLLM, space: Pick<Workspace, 'WORKSPACE'>): FakeRequest[] {
  return fake.requests.filter((request) => workspaceOf(request) === space.WORKSPACE);
}

/** The lines tools and the MCP server appended: one per real execution. */
export function callsOf(space: Workspace): string[] {
  return fs.existsSync(space.CALLS_LOG) ? fs.readFileSync(space.CALLS_LOG, 'utf8').trim().split('\n').filter(Boolean) : [];
}

/** Runs `body` with a way to start children; every child still running afterwards is killed. */
export async function withChildren(body: (start: (env: Record<string, string>) => Child) => Promise<void>): Promise<void> {
  const started: Child[] = [];
  try {
    await body((env) => {
      const child = new Child(env);
      started.push(child);
      return child;
    });
  } finally {
    await Promise.all(started.map((child) => child.stop()));
  }
}
