import type { PostgresAccess } from './postgres-access.js';

/** How many hashes one `getBlobs` query looks up. */
const blobChunk = 2_000;

/** The payloads of a PostgreSQL store, stored once per content hash. */
export class PostgresBlobs {
  readonly #db: PostgresAccess;

  constructor(access: PostgresAccess) {
    this.#db = access;
  }

  async putBlob(hash: string, content: string): Promise<void> {
    const values = [hash, Buffer.byteLength(content), content];
    await this.#db.run('putBlob', () =>
      this.#db.query('put_blob', `INSERT INTO ${this.#db.schema}.blobs (hash, size, content) VALUES ($1, $2, $3) ON CONFLICT (hash) DO NOTHING`, values),
    );
  }

  async getBlob(hash: string): Promise<string | null> {
    return this.#db.run('getBlob', async () => {
      const result = await this.#db.query<{ content: string }>('get_blob', `SELECT content FROM ${this.#db.schema}.blobs WHERE hash = $1`, [hash]);
      return result.rows[0]?.content ?? null;
    });
  }

  async getBlobs(hashes: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(hashes)];
    const found = new Map<string, string>();
    // A few large reads instead of one per blob; chunks keep each parameter and answer moderate.
    for (let start = 0; start < unique.length; start += blobChunk) {
      const chunk = unique.slice(start, start + blobChunk);
      const result = await this.#db.run('getBlobs', () =>
        this.#db.query<{ hash: string; content: string }>('get_blobs', `SELECT hash, content FROM ${this.#db.schema}.blobs WHERE hash = ANY($1::text[])`, [
          chunk,
        ]),
      );
      for (const row of result.rows) found.set(row.hash, row.content);
    }
    return found;
  }
}
