import { fileURLToPath } from 'node:url';
import { runAdapterConformance } from '@keel/testkit/conformance';

// Through ChatOpenAI against the fake LLM server (not LangChain's in-process fake model), so the
// server counts every model call across the crash.
runAdapterConformance({
  name: '@keel/adapter-langgraph',
  agent: fileURLToPath(new URL('./fixtures/conformance-agent.mjs', import.meta.url)),
  approve: { approve: true },
  // A resumed graph streams from its unfinished node on, as LangGraph's own resume does.
  resumedStream: 'from-unfinished-step',
  skip: {
    divergence:
      "LangGraph's checkpointer resumes a ReAct run at its unfinished node, so the proof's changed request meets no recorded call: " +
      "a recovered turn runs with the request it was started with (the execution's input), and a new input on the thread is a new turn. " +
      'Divergence inside a re-run node is proven in options.test.ts',
  },
});
