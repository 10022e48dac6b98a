import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BlobMissingError, checkpoint, createRuntime, memoryStore, PayloadReader, StoreCorruptedError, wait, type Store } from '../src/index.js';
import { decodeValue, encodeValue, requestStorage } from '../src/adapter.js';
import { ChainedRequest } from '../src/serialization/chained-request.js';
import { ConversationChains } from '../src/serialization/conversation-chains.js';
import { blobReferences } from '../src/serialization/blob-references.js';

type Message = { role: string; content: string; tool_call_id?: string };

/** A tool loop's step: the assistant's call and the tool's ~1 KB result. */
function step(index: number): [Message, Message] {
  return [
    { role: 'assistant', content: `Looking up ${index}.` },
    { role: 'tool', tool_call_id: `call_${index}`, content: `result ${index} `.padEnd(1_000, '.') },
  ];
}

const tools = [{ name: 'search', parameters: { type: 'object', properties: { query: { type: 'string' } } } }];

/** A store that counts its blob reads, and reads many in one step (`getBlobs`, Store contract v4). */
function countingStore() {
  const store = memoryStore();
  const reads = { single: 0, batches: 0 };
  // Only what storing and reading requests uses: blobs and the store's name.
  const counted = {
    location: store.location,
    putBlob: (hash: string, content: string) => store.putBlob(hash, content),
    getBlob: (hash: string) => (reads.single++, store.getBlob(hash)),
    getBlobs: async (hashes: readonly string[]) => {
      reads.batches++;
      const found = new Map<string, string>();
      for (const hash of hashes) {
        const text = await store.getBlob(hash);
        if (text !== null) found.set(hash, text);
      }
      return found;
    },
  } as unknown as Store;
  return { store: counted, reads };
}

describe('conversation chains', () => {
  it('stores a 60-step tool loop in less than twice its unique conversation, and every request loads back deep-equal', async () => {
    const store = memoryStore();
    const runtime = createRuntime({ store });
    const sent: unknown[] = [];
    const loop = runtime.flow('tool-loop', async () => {
      const messages: Message[] = [{ role: 'user', content: 'Research it.' }];
      for (let index = 0; index < 60; index++) {
        const request = { model: 'm', tools, messages: [...messages] };
        sent.push(structuredClone(request));
        await checkpoint('model', () => 'call', { kind: 'model', input: request });
        messages.push(...step(index));
      }
    });
    const { executionId } = await loop.run(undefined);
    const records = await runtime.executions.checkpoints(executionId);
    expect(records.map((record) => record.input)).toEqual(sent);

    const storage = await requestStorage(store, executionId);
    expect(storage.conversationBytes).toBe(Buffer.byteLength(encodeValue(sent.at(-1), 'the last request')));
    expect(storage.storedBytes).toBeLessThan(2 * storage.conversationBytes);
    // Stored whole, the 60 requests would take 30 times the conversation.
    expect(storage.wholeBytes).toBeGreaterThan(25 * storage.conversationBytes);
    // The last request's own blob is one link: the previous request and the two messages it appended.
    const last = decodeValue((await store.getBlob((await store.listCheckpoints(executionId)).at(-1)!.input!.hash))!);
    expect(last).toBeInstanceOf(ChainedRequest);
    expect((last as ChainedRequest).appended).toHaveLength(2);
    expect((last as ChainedRequest).envelope).toBeUndefined();
  });

  it('rebuilds requests stored across a resume: the resumed session starts a new chain, and both load deep-equal', async () => {
    const store = memoryStore();
    const runtime = createRuntime({ store });
    const sent: unknown[] = [];
    const loop = runtime.flow('paused-loop', async () => {
      const messages: Message[] = [{ role: 'user', content: 'Research it.' }];
      for (let index = 0; index < 8; index++) {
        if (index === 4) await wait('go', { schema: z.literal(true) });
        const request = { model: 'm', tools, messages: [...messages] };
        if (sent.length === index) sent.push(structuredClone(request));
        await checkpoint('model', () => 'call', { kind: 'model', input: request });
        messages.push(...step(index));
      }
    });
    const waiting = await loop.run(undefined);
    expect(waiting.status).toBe('waiting');
    await runtime.executions.input(waiting.executionId, 'go', true);
    expect((await loop.resume(waiting.executionId)).status).toBe('completed');

    const records = await runtime.executions.checkpoints(waiting.executionId);
    const models = records.filter((record) => record.kind === 'model');
    expect(models.map((record) => record.input)).toEqual(sent);
    const links = await Promise.all(
      (await store.listCheckpoints(waiting.executionId))
        .filter((record) => record.kind === 'model')
        .map(async (record) => decodeValue((await store.getBlob(record.input!.hash))!) as ChainedRequest),
    );
    // Request 5 is the resumed session's first: a chain of its own, holding all its messages.
    expect(links.map((link) => link.previous === undefined)).toEqual([true, false, false, false, true, false, false, false]);
    expect(links[4]!.appended).toHaveLength(9);
    // Each request loads alone too (a reader of its own, nothing prefetched).
    const reader = new PayloadReader(store);
    const lastRecord = (await store.listCheckpoints(waiting.executionId)).filter((record) => record.kind === 'model').at(-1)!;
    expect(await reader.load(lastRecord.input!)).toEqual(sent.at(-1));
  });

  it('keeps a chain per conversation when several agents talk in one execution, and follows a changed envelope or a trimmed history', async () => {
    const store = memoryStore();
    const runtime = createRuntime({ store });
    const sent: unknown[] = [];
    const agents = runtime.flow('two-agents', async () => {
      const histories: Record<string, Message[]> = { a: [{ role: 'user', content: 'A' }], b: [{ role: 'user', content: 'B' }] };
      for (let index = 0; index < 6; index++) {
        for (const agent of ['a', 'b']) {
          // Agent b changes its tools at step 3; agent a drops its oldest messages at step 4.
          const agentTools = agent === 'b' && index >= 3 ? [...tools, { name: 'fetch' }] : tools;
          if (agent === 'a' && index === 4) histories.a!.splice(0, 2);
          const request = { model: `model-${agent}`, tools: agentTools, messages: [...histories[agent]!] };
          sent.push(structuredClone(request));
          await checkpoint(`model-${agent}`, () => 'call', { kind: 'model', input: request });
          histories[agent]!.push(...step(index));
        }
      }
    });
    const { executionId } = await agents.run(undefined);
    expect((await runtime.executions.checkpoints(executionId)).map((record) => record.input)).toEqual(sent);
    const links = await Promise.all(
      (await store.listCheckpoints(executionId)).map(
        async (record) => [record.input!.hash, decodeValue((await store.getBlob(record.input!.hash))!) as ChainedRequest] as const,
      ),
    );
    // b's request at step 1 extends b's request at step 0, not a's request in between.
    expect(links[3]![1].previous).toBe(links[1]![0]);
    // b's tools changed: its link carries the new envelope; a's trimmed history starts a new chain.
    expect(links[7]![1].envelope).toBeDefined();
    expect(links[8]![1].previous).toBeUndefined();
  });

  it('loads the 500th request of a chain in a few batched reads when the chain is prefetched, and walks it without recursion', async () => {
    const { store, reads } = countingStore();
    const chains = new ConversationChains();
    const messages: Message[] = [{ role: 'user', content: 'go' }];
    const refs = [];
    for (let index = 0; index < 500; index++) {
      refs.push(await chains.store(store, { model: 'm', messages: [...messages] }, 'request'));
      messages.push({ role: 'assistant', content: `step ${index}` });
    }
    reads.single = 0;
    const reader = new PayloadReader(store);
    await reader.prefetch(refs.map((ref) => ref.hash));
    expect(await reader.load(refs.at(-1)!)).toEqual({ model: 'm', messages: messages.slice(0, 500) });
    // One batch for the links, one for the envelope and the messages; nothing read one by one.
    expect(reads).toEqual({ single: 0, batches: 2 });
    // Without a prefetch the chain is still rebuilt, one link after another.
    expect(await new PayloadReader(store).load(refs.at(-1)!)).toEqual({ model: 'm', messages: messages.slice(0, 500) });
  });

  it('reads the earlier form of a request (messages as a BlobList) as before', async () => {
    const store = memoryStore();
    await store.putBlob('sha256:first', JSON.stringify({ role: 'user', content: 'hi' }));
    await store.putBlob('sha256:second', JSON.stringify({ role: 'assistant', content: 'hello' }));
    await store.putBlob('sha256:request', '{"model":"m","messages":{"$keel":"BlobList","value":["sha256:first","sha256:second"]}}');
    expect(await new PayloadReader(store).load({ hash: 'sha256:request', size: 1 })).toEqual({
      model: 'm',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
      ],
    });
    expect(blobReferences((await store.getBlob('sha256:request'))!)).toEqual(['sha256:first', 'sha256:second']);
  });

  it('says which blob is missing from a chain, and calls a chain that does not lead to requests corrupted', async () => {
    const store = memoryStore();
    const chains = new ConversationChains();
    const first = await chains.store(store, { messages: [{ role: 'user', content: 'a' }] }, 'request');
    const second = await chains.store(
      store,
      {
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: 'b' },
        ],
      },
      'request',
    );
    const link = decodeValue((await store.getBlob(second.hash))!) as ChainedRequest;
    expect(link.previous).toBe(first.hash);
    const missing = memoryStore();
    await missing.putBlob(second.hash, (await store.getBlob(second.hash))!);
    const error = await new PayloadReader(missing).load(second, { executionId: 'ex_1', checkpointId: 'model:2' }).catch((caught: unknown) => caught);
    expect(BlobMissingError.isInstance(error)).toBe(true);
    expect((error as BlobMissingError).hash).toBe(first.hash);

    const broken = memoryStore();
    await broken.putBlob('sha256:not-a-link', '"just text"');
    await broken.putBlob('sha256:link', encodeValue(new ChainedRequest({ previous: 'sha256:not-a-link', appended: [] }), 'link'));
    await expect(new PayloadReader(broken).load({ hash: 'sha256:link', size: 1 })).rejects.toSatisfy(
      (caught: unknown) => StoreCorruptedError.isInstance(caught) && /sha256:not-a-link, which it extends, is not a link/.test((caught as Error).message),
    );
  });
});
