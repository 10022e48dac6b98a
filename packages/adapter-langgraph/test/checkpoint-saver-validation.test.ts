import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lowdbStore, memoryStore, type Store } from '@keel/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, test } from 'vitest';
import { KeelCheckpointSaver } from '@keel/adapter-langgraph';

// The suite is written for Jest-style globals; the workspace runs vitest without them, so they are
// handed over explicitly before the suite is loaded.
Object.assign(globalThis, { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, test });
const { validate } = await import('@langchain/langgraph-checkpoint-validation');

// LangGraph's own conformance suite for checkpointers, against both in-repo stores.
const stores = new WeakMap<KeelCheckpointSaver, { store: Store; dir?: string }>();

validate<KeelCheckpointSaver>({
  checkpointerName: 'KeelCheckpointSaver (memory store)',
  createCheckpointer() {
    const store = memoryStore();
    const saver = new KeelCheckpointSaver({ store });
    stores.set(saver, { store });
    return saver;
  },
  async destroyCheckpointer(saver) {
    await stores.get(saver)?.store.close();
  },
});

validate<KeelCheckpointSaver>({
  checkpointerName: 'KeelCheckpointSaver (lowdb store)',
  createCheckpointer() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-lg-validate-'));
    const store = lowdbStore(dir);
    const saver = new KeelCheckpointSaver({ store });
    stores.set(saver, { store, dir });
    return saver;
  },
  async destroyCheckpointer(saver) {
    const entry = stores.get(saver);
    await entry?.store.close();
    if (entry?.dir) fs.rmSync(entry.dir, { recursive: true, force: true });
  },
});
