import { useChat } from '@ai-sdk/react';
import { DefaultChatTransport, lastAssistantMessageIsCompleteWithApprovalResponses, type UIMessage } from 'ai';
import { useEffect, useMemo, useState } from 'react';
import { MessageView } from './message-view.js';

/** How long the page waits before reconnecting to a turn after its connection broke (the server died, the network dropped). */
const reconnectDelayMs = 1000;

interface ChatProps {
  readonly chatId: string;
  readonly initialMessages: UIMessage[];
  readonly suggestion: string;
}

/** One chat: `useChat` over Keel's chat handlers. */
export function Chat({ chatId, initialMessages, suggestion }: ChatProps) {
  const transport = useMemo(() => new DefaultChatTransport({ api: '/api/chat' }), []);
  const { messages, setMessages, sendMessage, status, error, stop, resumeStream, clearError, addToolApprovalResponse } = useChat({
    id: chatId,
    messages: initialMessages,
    transport,
    // A stored chat may have a turn still answering (this page was reloaded, or opened elsewhere): reattach.
    resume: initialMessages.length > 0,
    // An approval answered in the page continues the turn at once.
    sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithApprovalResponses,
  });
  const [draft, setDraft] = useState(initialMessages.length === 0 ? suggestion : '');

  // The connection broke (the server died or restarts): reconnect until a server answers. Keel
  // resumes the turn there, and the stream starts again from the first chunk. A turn that finished
  // meanwhile has no stream (204): the stored conversation has its answer.
  useEffect(() => {
    if (status !== 'error') return;
    const timer = setTimeout(() => {
      clearError();
      resumeStream()
        .then(async () => {
          const response = await fetch(`/api/chat/${chatId}/messages`);
          if (response.ok) setMessages((await response.json()) as UIMessage[]);
        })
        // Still down: the status is an error again, and the next attempt follows.
        .catch(() => {});
    }, reconnectDelayMs);
    return () => clearTimeout(timer);
  }, [status, error, chatId, clearError, resumeStream, setMessages]);

  const busy = status === 'submitted' || status === 'streaming';
  return (
    <main className="page">
      <header>
        <h1>News Scout</h1>
        <p className="note">
          A durable chat: reload the page or restart the server mid-answer; the answer goes on. Chat <code>{chatId}</code>
        </p>
      </header>
      <ol className="messages">
        {messages.map((message) => (
          <MessageView key={message.id} message={message} onApproval={(id, approved) => void addToolApprovalResponse({ id, approved })} />
        ))}
      </ol>
      <p className="status" data-status={status}>
        {status === 'error' ? `Connection lost (${error?.message ?? 'unknown error'}); reconnecting…` : busy ? 'Answering…' : ''}
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!draft.trim() || busy) return;
          void sendMessage({ text: draft });
          setDraft('');
        }}
      >
        <textarea aria-label="Message" value={draft} rows={5} onChange={(event) => setDraft(event.target.value)} />
        {busy ? (
          <button
            type="button"
            onClick={() => {
              // stop() only closes this page's connection; the DELETE stops the turn on the server.
              void stop();
              void fetch(`/api/chat/${chatId}/stream`, { method: 'DELETE' });
            }}
          >
            Stop
          </button>
        ) : (
          <button type="submit">Send</button>
        )}
      </form>
    </main>
  );
}
