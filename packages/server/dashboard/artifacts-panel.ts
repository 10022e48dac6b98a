import { apiGet, executionPath } from './api-client.js';
import type { Artifact } from './api-types.js';
import { h, replace } from './dom.js';
import { formatBytes } from './format.js';
import { markdownView } from './markdown-view.js';
import { valueView } from './value-view.js';

const imageTypes = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']);

/**
 * The execution's artifacts: a list, and a viewer that renders markdown (a safe subset, as nodes),
 * shows text and JSON as text, images as images, and links everything to its raw content.
 */
export function artifactsPanel(executionId: string): { element: HTMLElement; update(artifacts: readonly Artifact[]): void } {
  const list = h('div', { class: 'artifact-list' });
  const viewer = h('div', { class: 'artifact-viewer', 'data-testid': 'artifact-viewer' });
  const element = h('section', { class: 'artifacts' }, h('h2', null, 'Artifacts'), list, viewer);
  let selected: string | undefined;
  let signature = '';
  let current: readonly Artifact[] = [];

  const show = async (artifact: Artifact) => {
    selected = artifact.name;
    for (const button of list.querySelectorAll('button')) button.classList.toggle('selected', button.dataset.name === artifact.name);
    replace(viewer, h('p', { class: 'muted' }, 'Loading…'));
    const { value } = await apiGet<{ value: unknown }>(executionPath(executionId, 'artifacts', artifact.name));
    const raw = executionPath(executionId, 'artifacts', artifact.name, 'content');
    const type = artifact.type.toLowerCase();
    let body: HTMLElement;
    if (typeof value === 'string' && (type === 'markdown' || type === 'text/markdown' || /\.md$/i.test(artifact.name))) body = markdownView(value);
    else if (isBytes(value) && imageTypes.has(type)) body = h('img', { src: raw, alt: artifact.name, class: 'artifact-image' });
    else if (isBytes(value)) body = h('p', null, `${formatBytes(value.size)} of binary data. `, h('a', { href: raw, download: artifact.name }, 'Download'));
    else body = valueView(value, { testId: 'artifact-value' });
    replace(
      viewer,
      h(
        'div',
        { class: 'artifact-head' },
        h('strong', null, artifact.name),
        h(
          'span',
          { class: 'muted' },
          ` ${artifact.type} · ${formatBytes(artifact.size)}${artifact.checkpointId ? ` · saved in ${artifact.checkpointId}` : ''} · `,
        ),
        h('a', { href: raw, target: '_blank', rel: 'noopener' }, 'raw'),
      ),
      body,
    );
  };

  return {
    element,
    update(artifacts) {
      const next = JSON.stringify(artifacts);
      if (next === signature) return;
      signature = next;
      current = artifacts;
      if (!artifacts.length) {
        replace(list, h('p', { class: 'muted' }, 'No artifacts yet.'));
        return;
      }
      replace(
        list,
        artifacts.map((artifact) =>
          h(
            'button',
            {
              type: 'button',
              class: `artifact-button${artifact.name === selected ? ' selected' : ''}`,
              'data-name': artifact.name,
              'data-testid': 'artifact-button',
              onclick: () => void show(artifact),
            },
            artifact.name,
            h('span', { class: 'muted' }, ` ${artifact.type}`),
          ),
        ),
      );
      const preferred =
        current.find((artifact) => artifact.name === selected) ??
        current.find((artifact) => artifact.name === 'final_report') ??
        current.find((artifact) => /markdown/.test(artifact.type));
      if (preferred) void show(preferred);
    },
  };
}

function isBytes(value: unknown): value is { $type: 'Uint8Array'; size: number } {
  return typeof value === 'object' && value !== null && (value as { $type?: unknown }).$type === 'Uint8Array';
}
