/** Thrown when a README has no fenced code block where a test expects one. */
export class ReadmeSnippetMissingError extends Error {
  /** The README that was read. */
  readonly readme: string;
  /** The text the snippet was to follow. */
  readonly marker: string;

  constructor(readme: string, marker: string, problem: string) {
    super(`${readme}: ${problem} (add the marker and a fenced block after it, or fix the test's marker)`);
    this.name = 'ReadmeSnippetMissingError';
    this.readme = readme;
    this.marker = marker;
  }
}
