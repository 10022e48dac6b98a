// Bytes stored for an agent's tool loop that re-sends its whole history on every model call, against
// the bytes of the unique conversation (every message once), for Keel and the peers.
//
//   node bench/conversation-storage.mjs [--steps 200,500]
//
// One step of the loop: a model call given the request { model, tools, messages: [...history] } that
// returns an assistant message with a tool call (~0.2 KB), then the tool call itself, returning a
// ~1 KB result; both messages join the history. Every Keel adapter records a model call the same way
// (a `model` checkpoint whose captured input is the request), so the loop drives that directly.
// - Keel: SQLite store; bytes are the blobs plus the checkpoint records. A model request is stored as a
//   link: the previous request of its conversation plus the hashes of the messages it appended (each
//   message a blob, stored once: here also the output of the call that produced it). The records — two
//   a step — are printed apart: with 1 KB tool results they are most of what Keel adds to the messages.
// - LangGraph: a MessagesAnnotation graph (model node, tool node) on SqliteSaver; bytes are the
//   checkpoints, their metadata and the pending writes.
// - DBOS: the same loop as a workflow of steps on PostgreSQL; bytes are the step outputs and the
//   workflow's input and output (DBOS records what a step returned, not what it was given).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { checkpoint, createRuntime } from '@keel/core';
import { sqliteStore } from '@keel/store-sqlite';
import { firstMessage as first, stepMessages, tools, uniqueBytes } from './conversation-messages.mjs';
import { closeDbos, dbosToolLoopBytes } from './lib/dbos.mjs';
import { printTable, size } from './lib/stats.mjs';

async function keelBytes(steps) {
  const folder = mkdtempSync(join(tmpdir(), 'keel-bench-conversation-'));
  const file = join(folder, 'keel.db');
  const runtime = createRuntime({ store: sqliteStore(file) });
  const loop = runtime.flow('tool-loop', async () => {
    const messages = [first];
    for (let index = 0; index < steps; index++) {
      const request = { model: 'bench-model', tools, messages: [...messages] };
      const call = await checkpoint('model', () => stepMessages(index).call, { kind: 'model', input: request });
      const result = await checkpoint('search', () => stepMessages(index).result, { kind: 'tool', input: JSON.parse(call.tool_calls[0].function.arguments) });
      messages.push(call, result);
    }
    return messages.length;
  });
  await loop.run(undefined);
  await runtime.close();
  const database = new Database(file, { readonly: true });
  const { blobs, records } = database
    .prepare(
      'SELECT (SELECT coalesce(sum(length(content)), 0) FROM keel_blobs) AS blobs, (SELECT coalesce(sum(length(record)), 0) FROM keel_checkpoints) AS records',
    )
    .get();
  database.close();
  rmSync(folder, { recursive: true, force: true });
  return { bytes: blobs + records, records };
}

async function langGraphBytes(steps) {
  const folder = mkdtempSync(join(tmpdir(), 'keel-bench-conversation-'));
  const file = join(folder, 'checkpoints.db');
  const saver = SqliteSaver.fromConnString(file);
  let index = 0;
  const graph = new StateGraph(MessagesAnnotation)
    .addNode('model', () => ({ messages: [stepMessages(index).call] }))
    .addNode('tools', () => ({ messages: [stepMessages(index++).result] }))
    .addEdge(START, 'model')
    .addEdge('model', 'tools')
    .addConditionalEdges('tools', () => (index >= steps ? END : 'model'))
    .compile({ checkpointer: saver });
  await graph.invoke({ messages: [first] }, { configurable: { thread_id: 'loop' }, recursionLimit: 2 * steps + 10 });
  saver.db.close();
  const database = new Database(file, { readonly: true });
  const { bytes } = database
    .prepare(
      `SELECT (SELECT coalesce(sum(length(checkpoint) + length(metadata)), 0) FROM checkpoints)
            + (SELECT coalesce(sum(length(value)), 0) FROM writes) AS bytes`,
    )
    .get();
  database.close();
  rmSync(folder, { recursive: true, force: true });
  return bytes;
}

/** Stored bytes per system and loop length, with the unique conversation's bytes. */
export async function measureConversationStorage(lengths = [200, 500]) {
  const rows = [];
  for (const steps of lengths) {
    const keel = await keelBytes(steps);
    rows.push({
      steps,
      unique: uniqueBytes(steps),
      keel: keel.bytes,
      keelRecords: keel.records,
      langgraph: await langGraphBytes(steps),
      dbos: await dbosToolLoopBytes(steps, first, tools),
    });
  }
  return rows;
}

export function printConversationStorage(rows) {
  console.log('Stored bytes for a tool loop re-sending its history (× the unique conversation):\n');
  const cell = (bytes, unique) => `${size(bytes)} (${(bytes / unique).toFixed(2)}×)`;
  printTable(
    ['steps', 'unique', 'Keel (every adapter)', 'of which records', 'LangGraph SqliteSaver', 'DBOS (outputs only)'],
    rows.map((row) => [
      row.steps,
      size(row.unique),
      cell(row.keel, row.unique),
      cell(row.keelRecords, row.unique),
      cell(row.langgraph, row.unique),
      cell(row.dbos, row.unique),
    ]),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const stepsFlag = process.argv.indexOf('--steps');
  const lengths = stepsFlag >= 0 ? process.argv[stepsFlag + 1].split(',').map(Number) : [200, 500];
  printConversationStorage(await measureConversationStorage(lengths));
  console.log(`\nrerun: pnpm build && node bench/conversation-storage.mjs --steps ${lengths.join(',')}`);
  await closeDbos();
}
