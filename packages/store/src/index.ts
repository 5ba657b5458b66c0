/** @god/store: the Store interface, its SQLite and MongoDB adapters, and a factory by config. */
import type { Config } from '@god/core';
import { createMongoStore } from './mongo.js';
import { createSqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export * from './store.js';
export { createMongoStore, type MongoStoreOptions } from './mongo.js';
export { createSqliteStore, type SqliteStoreOptions } from './sqlite.js';

/** The `store` section of god's configuration. */
export type StoreConfig = Config['store'];

/** Opens the adapter the configuration names (`store.driver`). */
export async function createStore(config: StoreConfig): Promise<Store> {
  switch (config.driver) {
    case 'sqlite':
      return createSqliteStore({ path: config.sqlite.path });
    case 'mongodb':
      return await createMongoStore({ url: config.mongodb.url, db: config.mongodb.db });
  }
}
