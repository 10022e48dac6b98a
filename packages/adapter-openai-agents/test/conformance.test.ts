import { fileURLToPath } from 'node:url';
import { runAdapterConformance } from '@keel/testkit/conformance';

runAdapterConformance({
  name: '@keel/adapter-openai-agents',
  agent: fileURLToPath(new URL('./fixtures/conformance-agent.mjs', import.meta.url)),
  approve: { approve: true },
});
