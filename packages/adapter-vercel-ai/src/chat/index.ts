/**
 * @module `@keel/adapter-vercel-ai/chat`: handlers for the AI SDK's chat protocol (`useChat`) over
 * durable turns — answers that survive reloads, dropped connections, server crashes and deploys.
 *
 * ```ts
 * import { createChatHandlers } from '@keel/adapter-vercel-ai/chat';
 * ```
 */
export { createChatHandlers, type ChatHandlers, type ChatHandlersOptions } from './chat-handlers.js';
export type { ChatTurnInput, ChatTurnOutput } from './chat-turns.js';
export { ChatNotFoundError } from './chat-not-found-error.js';
export { ChatRequestInvalidError } from './chat-request-invalid-error.js';
export { ChatTurnBusyError } from './chat-turn-busy-error.js';
