import { errorCodes } from '../http/error-response.js';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema, description: string) => ({ description, content: { 'application/json': { schema } } });
const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((status) => [String(status), { $ref: `#/components/responses/Error${status}` }]));
const idParameter = { $ref: '#/components/parameters/ExecutionId' };
const waitQuery = {
  name: 'wait',
  in: 'query',
  required: false,
  schema: { type: 'boolean', default: false },
  description: 'Answer when the run ends or reaches a wait (200 with the result) instead of once it has started (202).',
};
const runAnswers = {
  '200': json(ref('RunResult'), 'The run ended (or reached a wait) before the answer: its result.'),
  '202': json(ref('RunStarted'), 'The run has started in the server process and goes on in the background.'),
};

const budgetSchema: Schema = {
  type: 'object',
  description: "Spend budget of the execution (instead of the flow's): at it, the next live model call waits on `budget`.",
  properties: { tokens: { type: 'number', minimum: 0 }, usd: { type: 'number', minimum: 0 } },
  additionalProperties: false,
};
const anyValue: Schema = {
  description:
    'Any JSON value. Keel values JSON cannot carry are shown as described under Values in the README (the toJsonView of @keel/core) (dates as ISO strings, bytes as `{ "$type": "Uint8Array", "base64" }` …).',
};

/**
 * The OpenAPI 3.1 description of the HTTP API, served at `/api/openapi.json`. Written by hand, next to
 * the routes; a test checks that both list the same operations.
 */
export function openApiDocument(serverUrl?: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Keel HTTP API',
      version: '1',
      description:
        'Inspect and operate durable agent executions. Every error is `{ "error": { "code", "message", … } }` with a stable `code`. ' +
        'When the server has a token, every request needs `Authorization: Bearer <token>`.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ bearer: [] }, {}],
    paths: {
      '/api/openapi.json': {
        get: { operationId: 'openApi', summary: 'This document.', responses: { '200': json({ type: 'object' }, 'The OpenAPI document.') } },
      },
      '/api/flows': {
        get: {
          operationId: 'listFlows',
          summary: "The flows registered in the server's runtime (the ones it can start and run).",
          responses: {
            '200': json(
              { type: 'object', properties: { flows: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } } } },
              'The flows.',
            ),
          },
        },
      },
      '/api/flows/{flow}/executions': {
        post: {
          operationId: 'startExecution',
          summary: 'Creates a queued execution of a flow, for a worker to run; answers at once with its id.',
          parameters: [{ name: 'flow', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: {
            required: false,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { input: anyValue, metadata: { type: 'object' }, executionId: { type: 'string' }, budget: budgetSchema },
                },
              },
            },
          },
          responses: {
            '202': json({ type: 'object', properties: { executionId: { type: 'string' }, flow: { type: 'string' }, status: { const: 'queued' } } }, 'Queued.'),
            ...errors(400, 404, 413, 415),
          },
        },
      },
      '/api/flows/{flow}/invoke': {
        post: {
          operationId: 'invokeFlow',
          summary:
            'Creates a queued execution pinned to the deployed version a tag points to (default `prod`) or to `version`; a worker serving that version runs it. ' +
            'The input is checked against the deployed input schema; the server needs no flow code for this.',
          parameters: [{ name: 'flow', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: {
            required: false,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { input: anyValue, tag: { type: 'string', default: 'prod' }, version: { type: 'string' }, metadata: { type: 'object' } },
                  additionalProperties: false,
                },
              },
            },
          },
          responses: {
            '202': json(
              {
                type: 'object',
                properties: { executionId: { type: 'string' }, flow: { type: 'string' }, version: { type: 'string' }, status: { const: 'queued' } },
              },
              'Queued, pinned to `version`.',
            ),
            ...errors(400, 404, 413, 415),
          },
        },
      },
      '/api/versions': {
        get: {
          operationId: 'listVersions',
          summary:
            "Per flow and code version: executions by status, tags, when it was deployed, whether it can be retired (nothing unfinished, no tag), and whether this server's code serves it.",
          parameters: [{ name: 'flow', in: 'query', schema: { type: 'string' } }],
          responses: {
            '200': json(
              { type: 'object', properties: { versions: { type: 'array', items: ref('VersionSummary') } } },
              'The versions, by flow, oldest deployment first.',
            ),
          },
        },
      },
      '/api/experiments': {
        get: {
          operationId: 'listExperiments',
          summary:
            "Experiments in the store, newest first: each a cohort of recorded executions replayed with a change, with progress and totals. `defined` names the experiments this server's code defines.",
          parameters: [
            { name: 'name', in: 'query', schema: { type: 'string' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, default: 50 } },
          ],
          responses: {
            '200': json(
              {
                type: 'object',
                properties: { experiments: { type: 'array', items: ref('ExperimentSummary') }, defined: { type: 'array', items: { type: 'string' } } },
              },
              'The experiments.',
            ),
            ...errors(400),
          },
        },
      },
      '/api/experiments/{id}': {
        get: {
          operationId: 'getExperiment',
          summary:
            'One experiment with its members done so far: per member the replay, output and artifact diffs, first differing checkpoint, model calls and tokens per side, tool answers and scores.',
          parameters: [idParameter],
          responses: { '200': json(ref('Experiment'), 'The experiment.'), ...errors(400, 404) },
        },
      },
      '/api/experiments/{name}/start': {
        post: {
          operationId: 'startExperiment',
          summary: 'Queues an experiment defined in the code for a worker (which runs its members). The cohort may be narrowed for this run.',
          parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    limit: { type: 'integer', minimum: 1 },
                    since: { type: ['string', 'integer'], description: 'An ISO date, a duration ago (7d) or epoch ms.' },
                  },
                },
              },
            },
          },
          responses: {
            '202': json({ type: 'object', properties: { experimentId: { type: 'string' }, name: { type: 'string' }, status: { const: 'queued' } } }, 'Queued.'),
            ...errors(400, 404, 413, 415),
          },
        },
      },
      '/api/executions': {
        get: {
          operationId: 'listExecutions',
          summary: "Executions, newest first. Page with `before` = the previous page's `nextCursor` (ids sort by creation time).",
          parameters: [
            { name: 'flow', in: 'query', schema: { type: 'string' } },
            {
              name: 'status',
              in: 'query',
              schema: { type: 'string' },
              description: 'One or more of queued, running, waiting, completed, failed, cancelled, comma-separated.',
            },
            { name: 'before', in: 'query', schema: { type: 'string' }, description: 'Only executions created before this id.' },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
            {
              name: 'stats',
              in: 'query',
              schema: { type: 'boolean', default: true },
              description: "Include call and token counts (reads each execution's checkpoint records).",
            },
          ],
          responses: {
            '200': json(
              { type: 'object', properties: { executions: { type: 'array', items: ref('ExecutionSummary') }, nextCursor: { type: ['string', 'null'] } } },
              'A page of executions.',
            ),
            ...errors(400),
          },
        },
      },
      '/api/executions/{id}': {
        get: {
          operationId: 'getExecution',
          summary: 'One execution: input, output or error, waits, statistics, what its latest session reused, and the checkpoint where it failed.',
          parameters: [idParameter],
          responses: { '200': json(ref('ExecutionDetail'), 'The execution.'), ...errors(400, 404) },
        },
      },
      '/api/executions/{id}/checkpoints': {
        get: {
          operationId: 'getCheckpointTree',
          summary: 'The checkpoint tree in call order, with timings, attempts, model usage and (unless `payloads=false`) inputs and outputs.',
          parameters: [idParameter, { name: 'payloads', in: 'query', schema: { type: 'boolean', default: true } }],
          responses: {
            '200': json(
              {
                type: 'object',
                properties: { executionId: { type: 'string' }, count: { type: 'integer' }, checkpoints: { type: 'array', items: ref('Checkpoint') } },
              },
              'The tree.',
            ),
            ...errors(400, 404),
          },
        },
      },
      '/api/executions/{id}/checkpoints/{checkpointId}': {
        get: {
          operationId: 'getCheckpoint',
          summary: 'One checkpoint with its input and output. Ids of nested checkpoints contain `/`: encode it as %2F.',
          parameters: [idParameter, { name: 'checkpointId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': json(ref('Checkpoint'), 'The checkpoint.'), ...errors(400, 404) },
        },
      },
      '/api/executions/{id}/waits': {
        get: {
          operationId: 'listWaits',
          summary: "The execution's waits (`status=pending` for the open ones), each with the JSON Schema its input must match.",
          parameters: [idParameter, { name: 'status', in: 'query', schema: { enum: ['pending', 'resolved', 'timed-out'] } }],
          responses: {
            '200': json({ type: 'object', properties: { executionId: { type: 'string' }, waits: { type: 'array', items: ref('Wait') } } }, 'The waits.'),
            ...errors(400, 404),
          },
        },
      },
      '/api/executions/{id}/waits/{wait}/input': {
        post: {
          operationId: 'giveWaitInput',
          summary:
            "Gives input to a pending wait (by name or id). The body is the value itself, validated against the wait's JSON Schema — so the endpoint works as a webhook for another system's approval. " +
            'It does not resume the execution (a worker does) unless `resume=true`.',
          parameters: [
            idParameter,
            { name: 'wait', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'resolvedBy', in: 'query', schema: { type: 'string', default: 'http' }, description: 'Who answered, kept with the wait.' },
            {
              name: 'resume',
              in: 'query',
              schema: { type: 'boolean', default: false },
              description: 'Resume the execution in the server process when no other wait is pending.',
            },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: anyValue } } },
          responses: {
            '200': json(
              {
                type: 'object',
                properties: {
                  executionId: { type: 'string' },
                  waitId: { type: 'string' },
                  pending: { type: 'array', items: ref('Wait') },
                  resume: { type: 'object' },
                },
              },
              'Stored.',
            ),
            '202': json({ type: 'object' }, 'Stored, and the execution resumed in the background (`resume=true`).'),
            ...errors(400, 404, 409, 413, 415, 422),
          },
        },
      },
      '/api/executions/{id}/artifacts': {
        get: {
          operationId: 'listArtifacts',
          summary: "The execution's artifacts (names, types, sizes).",
          parameters: [idParameter],
          responses: {
            '200': json(
              { type: 'object', properties: { executionId: { type: 'string' }, artifacts: { type: 'array', items: ref('Artifact') } } },
              'The artifacts.',
            ),
            ...errors(400, 404),
          },
        },
      },
      '/api/executions/{id}/artifacts/{name}': {
        get: {
          operationId: 'getArtifact',
          summary: 'One artifact with its value as JSON.',
          parameters: [idParameter, { $ref: '#/components/parameters/ArtifactName' }],
          responses: { '200': json({ allOf: [ref('Artifact'), { type: 'object', properties: { value: anyValue } }] }, 'The artifact.'), ...errors(400, 404) },
        },
      },
      '/api/executions/{id}/artifacts/{name}/content': {
        get: {
          operationId: 'getArtifactContent',
          summary:
            "The artifact's content: text as text/plain (markdown and HTML too — never as a live document), JSON as application/json, bytes as an attachment (PNG, JPEG, GIF, WebP, AVIF inline). Served with nosniff and a sandboxing CSP.",
          parameters: [idParameter, { $ref: '#/components/parameters/ArtifactName' }],
          responses: {
            '200': { description: 'The content.', content: { 'text/plain': {}, 'application/json': {}, 'application/octet-stream': {} } },
            ...errors(400, 404),
          },
        },
      },
      '/api/executions/{id}/logs': {
        get: {
          operationId: 'getLogs',
          summary: 'Log lines in order; page with `offset` = the previous `nextOffset`.',
          parameters: [
            idParameter,
            { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 0, default: 1000 } },
          ],
          responses: {
            '200': json(
              {
                type: 'object',
                properties: {
                  executionId: { type: 'string' },
                  offset: { type: 'integer' },
                  nextOffset: { type: 'integer' },
                  logs: { type: 'array', items: ref('LogLine') },
                },
              },
              'Lines.',
            ),
            ...errors(400, 404),
          },
        },
      },
      '/api/executions/{id}/logs/stream': {
        get: {
          operationId: 'streamLogs',
          summary:
            'A live tail over server-sent events: `log` (data: a log line; id: lines sent so far, so EventSource resumes with Last-Event-ID), `status` (on change), `end` (the execution ended and every line was sent).',
          parameters: [idParameter, { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } }],
          responses: { '200': { description: 'An event stream.', content: { 'text/event-stream': {} } }, ...errors(400, 404) },
        },
      },
      '/api/executions/{id}/resume': {
        post: {
          operationId: 'resumeExecution',
          summary: 'Resumes a waiting or abandoned execution in the server process.',
          parameters: [idParameter, waitQuery],
          responses: { ...runAnswers, ...errors(400, 404, 409) },
        },
      },
      '/api/executions/{id}/retry': {
        post: {
          operationId: 'retryExecution',
          summary: 'Runs a failed execution again in the server process: what completed is reused, what failed runs again.',
          parameters: [idParameter, waitQuery],
          responses: { ...runAnswers, ...errors(400, 404, 409) },
        },
      },
      '/api/executions/{id}/cancel': {
        post: {
          operationId: 'cancelExecution',
          summary: 'Cancels an execution; one running elsewhere stops at its next checkpoint (`cancelling`).',
          parameters: [idParameter],
          responses: {
            '200': json({ type: 'object', properties: { executionId: { type: 'string' }, status: { enum: ['cancelled', 'cancelling'] } } }, 'Cancelled.'),
            ...errors(400, 404, 409),
          },
        },
      },
      '/api/executions/{id}/replay': {
        post: {
          operationId: 'replayExecution',
          summary:
            "A new execution that reuses this one's checkpoints completed before `from`, with `overrides` replacing chosen outputs; `hermetic` fails any call without a record instead of running it live.",
          parameters: [idParameter, waitQuery],
          requestBody: { required: false, content: { 'application/json': { schema: ref('ReplayOptions') } } },
          responses: { ...runAnswers, ...errors(400, 404, 409, 413, 415) },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: "The server's token (KEEL_API_TOKEN). Not needed on loopback when none is set." },
      },
      parameters: {
        ExecutionId: { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$' } },
        ArtifactName: {
          name: 'name',
          in: 'path',
          required: true,
          schema: { type: 'string' },
          description: 'URL-encoded; may not contain `..` segments, backslashes or control characters.',
        },
      },
      responses: Object.fromEntries(
        [400, 401, 403, 404, 409, 413, 415, 422, 500].map((status) => [`Error${status}`, json(ref('Error'), `An error (${status}).`)]),
      ),
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { enum: [...errorCodes], description: 'Stable; other Keel errors map to the snake_case of their name.' },
                message: { type: 'string', description: 'What happened, to which execution, checkpoint or wait, and what to do next.' },
                executionId: { type: 'string' },
                checkpointId: { type: 'string' },
                waitId: { type: 'string' },
                issues: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
              },
            },
          },
        },
        Status: { enum: ['queued', 'running', 'waiting', 'completed', 'failed', 'cancelled'] },
        ExecutionSummary: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            flow: { type: 'string' },
            status: ref('Status'),
            createdAt: { type: 'integer', description: 'Epoch ms.' },
            updatedAt: { type: 'integer' },
            endedAt: { type: 'integer' },
            durationMs: { type: 'integer' },
            sessions: { type: 'integer' },
            abandoned: { type: 'boolean' },
            replayOf: { type: 'object' },
            error: { type: 'object', properties: { name: { type: 'string' }, message: { type: 'string' } } },
            stats: ref('Stats'),
          },
        },
        ExecutionDetail: {
          allOf: [
            ref('ExecutionSummary'),
            {
              type: 'object',
              properties: {
                input: anyValue,
                output: anyValue,
                error: { type: 'object' },
                waits: { type: 'array', items: ref('Wait') },
                failedCheckpoint: ref('Checkpoint'),
                reuse: ref('Reuse'),
                cost: ref('Cost'),
              },
            },
          ],
        },
        Stats: {
          type: 'object',
          properties: {
            checkpoints: { type: 'integer' },
            calls: { type: 'integer' },
            modelCalls: { type: 'integer' },
            toolCalls: { type: 'integer' },
            failed: { type: 'integer' },
            retries: { type: 'integer' },
            inputTokens: { type: 'integer' },
            outputTokens: { type: 'integer' },
            totalTokens: { type: 'integer' },
            estimatedCostUsd: { type: ['number', 'null'], description: 'At list price (an estimate).' },
            unpricedModels: { type: 'array', items: { type: 'string' } },
          },
        },
        Spend: {
          type: 'object',
          properties: {
            tokens: { type: 'number' },
            usd: { type: 'number', description: 'At list price, over the calls with a known price.' },
            calls: { type: 'integer' },
            unpricedCalls: { type: 'integer' },
          },
        },
        Cost: {
          type: 'object',
          description:
            'Model call costs: every call (total), those made live in this execution (spent, what counts against its budget), those a replay reused (reused).',
          properties: { total: ref('Spend'), spent: ref('Spend'), reused: ref('Spend'), budget: budgetSchema },
        },
        Reuse: {
          allOf: [
            ref('Stats'),
            {
              type: 'object',
              properties: {
                basis: { enum: ['replay', 'resume'] },
                session: { type: 'integer' },
                since: { type: 'integer' },
                ids: { type: 'array', items: { type: 'string' } },
              },
            },
          ],
        },
        Checkpoint: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            parentId: { type: ['string', 'null'] },
            name: { type: 'string' },
            kind: { enum: ['step', 'model', 'tool', 'mcp', 'wait'] },
            status: { enum: ['running', 'completed', 'failed', 'waiting'] },
            seq: { type: 'integer' },
            attempts: { type: 'integer' },
            retries: { type: 'integer' },
            startedAt: { type: 'integer' },
            endedAt: { type: 'integer' },
            durationMs: { type: 'integer' },
            usage: {
              type: 'object',
              properties: { model: { type: 'string' }, inputTokens: { type: 'integer' }, outputTokens: { type: 'integer' }, totalTokens: { type: 'integer' } },
            },
            estimatedCostUsd: { type: 'number' },
            costBelow: { ...ref('Spend'), description: 'The model calls below a checkpoint that is not one itself (a tool running an inner agent).' },
            reused: { type: 'boolean' },
            overridden: { type: 'boolean' },
            metadata: { type: 'object' },
            input: anyValue,
            output: anyValue,
            error: {
              type: 'object',
              properties: { name: { type: 'string' }, message: { type: 'string' }, code: { type: 'string' }, stack: { type: 'string' } },
            },
            children: { type: 'array', items: ref('Checkpoint') },
          },
        },
        Wait: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            status: { enum: ['pending', 'resolved', 'timed-out'] },
            question: { type: 'string' },
            schema: { type: 'object', description: 'JSON Schema (2020-12) of the input.' },
            metadata: { type: 'object' },
            input: anyValue,
            resolvedBy: { type: 'string' },
            createdAt: { type: 'integer' },
            resolvedAt: { type: 'integer' },
            expiresAt: { type: 'integer' },
          },
        },
        Artifact: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            type: { type: 'string' },
            size: { type: 'integer' },
            checkpointId: { type: ['string', 'null'] },
            createdAt: { type: 'integer' },
          },
        },
        LogLine: {
          type: 'object',
          properties: {
            executionId: { type: 'string' },
            checkpointId: { type: ['string', 'null'] },
            level: { enum: ['debug', 'info', 'warn', 'error'] },
            message: { type: 'string' },
            fields: { type: 'object' },
            session: { type: 'integer' },
            time: { type: 'integer' },
          },
        },
        ReplayOptions: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from: { type: 'string', description: 'Re-run from this checkpoint; what completed before it is reused.' },
            overrides: { type: 'object', description: 'Checkpoint id → the output to use instead.' },
            hermetic: { type: 'boolean', default: false },
          },
        },
        RunResult: {
          type: 'object',
          properties: {
            executionId: { type: 'string' },
            status: ref('Status'),
            output: anyValue,
            error: { type: 'object' },
            waits: { type: 'array', items: { type: 'object' } },
            replayOf: { type: 'string' },
          },
        },
        VersionSummary: {
          type: 'object',
          properties: {
            flow: { type: 'string' },
            version: { type: 'string' },
            deployedAt: { type: 'integer', description: 'Absent when executions of the version exist but it was never deployed (e.g. `keel run`).' },
            tags: { type: 'array', items: { type: 'string' } },
            executions: {
              type: 'object',
              properties: Object.fromEntries(
                ['queued', 'running', 'waiting', 'completed', 'failed', 'cancelled'].map((status) => [status, { type: 'integer' }]),
              ),
            },
            retirable: { type: 'boolean' },
            served: { type: 'boolean' },
          },
        },
        ExperimentSummary: {
          type: 'object',
          properties: {
            id: { type: 'string', description: "The experiment's execution id." },
            name: { type: 'string' },
            description: { type: 'string' },
            status: ref('Status'),
            createdAt: { type: 'integer' },
            endedAt: { type: 'integer' },
            cohort: {
              type: 'object',
              properties: {
                flow: { type: 'string' },
                status: {},
                since: {},
                until: {},
                metadata: { type: 'object' },
                ids: { type: 'array', items: { type: 'string' } },
                limit: { type: 'integer' },
              },
            },
            change: { type: 'object', description: 'Models swapped (recorded id → new id), instructions, replaced tools, tool answers.' },
            concurrency: { type: 'integer' },
            aggregate: ref('ExperimentAggregate'),
          },
        },
        ExperimentAggregate: {
          type: 'object',
          properties: {
            members: { type: 'integer' },
            done: { type: 'integer' },
            completed: { type: 'integer' },
            failed: { type: 'integer' },
            changedOutputs: { type: 'integer' },
            equalOutputs: { type: 'integer' },
            tools: {
              type: 'object',
              properties: Object.fromEntries(['recorded', 'live', 'missed', 'replaced', 'reused'].map((key) => [key, { type: 'integer' }])),
            },
            tokens: { type: 'object', properties: { original: { type: 'integer' }, replay: { type: 'integer' }, delta: { type: 'integer' } } },
            modelCalls: { type: 'object', properties: { original: { type: 'integer' }, replay: { type: 'integer' } } },
            cost: { type: 'object', properties: { original: { type: 'number' }, replay: { type: 'number' }, delta: { type: 'number' } } },
            evaluations: { type: 'object', additionalProperties: { type: 'object', properties: { mean: { type: 'number' }, count: { type: 'integer' } } } },
          },
        },
        Experiment: {
          allOf: [
            ref('ExperimentSummary'),
            {
              type: 'object',
              properties: {
                cohortIds: { type: 'array', items: { type: 'string' } },
                members: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      original: { type: 'string' },
                      replay: { type: 'string' },
                      error: { type: 'object' },
                      comparison: {
                        type: 'object',
                        description:
                          'output {equal, diff}, artifacts [{name, equal, diff}], firstDifference {checkpointId, reason}, original and replay side stats, tools {recorded, live, missed, replaced, reused, misses}.',
                      },
                      evaluations: { type: 'object' },
                    },
                  },
                },
              },
            },
          ],
        },
        RunStarted: {
          type: 'object',
          properties: {
            executionId: { type: 'string' },
            operation: { enum: ['resume', 'retry', 'replay'] },
            status: { const: 'running' },
            replayOf: { type: 'string' },
          },
        },
      },
    },
  };
}
