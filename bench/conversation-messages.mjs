// The conversation of the storage bench's tool loop, shared by Keel's loop and the peers' loops.

/** The tools every request carries. */
export const tools = [
  {
    type: 'function',
    function: { name: 'search', description: 'Searches the web.', parameters: { type: 'object', properties: { query: { type: 'string' } } } },
  },
];

/** The user's message that starts the loop. */
export const firstMessage = { role: 'user', content: 'Research the question, one search at a time.' };

/**
 * The messages of step `index`: the assistant's tool call (~0.2 KB) and the tool's ~1 KB result.
 * `request` is what the model was given; the fake model does not need it.
 */
export function stepMessages(index, request) {
  void request;
  const call = {
    role: 'assistant',
    content: `Step ${index}: looking this up.`,
    tool_calls: [{ id: `call_${index}`, type: 'function', function: { name: 'search', arguments: JSON.stringify({ query: `question ${index}` }) } }],
  };
  const result = { role: 'tool', tool_call_id: `call_${index}`, content: `result ${index} `.padEnd(1_000, '.') };
  return { call, result };
}

/** Bytes of the unique conversation of `steps` steps: every message once, the tool definitions once. */
export function uniqueBytes(steps) {
  let bytes = Buffer.byteLength(JSON.stringify(firstMessage)) + Buffer.byteLength(JSON.stringify(tools));
  for (let index = 0; index < steps; index++) {
    const { call, result } = stepMessages(index);
    bytes += Buffer.byteLength(JSON.stringify(call)) + Buffer.byteLength(JSON.stringify(result));
  }
  return bytes;
}
