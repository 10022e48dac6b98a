import type { FakeRequest } from './fake-request.js';

const limit = 200;

/**
 * A one-line summary of a request for error messages: method, path, API, model, and the last message
 * of the conversation, so "script exhausted" says which model call was one too many.
 */
export function describeRequest(request: FakeRequest): string {
  const facts = [request.api ?? 'unknown API'];
  if (typeof request.body['model'] === 'string') facts.push(`model ${JSON.stringify(request.body['model'])}`);
  if (request.stream) facts.push('streaming');
  const last = lastMessage(request.body);
  return `${request.method} ${request.path} (${facts.join(', ')})${last === undefined ? '' : `; last message: ${last}`}`;
}

function lastMessage(body: Record<string, any>): string | undefined {
  // Chat Completions and Messages send `messages`; Responses sends `input` (a string or a list of items).
  const conversation: unknown = body['messages'] ?? body['input'];
  if (typeof conversation === 'string') return `user: ${quote(conversation)}`;
  if (!Array.isArray(conversation) || conversation.length === 0) return undefined;
  const item: unknown = conversation[conversation.length - 1];
  if (typeof item !== 'object' || item === null) return shorten(JSON.stringify(item));
  const { role, type, content, output } = item as Record<string, unknown>;
  const label = typeof role === 'string' ? role : typeof type === 'string' ? type : 'item';
  const payload = content ?? output ?? item;
  return `${label}: ${typeof payload === 'string' ? quote(payload) : shorten(JSON.stringify(payload))}`;
}

function quote(text: string): string {
  return JSON.stringify(shorten(text));
}

function shorten(text: string): string {
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}
