import { defineConfig } from '@keel/cli';

// The project `keel worker` runs in the scale-out bench; the bench passes the store with KEEL_STORE.
export default defineConfig({
  store: './.keel',
  flows: ['./flows/*.ts'],
});
