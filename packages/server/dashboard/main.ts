import { h, replace } from './dom.js';
import { executionPage } from './execution-page.js';
import { executionsPage } from './executions-page.js';
import { experimentPage } from './experiment-page.js';
import { experimentsPage } from './experiments-page.js';
import { navigate, navigationEvent, type Page } from './navigation.js';

/**
 * The dashboard's entry: a tiny router over `location` (`/` is the list, `/executions/<id>` one
 * execution, `/experiments` and `/experiments/<id>` the experiments); links marked `data-nav` change pages without a reload.
 */
const root = document.getElementById('app')!;
let page: Page | undefined;

function route(): void {
  page?.dispose();
  page = undefined;
  window.scrollTo(0, 0);
  const path = location.pathname;
  const execution = /^\/executions\/([^/]+)\/?$/.exec(path);
  const experiment = /^\/experiments\/([^/]+)\/?$/.exec(path);
  if (path === '/' || path === '') page = executionsPage(root, new URLSearchParams(location.search));
  else if (execution) page = executionPage(root, decodeURIComponent(execution[1]!));
  else if (/^\/experiments\/?$/.test(path)) page = experimentsPage(root);
  else if (experiment) page = experimentPage(root, decodeURIComponent(experiment[1]!), new URLSearchParams(location.search));
  else replace(root, h('p', null, 'No such page. ', h('a', { href: '/', 'data-nav': '' }, 'Executions')));
}

document.addEventListener('click', (event) => {
  const link = (event.target as Element | null)?.closest?.('a[data-nav]') as HTMLAnchorElement | null;
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  if (link.origin !== location.origin) return;
  event.preventDefault();
  navigate(link.pathname + link.search);
});
window.addEventListener('popstate', route);
window.addEventListener(navigationEvent, route);
route();
