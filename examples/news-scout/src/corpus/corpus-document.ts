/** A link inside a document: where a story's claim comes from. */
export interface DocumentLink {
  /** What the link is, as a reader sees it ("Orrery Labs' announcement"). */
  readonly label: string;
  readonly url: string;
}

/**
 * A page of the bundled offline corpus: a news article (found by `search_news`) or a primary source
 * such as a press release or a paper (reached by following an article's links).
 */
export interface CorpusDocument {
  /** `article`: searchable news; `page`: a primary source, only reached through a link. */
  readonly kind: 'article' | 'page';
  /** Where it lives, on a fictional `.example` domain. */
  readonly url: string;
  readonly title: string;
  /** The outlet or publisher's name. */
  readonly source: string;
  /** Publication day, `YYYY-MM-DD`. */
  readonly publishedAt: string;
  /** Topics, for search. */
  readonly tags: readonly string[];
  /** The text: a lede, the details, then why it matters. */
  readonly paragraphs: readonly string[];
  readonly links?: readonly DocumentLink[];
}

/** A news outlet of the corpus and how far the scout trusts it. */
export interface NewsOutlet {
  readonly name: string;
  readonly domain: string;
  /** 0–1: the share of the outlet's stories that held up; the scout's source score. */
  readonly reliability: number;
}
