import { h } from './dom.js';

/** JSON text of a value, indented; strings as they are (they are most readable that way). */
export function valueText(value: unknown): string {
  if (value === undefined) return '(none)';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * A value shown as text in a `<pre>`: never interpreted as markup. Long values are cut with a button
 * that shows the rest.
 */
export function valueView(value: unknown, options: { label?: string; limit?: number; testId?: string } = {}) {
  const text = valueText(value);
  const limit = options.limit ?? 4000;
  const pre = h(
    'pre',
    { class: `value${typeof value === 'string' ? ' value-string' : ''}`, 'data-testid': options.testId ?? 'value' },
    text.length > limit ? text.slice(0, limit) : text,
  );
  const parts = [pre];
  if (text.length > limit) {
    const more = h(
      'button',
      {
        class: 'link-button',
        type: 'button',
        onclick: () => {
          pre.textContent = text;
          more.remove();
        },
      },
      `Show all ${text.length.toLocaleString('en-US')} characters`,
    );
    parts.push(more as unknown as HTMLPreElement);
  }
  return h('div', { class: 'value-block' }, options.label ? h('div', { class: 'value-label' }, options.label) : null, parts);
}
