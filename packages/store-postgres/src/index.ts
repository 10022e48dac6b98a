/**
 * @module The PostgreSQL store for Keel: many workers on many machines share one database.
 *
 * ```ts
 * import { postgresStore, listenForWork } from '@keel/store-postgres';
 * ```
 */
export { postgresStore, type PostgresStoreOptions } from './postgres-store.js';
export { listenForWork, type ListenForWorkOptions, type WorkListener, type WorkNotification } from './listen-for-work.js';
export { postgresSchemaVersion } from './postgres-schema.js';
export { StoreSchemaOutdatedError, StoreSchemaTooNewError } from '@keel/core/store';
export { StoreUnavailableError } from './store-unavailable-error.js';
