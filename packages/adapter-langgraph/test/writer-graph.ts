import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';

/** A graph named `writer` of two nodes, `plan` then `write`, each one model call over the messages so far. */
export function writerGraph(model: Pick<BaseChatModel, 'invoke'>) {
  return new StateGraph(MessagesAnnotation)
    .addNode('plan', async (state) => ({ messages: [await model.invoke(state.messages)] }))
    .addNode('write', async (state) => ({ messages: [await model.invoke(state.messages)] }))
    .addEdge(START, 'plan')
    .addEdge('plan', 'write')
    .addEdge('write', END)
    .compile({ name: 'writer' });
}
