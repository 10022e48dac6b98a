import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * The SQLite driver the store runs on: better-sqlite3 12 on Node 20 and 22, Node's built-in `node:sqlite`
 * on Node 24 and later.
 *
 * Why two: better-sqlite3 12 wraps its objects with Node's raw `ObjectWrap`, whose destructor on Node 24
 * asserts that the Node environment still exists; a statement collected at process exit then aborts the
 * process (SIGABRT). better-sqlite3 13 fixes that (Node-API) but crashes on Node 20. `node:sqlite` has no
 * native build at all; on Node 22 it still prints an experimental warning at every start, so Node 22
 * stays on better-sqlite3. The store uses only what both share, through this small interface.
 */
export interface SqliteDatabase {
  prepare(text: string): SqliteStatement;
  exec(text: string): void;
  /** `PRAGMA <text>`; with `simple`, the first column of the first row. */
  pragma(text: string, options?: { simple?: boolean }): unknown;
  /** `fn` wrapped in BEGIN … COMMIT (ROLLBACK when it throws); `.immediate` begins with BEGIN IMMEDIATE. */
  transaction<Arguments extends unknown[], Result>(fn: (...args: Arguments) => Result): SqliteTransaction<Arguments, Result>;
  close(): void;
}

/** A prepared statement: named parameters as one object (keys without the `@`), or positional ones. */
export interface SqliteStatement {
  run(...parameters: unknown[]): { changes: number | bigint };
  get(...parameters: unknown[]): unknown;
  all(...parameters: unknown[]): unknown[];
}

/** A function run in a transaction, and the same in an IMMEDIATE one. */
export interface SqliteTransaction<Arguments extends unknown[], Result> {
  (...args: Arguments): Result;
  immediate(...args: Arguments): Result;
}

/** Which driver this Node runs the store on. */
export const sqliteDriverName: 'node:sqlite' | 'better-sqlite3' = Number(process.versions.node.split('.')[0]) >= 24 ? 'node:sqlite' : 'better-sqlite3';

const require = createRequire(import.meta.url);

/** Opens (creating) the database file with the driver for this Node; writes wait up to `busyTimeoutMs` for the lock. */
export function openSqliteDatabase(location: string, busyTimeoutMs: number): SqliteDatabase {
  if (sqliteDriverName === 'better-sqlite3') {
    // Loaded only here: on Node 24 the addon is never touched, so nothing of it is left to collect at exit.
    const Database = require('better-sqlite3') as typeof BetterSqlite3;
    return new Database(location, { timeout: busyTimeoutMs }) as unknown as SqliteDatabase;
  }
  return new BuiltinSqliteDatabase(location, busyTimeoutMs);
}

/** The part of `node:sqlite` used here (declared locally: the workspace's Node 20 types do not have it). */
interface NodeSqliteModule {
  DatabaseSync: new (location: string) => {
    prepare(text: string): SqliteStatement & { setAllowUnknownNamedParameters?(allow: boolean): void };
    exec(text: string): void;
    close(): void;
    readonly isTransaction: boolean;
  };
}

/** `node:sqlite`'s DatabaseSync behind the interface better-sqlite3 offers. */
class BuiltinSqliteDatabase implements SqliteDatabase {
  readonly #database: InstanceType<NodeSqliteModule['DatabaseSync']>;

  constructor(location: string, busyTimeoutMs: number) {
    const { DatabaseSync } = require('node:sqlite') as NodeSqliteModule;
    this.#database = new DatabaseSync(location);
    this.#database.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  }

  prepare(text: string): SqliteStatement {
    const statement = this.#database.prepare(text);
    // better-sqlite3 ignores keys of a parameter object that the statement does not name; the store
    // passes one column object to statements that use some of its keys.
    statement.setAllowUnknownNamedParameters?.(true);
    return statement;
  }

  exec(text: string): void {
    this.#database.exec(text);
  }

  pragma(text: string, options: { simple?: boolean } = {}): unknown {
    const rows = this.#database.prepare(`PRAGMA ${text}`).all() as Record<string, unknown>[];
    if (!options.simple) return rows;
    const first = rows[0];
    return first === undefined ? undefined : Object.values(first)[0];
  }

  transaction<Arguments extends unknown[], Result>(fn: (...args: Arguments) => Result): SqliteTransaction<Arguments, Result> {
    const inTransaction =
      (begin: string) =>
      (...args: Arguments): Result => {
        this.#database.exec(begin);
        try {
          const result = fn(...args);
          this.#database.exec('COMMIT');
          return result;
        } catch (error) {
          if (this.#database.isTransaction) this.#database.exec('ROLLBACK');
          throw error;
        }
      };
    return Object.assign(inTransaction('BEGIN'), { immediate: inTransaction('BEGIN IMMEDIATE') });
  }

  close(): void {
    this.#database.close();
  }
}
