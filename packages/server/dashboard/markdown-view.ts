import { h, type Child } from './dom.js';

/**
 * Renders a safe subset of Markdown (headings, paragraphs, emphasis, code, lists, quotes, rules, tables,
 * links) straight to DOM nodes. There is no HTML parsing anywhere: raw HTML in the source stays visible
 * text, links keep only http(s) and mailto targets, and images are shown as their description (the
 * dashboard loads nothing from elsewhere).
 */
export function markdownView(source: string): HTMLElement {
  return h('div', { class: 'markdown', 'data-testid': 'markdown' }, blocks(source.replace(/\r\n?/g, '\n').split('\n')));
}

const listMarker = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const fence = /^\s*(```+|~~~+)\s*([\w+-]*)\s*$/;
const tableSeparator = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

function blocks(lines: readonly string[]): Child[] {
  const out: Child[] = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index]!;
    if (line.trim() === '') {
      index++;
      continue;
    }
    const opening = fence.exec(line);
    if (opening) {
      const code: string[] = [];
      index++;
      while (index < lines.length && !lines[index]!.trim().startsWith(opening[1]!)) code.push(lines[index++]!);
      index++;
      out.push(h('pre', { class: 'code' }, h('code', opening[2] ? { 'data-language': opening[2] } : null, code.join('\n'))));
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const level = Math.min(6, heading[1]!.length + 1) as 2 | 3 | 4 | 5 | 6;
      out.push(h(`h${level}`, null, inline(heading[2]!)));
      index++;
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      out.push(h('hr'));
      index++;
      continue;
    }
    if (/^\s{0,3}>/.test(line)) {
      const quoted: string[] = [];
      while (index < lines.length && /^\s{0,3}>/.test(lines[index]!)) quoted.push(lines[index++]!.replace(/^\s{0,3}>\s?/, ''));
      out.push(h('blockquote', null, blocks(quoted)));
      continue;
    }
    const marker = listMarker.exec(line);
    if (marker) {
      const [list, next] = listBlock(lines, index);
      out.push(list);
      index = next;
      continue;
    }
    if (line.includes('|') && index + 1 < lines.length && tableSeparator.test(lines[index + 1]!)) {
      const rows: string[] = [line];
      index += 2;
      while (index < lines.length && lines[index]!.includes('|') && lines[index]!.trim() !== '') rows.push(lines[index++]!);
      out.push(table(rows));
      continue;
    }
    const paragraph: string[] = [];
    while (index < lines.length && lines[index]!.trim() !== '' && !startsBlock(lines, index)) paragraph.push(lines[index++]!.trim());
    if (paragraph.length === 0) paragraph.push(lines[index++]!.trim());
    out.push(h('p', null, inline(paragraph.join(' '))));
  }
  return out;
}

function startsBlock(lines: readonly string[], index: number): boolean {
  const line = lines[index]!;
  return (
    fence.test(line) ||
    /^\s{0,3}#{1,6}\s/.test(line) ||
    /^\s{0,3}>/.test(line) ||
    listMarker.test(line) ||
    /^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line) ||
    (line.includes('|') && index + 1 < lines.length && tableSeparator.test(lines[index + 1]!))
  );
}

/** A list and the index after it. Item bodies (indented lines) are rendered as blocks, so lists nest. */
function listBlock(lines: readonly string[], start: number): [HTMLElement, number] {
  const first = listMarker.exec(lines[start]!)!;
  const indent = first[1]!.length;
  const ordered = /\d/.test(first[2]!);
  const items: Child[] = [];
  let index = start;
  while (index < lines.length) {
    const marker = listMarker.exec(lines[index]!);
    if (!marker || marker[1]!.length !== indent || /\d/.test(marker[2]!) !== ordered) break;
    const body: string[] = [marker[3]!];
    index++;
    while (index < lines.length) {
      const line = lines[index]!;
      const nested = listMarker.exec(line);
      if (line.trim() === '') {
        if (index + 1 < lines.length && /^\s+\S/.test(lines[index + 1]!) && leading(lines[index + 1]!) > indent) {
          body.push('');
          index++;
          continue;
        }
        break;
      }
      if (nested && nested[1]!.length <= indent) break;
      if (!nested && leading(line) <= indent && startsBlock(lines, index)) break;
      body.push(line.slice(Math.min(leading(line), indent + 2)));
      index++;
    }
    const content =
      body.length === 1 || body.slice(1).every((line) => !listMarker.test(line) && line.trim() !== '') ? [inline(body.join(' ').trim())] : blocks(body);
    items.push(h('li', null, content));
  }
  return [ordered ? h('ol', null, items) : h('ul', null, items), index];
}

function leading(line: string): number {
  return line.length - line.trimStart().length;
}

function table(rows: readonly string[]): HTMLElement {
  const cells = (row: string) =>
    row
      .trim()
      .replace(/^\|/, '')
      .replace(/\|$/, '')
      .split('|')
      .map((cell) => cell.trim());
  const [head, ...body] = rows;
  return h(
    'table',
    { class: 'markdown-table' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        cells(head!).map((cell) => h('th', null, inline(cell))),
      ),
    ),
    h(
      'tbody',
      null,
      body.map((row) =>
        h(
          'tr',
          null,
          cells(row).map((cell) => h('td', null, inline(cell))),
        ),
      ),
    ),
  );
}

interface InlineRule {
  readonly pattern: RegExp;
  readonly render: (match: RegExpExecArray) => Child;
}

const inlineRules: readonly InlineRule[] = [
  { pattern: /`([^`]+)`/, render: (match) => h('code', null, match[1]!) },
  { pattern: /!\[([^\]]*)\]\(([^)\s]*)[^)]*\)/, render: (match) => h('span', { class: 'muted' }, `[image: ${match[1] || 'no description'}]`) },
  { pattern: /\[([^\]]+)\]\(([^)\s]+)(?:\s+"[^"]*")?\)/, render: (match) => link(match[1]!, match[2]!) },
  { pattern: /<(https?:\/\/[^\s>]+)>/, render: (match) => link(match[1]!, match[1]!) },
  // Underscores inside words (snake_case, window.__name) are text, as in CommonMark.
  { pattern: /\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)/, render: (match) => h('strong', null, inline(match[1] ?? match[2]!)) },
  { pattern: /\*([^*\s](?:[^*]*[^*\s])?)\*|(?<!\w)_([^_\s](?:[^_]*[^_\s])?)_(?!\w)/, render: (match) => h('em', null, inline(match[1] ?? match[2]!)) },
  { pattern: /~~(.+?)~~/, render: (match) => h('del', null, inline(match[1]!)) },
];

/** Inline Markdown as nodes: text stays text. */
function inline(text: string): Child[] {
  const out: Child[] = [];
  let rest = text;
  while (rest.length) {
    let best: { index: number; match: RegExpExecArray; rule: InlineRule } | undefined;
    for (const rule of inlineRules) {
      const match = rule.pattern.exec(rest);
      if (match && (best === undefined || match.index < best.index)) best = { index: match.index, match, rule };
    }
    if (!best) {
      out.push(rest);
      break;
    }
    if (best.index > 0) out.push(rest.slice(0, best.index));
    out.push(best.rule.render(best.match));
    rest = rest.slice(best.index + best.match[0].length);
  }
  return out;
}

/** A link that can only go to a web or mail address, opened away from the dashboard. */
function link(label: string, target: string): Child {
  let url: URL | undefined;
  try {
    url = new URL(target);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:', 'mailto:'].includes(url.protocol)) return h('span', { title: target }, inline(label));
  return h('a', { href: url.href, target: '_blank', rel: 'noopener noreferrer nofollow', class: 'external' }, inline(label));
}
