import type { UIMessage } from 'ai';
import { useEffect, useState } from 'react';
import { Chat } from './chat.js';

/** The chat's id, from the address (`/?chat=<id>`); a new one is put there on first visit. */
function chatIdFromAddress(): string {
  const url = new URL(window.location.href);
  const existing = url.searchParams.get('chat');
  if (existing) return existing;
  const id = crypto.randomUUID().replaceAll('-', '').slice(0, 16);
  url.searchParams.set('chat', id);
  window.history.replaceState(null, '', url);
  return id;
}

/**
 * Loads the chat Keel stored (finished turns, the running turn's question) before showing it, so a
 * reload, another tab or another device shows the same conversation.
 */
export function ChatPage() {
  const [chatId] = useState(chatIdFromAddress);
  const [loaded, setLoaded] = useState<{ messages: UIMessage[]; suggestion: string } | { error: string }>();
  useEffect(() => {
    Promise.all([fetch(`/api/chat/${chatId}/messages`), fetch('/api/suggestion')])
      .then(async ([messages, suggestion]) => {
        if (!messages.ok) throw new Error(await messages.text());
        setLoaded({ messages: (await messages.json()) as UIMessage[], suggestion: ((await suggestion.json()) as { text: string }).text });
      })
      .catch((error: unknown) => setLoaded({ error: String(error) }));
  }, [chatId]);
  if (!loaded) return <main className="page">Loading…</main>;
  if ('error' in loaded) return <main className="page error">{loaded.error}</main>;
  return <Chat chatId={chatId} initialMessages={loaded.messages} suggestion={loaded.suggestion} />;
}
