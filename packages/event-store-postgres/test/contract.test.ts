import t from 'tap';
import { runEventStoreContract } from '@timebank/event-store/contract';
import { requireServerUrl } from '@timebank/event-store/testing';
import { createPostgresEventStore, type PostgresEventStore } from '../src/index.js';
import { dropSchema, freshSchemaName } from './helpers.js';

const url = requireServerUrl('POSTGRES_URL');
if (url !== undefined) {
  const schemas: string[] = [];
  // Every store of the suite gets its own schema; all are dropped when the file ends.
  t.teardown(async () => {
    for (const schema of schemas) await dropSchema(url, schema);
  });
  runEventStoreContract(t, {
    name: 'postgres',
    async create() {
      const schema = freshSchemaName();
      schemas.push(schema);
      return createPostgresEventStore({ connectionString: url, schema });
    },
    async disconnectSubscriptions(store) {
      await (store as PostgresEventStore).disconnectSubscriptions();
    },
  });
}
