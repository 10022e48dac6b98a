import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CallObserver } from '../src/call-observer.js';
import { liveNewsSource } from '../src/live-news-source.js';
import { createScoutTools } from '../src/scout-tools.js';

// A loopback stand-in for Hacker News search and for a news site: the live source's real fetch, real HTTP.
let server: Server;
let origin: string;
const searches: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/api/v1/search_by_date') {
      searches.push(url.search);
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          hits: [
            {
              objectID: '1',
              title: 'Warehouse robots pass a milestone',
              url: `${origin}/story`,
              created_at: '2026-11-23T10:00:00Z',
              points: 120,
              num_comments: 40,
            },
            { objectID: '2', title: 'Ask HN: robots at home?', url: null, created_at: '2026-11-22T09:00:00Z', story_text: '<p>Who runs a robot at home?</p>' },
            { objectID: '3', title: null, url: 'https://example.org/untitled' },
          ],
        }),
      );
      return;
    }
    if (url.pathname === '/story') {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(`<!doctype html><html><head><title>Robots &amp; milestones</title>
        <meta property="article:published_time" content="2026-11-23T08:00:00Z"><script>var tracking = 1;</script></head>
        <body><nav><p>Home | News | Robots and other sections of this site</p></nav>
        <p>A warehouse robot worked 1,000 hours without a reset, its maker said on Monday. The previous record was 140 hours.</p>
        <p>The robot moved 61,000 totes in a parcel hub, recovering on its own in 97% of falls.</p>
        <p>Hours between resets is the number warehouse buyers watch most, because every reset needs a technician.</p>
        <p>Read <a href="https://maker.example/press">the maker&#39;s press release</a> for the details of the test.</p>
        </body></html>`);
      return;
    }
    response.statusCode = 404;
    response.end('not here');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('searches Hacker News stories, with the item page for stories without a link', async () => {
  const source = liveNewsSource({ searchUrl: `${origin}/api/v1` });
  const hits = await source.search('robotics', { limit: 5 });
  expect(searches.at(-1)).toBe('?tags=story&hitsPerPage=5&query=robotics');
  expect(hits).toEqual([
    {
      title: 'Warehouse robots pass a milestone',
      url: `${origin}/story`,
      source: '127.0.0.1',
      publishedAt: '2026-11-23',
      snippet: '120 points, 40 comments on Hacker News',
      tags: [],
    },
    {
      title: 'Ask HN: robots at home?',
      url: 'https://news.ycombinator.com/item?id=2',
      source: 'news.ycombinator.com',
      publishedAt: '2026-11-22',
      snippet: 'Who runs a robot at home?',
      tags: [],
    },
  ]);
});

test('investigate and fetch_url read a real page over HTTP: its paragraphs, title, date and outside links', async () => {
  const tools = createScoutTools(liveNewsSource({ searchUrl: `${origin}/api/v1` }), new CallObserver());
  const options = { toolCallId: 'call_1', messages: [], context: {} };
  const investigated = await tools.investigate.execute!({ url: `${origin}/story` }, options);
  expect(investigated).toMatchObject({
    status: 200,
    title: 'Robots & milestones',
    publishedAt: '2026-11-23',
    summary: 'A warehouse robot worked 1,000 hours without a reset, its maker said on Monday. The previous record was 140 hours.',
    keyPoints: ['The robot moved 61,000 totes in a parcel hub, recovering on its own in 97% of falls.'],
    whyItMatters: "Read the maker's press release for the details of the test.",
    links: [{ label: "the maker's press release", url: 'https://maker.example/press' }],
  });
  const fetched = await tools.fetch_url.execute!({ url: `${origin}/story`, maxChars: 200 }, options);
  expect(fetched).toMatchObject({ status: 200, truncated: true });
  expect((fetched as { text: string }).text).toHaveLength(200);
  expect((fetched as { text: string }).text).not.toContain('tracking');
  const missing = await tools.fetch_url.execute!({ url: `${origin}/gone` }, options);
  expect(missing).toMatchObject({ status: 404, text: 'not here' });
});
