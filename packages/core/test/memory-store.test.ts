import { memoryStore } from '../src/store/memory-store.js';
import { runStoreConformance } from '../src/testing.js';

// A memory store lives in one process, so the multi-process tests do not apply (no `shared`).
runStoreConformance({ createStore: () => memoryStore() });
