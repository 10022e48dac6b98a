import { fileURLToPath } from 'node:url';
import { runAdapterConformance } from '@keel/testkit/conformance';

// Both majors of `ai`, each killed at quiet points, mid-tool and mid-stream.
for (const sdk of ['ai 7', 'ai 6']) {
  runAdapterConformance({
    name: `@keel/adapter-vercel-ai with ${sdk}`,
    agent: fileURLToPath(new URL('./fixtures/conformance-agent.mjs', import.meta.url)),
    approve: { approve: true },
    agentOptions: { sdk },
  });
}
