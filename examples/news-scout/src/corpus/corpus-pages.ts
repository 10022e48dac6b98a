import type { CorpusDocument } from './corpus-document.js';

/**
 * Primary sources the articles link to (announcements, press releases, papers): not searchable,
 * reached with `fetch_url` when the scout checks a story at its source. Fictional, like the articles.
 */
export const corpusPages: readonly CorpusDocument[] = [
  {
    kind: 'page',
    url: 'https://labs.orrery.example/blog/introducing-tern',
    title: 'Introducing Tern: agent runs that outlive their processes',
    source: 'Orrery Labs',
    publishedAt: '2026-11-23',
    tags: ['ai agents', 'infrastructure'],
    paragraphs: [
      'Today we are releasing Tern under the Apache 2.0 licence. Tern records each model call and tool call of an agent run as it completes, so a run that is interrupted continues from its last completed call.',
      'Across 9,400 internal agent runs last quarter, 16% of runs longer than 40 minutes were interrupted. Re-running them from the start accounted for 23% of our model spend.',
      "Tern keeps its records in local files for development and in PostgreSQL for production. Runs can pause for a person's approval for days without holding a process open.",
    ],
  },
  {
    kind: 'page',
    url: 'https://press.kinetiq.example/news/1000-hours',
    title: 'Kinetiq K2 humanoid completes 1,000 hours without intervention',
    source: 'Kinetiq',
    publishedAt: '2026-11-22',
    tags: ['robotics', 'humanoids'],
    paragraphs: [
      'Kinetiq today announced that a K2 humanoid completed 1,000 consecutive operating hours in a customer parcel hub without an on-site reset. Remote operators assisted in 3% of recoveries.',
      'Over the period the K2 handled 61,412 totes at an average of 61 per hour. Kinetiq expects to deliver 300 K2 units in the coming year.',
    ],
  },
  {
    kind: 'page',
    url: 'https://preprints.example/abs/2611.04417',
    title: 'LongTask-300: measuring agents on tasks that take people hours',
    source: 'preprints.example',
    publishedAt: '2026-11-11',
    tags: ['ai agents', 'benchmarks'],
    paragraphs: [
      'We present LongTask-300, a benchmark of 300 software tasks drawn from real issue trackers, each timed by professional developers. Agents complete 71% of tasks under ten minutes and 18% of tasks over one hour.',
      'Failure analysis attributes 44% of long-task failures to lost context after 60 or more steps and 21% to interrupted runs restarted with a different plan.',
    ],
  },
  {
    kind: 'page',
    url: 'https://veridian.example/press/v2-tapeout',
    title: 'Veridian announces tape-out of the V2 inference processor',
    source: 'Veridian',
    publishedAt: '2026-11-21',
    tags: ['chips', 'inference'],
    paragraphs: [
      'Veridian has completed tape-out of V2, a 2 nm inference processor with 2 million tokens of on-package context memory. Samples will reach customers in the second quarter.',
      'In simulation, V2 serves 3.1 times more agent-style model calls per watt than Veridian V1.',
    ],
  },
  {
    kind: 'page',
    url: 'https://autolab.brightwater.example/papers/enzyme-sprint',
    title: 'A one-week closed-loop search for PET-degrading enzymes',
    source: 'Brightwater Institute',
    publishedAt: '2026-11-20',
    tags: ['biotech', 'lab automation', 'ai agents', 'robotics'],
    paragraphs: [
      'We ran 4,032 enzyme variant experiments in seven days with a planning agent that proposed each batch of 96 variants and a robotic lab that executed them. Scientists reviewed and approved every batch before it ran.',
      'The best variant degraded PET film 2.1 times faster than the strongest published enzyme under the same conditions. Eleven robot faults interrupted batches; each was resumed from the last completed plate.',
    ],
  },
];
