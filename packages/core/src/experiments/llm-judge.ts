import { checkpoint } from '../runtime/checkpoint.js';
import { JudgeVerdictInvalidError } from '../errors/judge-verdict-invalid-error.js';
import type { Evaluator, MemberSide } from './experiment-types.js';

/** Options of {@link llmJudge}. */
export interface LlmJudgeOptions {
  /** Asks a model a question and returns its text answer (any harness, any provider). */
  readonly ask: (prompt: string) => string | Promise<string>;
  /** What a good replay is, in words the judge reads. */
  readonly criteria: string;
  /** The judge's model id, kept on its checkpoints. */
  readonly model?: string;
  /** Builds the question (default: the criteria, both outputs, and how to answer). */
  readonly prompt?: (original: MemberSide, replay: MemberSide, criteria: string) => string;
}

/**
 * An evaluator that asks a model to score the replay against the original, from 0 to 1. Each question
 * is a checkpoint of kind `model` inside the experiment's member, so a resumed experiment and a
 * report read again cost nothing.
 *
 * @example
 * ```ts
 * evaluators: { faithful: llmJudge({ ask: (prompt) => generateText({ model, prompt }).then((r) => r.text), criteria: 'Says the same, no new claims' }) }
 * ```
 */
export function llmJudge(options: LlmJudgeOptions): Evaluator {
  return async (original, replay) => {
    const prompt = (options.prompt ?? defaultPrompt)(original, replay, options.criteria);
    const answer = await checkpoint('judge', () => options.ask(prompt), {
      kind: 'model',
      input: prompt,
      ...(options.model !== undefined ? { metadata: { model: options.model } } : {}),
    });
    return parseVerdict(String(answer));
  };
}

function defaultPrompt(original: MemberSide, replay: MemberSide, criteria: string): string {
  return [
    'You compare two runs of the same AI agent on the same input: the original and a replay with a change.',
    `Criteria: ${criteria}`,
    '',
    `Original output:\n${JSON.stringify(original.output ?? original.error ?? null, null, 2)}`,
    '',
    `Replay output:\n${JSON.stringify(replay.output ?? replay.error ?? null, null, 2)}`,
    '',
    'Answer with a first line "SCORE: <number from 0 to 1>" (1: the replay fully meets the criteria), then one sentence on why.',
  ].join('\n');
}

/** `SCORE: 0.8` and a reason, as the default prompt asks. */
export function parseVerdict(answer: string): { score: number; note?: string } {
  const match = /score\s*[:=]\s*(\d+(?:\.\d+)?)/i.exec(answer);
  const score = match ? Number(match[1]) : Number.NaN;
  if (!(score >= 0 && score <= 1)) throw new JudgeVerdictInvalidError({ answer });
  const note = answer.slice((match!.index ?? 0) + match![0].length).trim();
  return note ? { score, note } : { score };
}
