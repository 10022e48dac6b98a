import { memoryStore } from '../src/store/memory-store.js';
import { runStoreConformance } from '../src/testing.js';

runStoreConformance({
  createStore: () => memoryStore(),
  skip: [
    {
      reason: 'a memory store lives in one process: no other process can open it',
      tests: ['persistence', 'multi-process', 'leases across processes'],
    },
  ],
});
