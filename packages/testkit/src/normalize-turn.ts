import type { FakeApi } from './fake-request.js';
import type { FakeFault, FakeToolCall, FakeTurn, FakeUsage } from './turn.js';
import { FakeTurnInvalidError } from './turn-invalid-error.js';

const apis: readonly FakeApi[] = ['openai-chat', 'openai-responses', 'anthropic-messages'];

/**
 * Checks a turn's shape and returns it in object form. Runs on static turns when the server starts
 * (so a typo fails the test at once) and on what turn functions return.
 */
export function normalizeTurn(value: unknown, turn: number): FakeTurn {
  if (typeof value === 'string') return { text: value };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FakeTurnInvalidError(turn, `expected an object or a string, got ${describe(value)}`);
  }
  const candidate = value as FakeTurn;
  if (candidate.text !== undefined && typeof candidate.text !== 'string') {
    throw new FakeTurnInvalidError(turn, '`text` must be a string');
  }
  if (candidate.toolCalls !== undefined) {
    if (!Array.isArray(candidate.toolCalls)) throw new FakeTurnInvalidError(turn, '`toolCalls` must be an array');
    candidate.toolCalls.forEach((call, position) => checkToolCall(call, turn, position));
  }
  if (candidate.usage !== undefined) checkUsage(candidate.usage, turn);
  if (candidate.delayMs !== undefined && !isCount(candidate.delayMs)) {
    throw new FakeTurnInvalidError(turn, '`delayMs` must be a non-negative integer');
  }
  if (candidate.api !== undefined && !apis.includes(candidate.api)) {
    throw new FakeTurnInvalidError(turn, `\`api\` must be one of ${apis.join(', ')}`);
  }
  if (candidate.fault !== undefined) checkFault(candidate.fault, turn);
  return candidate;
}

function checkToolCall(call: unknown, turn: number, position: number): void {
  const where = `toolCalls[${position}]`;
  if (typeof call !== 'object' || call === null) throw new FakeTurnInvalidError(turn, `${where} must be an object`);
  const { name, arguments: args, id } = call as FakeToolCall;
  if (typeof name !== 'string' || name === '') throw new FakeTurnInvalidError(turn, `${where}.name must be a non-empty string`);
  if (args !== undefined && typeof args !== 'string' && (typeof args !== 'object' || args === null || Array.isArray(args))) {
    throw new FakeTurnInvalidError(turn, `${where}.arguments must be an object or a string`);
  }
  if (id !== undefined && (typeof id !== 'string' || id === '')) {
    throw new FakeTurnInvalidError(turn, `${where}.id must be a non-empty string`);
  }
}

function checkUsage(usage: FakeUsage, turn: number): void {
  if (typeof usage !== 'object' || usage === null) throw new FakeTurnInvalidError(turn, '`usage` must be an object');
  for (const [key, count] of Object.entries(usage)) {
    if (count !== undefined && !isCount(count)) {
      throw new FakeTurnInvalidError(turn, `usage.${key} must be a non-negative integer`);
    }
  }
}

function checkFault(fault: FakeFault, turn: number): void {
  if (typeof fault !== 'object' || fault === null) throw new FakeTurnInvalidError(turn, '`fault` must be an object');
  const kinds = ['status' in fault, 'hang' in fault, 'drop' in fault].filter(Boolean).length;
  if (kinds !== 1) {
    throw new FakeTurnInvalidError(turn, '`fault` needs exactly one of `status`, `hang: true`, `drop: true`');
  }
  if ('status' in fault) {
    if (!Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599) {
      throw new FakeTurnInvalidError(turn, 'fault.status must be an HTTP error status (400–599)');
    }
    if (fault.retryAfterMs !== undefined && !isCount(fault.retryAfterMs)) {
      throw new FakeTurnInvalidError(turn, 'fault.retryAfterMs must be a non-negative integer');
    }
    return;
  }
  if ('hang' in fault && fault.hang !== true) throw new FakeTurnInvalidError(turn, 'fault.hang must be `true`');
  if ('drop' in fault && fault.drop !== true) throw new FakeTurnInvalidError(turn, 'fault.drop must be `true`');
  if (fault.afterEvents !== undefined && !isCount(fault.afterEvents)) {
    throw new FakeTurnInvalidError(turn, 'fault.afterEvents must be a non-negative integer');
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
