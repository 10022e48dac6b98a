/** The event the router listens to: a page asked to show another address. */
export const navigationEvent = 'keel:navigate';

/** Shows another dashboard address without reloading the page. */
export function navigate(url: string): void {
  history.pushState(null, '', url);
  window.dispatchEvent(new Event(navigationEvent));
}

/** What every page returns: a way to stop its timers and streams when another page replaces it. */
export interface Page {
  dispose(): void;
}

/** Shows in the top bar whether the dashboard reaches the server. */
export function setConnection(state: 'live' | 'idle' | 'offline', text: string): void {
  const element = document.getElementById('connection');
  if (!element) return;
  element.textContent = text;
  element.className = `topbar-status topbar-status-${state}`;
}
