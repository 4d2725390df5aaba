/**
 * Every PostgreSQL connection the opener makes uses TCP keepalive with a 10 s idle time
 * (`keepAliveInitialDelayMillis`, client-settings.ts in the event store's adapter, and its copy in
 * the projections' dialect): with the kernel's default of two hours, a pooled or listening
 * connection cut by a partition or a silent failover was found dead only at its next use. Read
 * from the kernel: /proc/net/tcp shows each socket's keepalive timer and when it fires.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import t from 'tap';
import { requireServerUrl } from '@timebank/event-store/testing';
import { dropSchema } from '@timebank/event-store-postgres/testing';
import { LIVE_PREFIX } from '@timebank/projections';
import {
  openEventStore,
  openPersonalKeyStore,
  openReadModels,
  openSnapshotStore,
  openSweepLease,
  type StoreConfig,
} from '../src/index.js';

const url = requireServerUrl('POSTGRES_URL');
/** The keepalive idle time every pool is given, in seconds (KEEPALIVE_INITIAL_DELAY_MILLISECONDS). */
const KEEPALIVE_IDLE_SECONDS = 10;
/** /proc/net/tcp counts timers in clock ticks: USER_HZ, 100 per second on Linux. */
const TICKS_PER_SECOND = 100;

interface Socket {
  readonly remotePort: number;
  /** 2: the keepalive timer; 0: none (keepalive off, or nothing armed). */
  readonly timer: number;
  readonly firesInSeconds: number;
}

/** This process's TCP sockets, from /proc/net/tcp and tcp6, matched to its file descriptors. */
function ownSockets(): Socket[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
      if (inode !== undefined) inodes.add(inode);
    } catch {
      // Closed meanwhile.
    }
  }
  const sockets: Socket[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:tm->when retrnsmt uid timeout inode …
      const columns = line.trim().split(/\s+/);
      if (columns.length < 10 || !inodes.has(columns[9]!)) continue;
      const [timer, when] = columns[5]!.split(':');
      sockets.push({
        remotePort: parseInt(columns[2]!.split(':')[1]!, 16),
        timer: parseInt(timer!, 16),
        firesInSeconds: parseInt(when!, 16) / TICKS_PER_SECOND,
      });
    }
  }
  return sockets;
}

t.test(
  'every PostgreSQL connection probes after 10 s idle',
  { skip: url === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const schema = `pgops_keepalive_${randomBytes(6).toString('hex')}`;
    t.teardown(() => dropSchema(url!, schema));
    const config: StoreConfig = { engine: 'postgres', url: url!, schema };
    const postgresPort = Number(new URL(url!).port || 5432);

    // One connection of each pool and client, each used once and left idle in its pool.
    const store = await openEventStore(config);
    t.teardown(() => store.close());
    await store.headPosition();
    const subscription = store.subscribeToAll({ fromPosition: 0n });
    t.teardown(() => subscription.close());
    const iterator = subscription[Symbol.asyncIterator]();
    await iterator.next(); // The listener connects before the first message (caught-up on an empty store).
    const readModels = await openReadModels(config);
    t.teardown(() => readModels.close());
    await readModels.ensureTableSet(LIVE_PREFIX);
    await readModels.readCheckpoint(LIVE_PREFIX);
    const keys = await openPersonalKeyStore(config);
    t.teardown(() => keys.close());
    await keys.dataKey('volunteer-1');
    const snapshots = (await openSnapshotStore(config))!;
    t.teardown(() => snapshots.close());
    await snapshots.readSnapshot('volunteer-1');
    const lease = openSweepLease(config);
    t.teardown(() => lease.release());
    t.equal(await lease.acquire(), true, 'the sweep lease holds its connection');

    const connections = ownSockets().filter((socket) => socket.remotePort === postgresPort);
    t.ok(connections.length >= 6, `${connections.length} connections open (pools, listener, lease)`);
    for (const [index, socket] of connections.entries()) {
      t.equal(socket.timer, 2, `connection ${index}: its keepalive timer is armed`);
      t.ok(
        socket.firesInSeconds > 0 && socket.firesInSeconds <= KEEPALIVE_IDLE_SECONDS,
        `connection ${index}: first probe in ${socket.firesInSeconds} s, not the kernel's 7,200`,
      );
    }
  },
);
