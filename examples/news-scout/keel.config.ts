import { defineConfig } from '@keel/cli';

// The `keel` CLI (and `keel worker`) find the news_scout flow here. It is loaded from the build
// (`pnpm build` first), the same code the demo runs.
export default defineConfig({
  store: './.keel',
  flows: ['./dist/news-scout-flow.js', './dist/scout-experiments.js'],
});
