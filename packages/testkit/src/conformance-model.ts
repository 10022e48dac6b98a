import { conformanceAnswers, conformanceUsage, longLoopSteps, type ConformanceScenario } from './conformance-protocol.js';
import type { FakeRequest } from './fake-request.js';
import { toolResultsOf } from './tool-results.js';
import type { FakeTurn } from './turn.js';

/**
 * The fake model of the conformance scenarios. It answers from the request (how many tool results it
 * carries), not from a position in a script, so a call repeated after a crash gets the same answer.
 */
export function conformanceTurn(scenario: ConformanceScenario, request: FakeRequest): FakeTurn {
  return { ...scriptedTurn(scenario, request), usage: { ...conformanceUsage } };
}

function scriptedTurn(scenario: ConformanceScenario, request: FakeRequest): FakeTurn {
  const results = toolResultsOf(request);
  if (scenario === 'long-loop') {
    if (results.length < longLoopSteps) return { text: 'Next step.', toolCalls: [{ name: 'lookup', arguments: { topic: `step ${results.length + 1}` } }] };
    return { text: conformanceAnswers.longLoop };
  }
  if (scenario === 'approval') {
    if (results.length === 0) return { text: 'Publishing.', toolCalls: [{ name: 'publish', arguments: { text: 'hello' } }] };
    return { text: results.some((result) => result.includes('published hello')) ? conformanceAnswers.approved : conformanceAnswers.refused };
  }
  if (results.length === 0) return { text: 'Looking up alpha.', toolCalls: [{ name: 'lookup', arguments: { topic: 'alpha' } }] };
  if (results.length === 1) return { text: 'Now beta.', toolCalls: [{ name: 'lookup', arguments: { topic: 'beta' } }] };
  return { text: conformanceAnswers.tools };
}
