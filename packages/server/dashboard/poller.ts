import { setConnection } from './navigation.js';

/** A repeating refresh. */
export interface Poller {
  /** Refreshes now and keeps polling (also after the task said it was done). */
  now(): void;
  stop(): void;
}

/**
 * Runs `task` now and then every `intervalMs` for as long as it returns `true` (an execution that
 * ended has nothing more to show). Failures are shown in the top bar and retried.
 */
export function poll(task: () => Promise<boolean>, intervalMs: number): Poller {
  let timer: number | undefined;
  let stopped = false;
  let running = false;
  let again = false;
  const run = async () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    window.clearTimeout(timer);
    let more = true;
    try {
      more = await task();
      setConnection(more ? 'live' : 'idle', more ? '● live' : '○ up to date');
    } catch (error) {
      setConnection('offline', `⚠ ${error instanceof Error ? error.message : String(error)} — retrying`);
    } finally {
      running = false;
    }
    if (stopped) return;
    if (again) {
      again = false;
      void run();
    } else if (more) timer = window.setTimeout(run, intervalMs);
  };
  void run();
  return {
    now: () => void run(),
    stop: () => {
      stopped = true;
      window.clearTimeout(timer);
    },
  };
}
