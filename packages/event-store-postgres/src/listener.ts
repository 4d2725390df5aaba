import pg from 'pg';
import { sleep } from './connection-errors.js';
import type { PostgresLimits } from './options.js';

/**
 * One dedicated connection per store that LISTENs on the store's channel and wakes every
 * subscription when a commit is announced. Notifications are only hints: subscriptions always
 * read the events themselves from their own last position, so a lost notification can delay an
 * event (until the safety-net poll) but never lose or duplicate one.
 *
 * When the connection drops, the listener reconnects with backoff and then wakes everyone, since
 * notifications sent while it was away are gone.
 */
export class NotificationListener {
  /** Bumped on every notification and every (re)connect; subscriptions compare it across reads. */
  private version = 0;
  private readonly waiters = new Set<() => void>();
  private client: pg.Client | undefined;
  private backendPid: number | undefined;
  private started: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly clientConfig: pg.ClientConfig,
    private readonly channel: string,
    private readonly limits: PostgresLimits,
  ) {}

  /** Connects on first use. Resolves once LISTEN is active or the first attempt failed (then it retries in the background). */
  start(): Promise<void> {
    this.started ??= this.connect().catch(() => this.reconnectSoon());
    return this.started;
  }

  currentVersion(): number {
    return this.version;
  }

  /** Resolves when the version differs from `seen`, after `timeoutMilliseconds`, or on close. */
  async waitForChange(seen: number, timeoutMilliseconds: number): Promise<void> {
    if (this.version !== seen || this.closed) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMilliseconds);
      this.waiters.add(done);
    });
  }

  /** Server process id of the listening connection, for tests and operators; undefined while reconnecting. */
  listeningPid(): number | undefined {
    return this.backendPid;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeAll();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Wakes every waiting subscription; they re-read from their own positions. */
  wakeAll(): void {
    this.version += 1;
    for (const waiter of [...this.waiters]) waiter();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ ...this.clientConfig, application_name: 'timebank-event-store-listener' });
    // Without an 'error' listener a dropped socket would crash the process.
    client.on('error', () => this.onLost(client));
    client.on('end', () => this.onLost(client));
    client.on('notification', () => this.wakeAll());
    try {
      await client.connect();
      const pid = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      this.backendPid = pid.rows[0]?.pid;
      // LISTEN last, so that pg_stat_activity shows it as this backend's query for operators.
      await client.query(`LISTEN ${pg.escapeIdentifier(this.channel)}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    // Anything committed while nobody was listening is picked up by this wake-up.
    this.wakeAll();
  }

  private onLost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.backendPid = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    this.reconnectSoon();
  }

  private reconnectSoon(): void {
    if (this.closed) return;
    void (async () => {
      let delay = this.limits.reconnectDelayMilliseconds;
      while (!this.closed) {
        await sleep(delay);
        if (this.closed) return;
        try {
          await this.connect();
          return;
        } catch {
          delay = Math.min(delay * 2, this.limits.reconnectDelayMillisecondsMax);
        }
      }
    })();
  }
}
