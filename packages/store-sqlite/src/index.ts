/**
 * @module The SQLite store for Keel: one file, one machine, many processes.
 *
 * ```ts
 * import { sqliteStore } from '@keel/store-sqlite';
 * ```
 */
export { sqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export { sqliteSchemaVersion } from './sqlite-schema.js';
export { StoreSchemaOutdatedError, StoreSchemaTooNewError } from '@keel/core/store';
