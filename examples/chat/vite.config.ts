import { defineConfig } from 'vite';

// The page is built into dist/app, which the example's Node server serves next to the chat handlers.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: { outDir: 'dist/app', emptyOutDir: true },
});
