/** A tool call with everything decided: id assigned, arguments serialized. */
export interface ReplyToolCall {
  id: string;
  name: string;
  /** Serialized JSON (or the verbatim string the turn gave). */
  arguments: string;
}

/** A turn resolved against one request: what a wire format renders. Internal. */
export interface Reply {
  /** The model name to report: the request's `model`, so clients see what they asked for. */
  model: string;
  text: string;
  toolCalls: ReplyToolCall[];
  usage: {
    inputTokens: number;
    outputTokens: number;
    cachedInputTokens: number;
    cacheWriteTokens: number;
    reasoningTokens: number;
  };
}
