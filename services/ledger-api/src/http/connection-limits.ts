/**
 * Bounds on what clients can hold open: how many connections one process accepts and how long a
 * request may take to arrive (HTTP_CONNECTIONS_MAX, HTTP_HEADERS_TIMEOUT_MS; the whole-request
 * bound is fastify's `requestTimeout`). Without them a client that opened connections and sent
 * its headers or body a byte at a time held each for ever, until the process ran out of file
 * descriptors, which the store needs as much as the sockets do.
 */
import type { ServerOptions } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Counter } from './metrics.js';

/**
 * How often Node looks for requests past their timeouts, in milliseconds. Node's default, 30 s,
 * let a connection outlive HTTP_HEADERS_TIMEOUT_MS by up to 30 s more; the check walks the open
 * connections (HTTP_CONNECTIONS_MAX at most), which costs microseconds once a second.
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/** At most one warning a minute about dropped connections: a flood must not flood the log too. */
const DROP_WARNING_INTERVAL_MS = 60_000;

export interface ConnectionLimits {
  readonly connectionsMax: number;
  readonly headersTimeoutMs: number;
}

/** Node's server options for the timeouts (the whole-request one is fastify's own option). */
export function httpServerOptions(limits: ConnectionLimits): ServerOptions {
  return { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS };
}

export function limitConnections(app: FastifyInstance, limits: ConnectionLimits, dropped: Counter): void {
  app.server.maxConnections = limits.connectionsMax;
  let droppedSinceWarning = 0;
  let lastWarningMs = -Infinity;
  app.server.on('drop', () => {
    dropped.inc();
    droppedSinceWarning += 1;
    const nowMs = performance.now();
    if (nowMs - lastWarningMs < DROP_WARNING_INTERVAL_MS) return;
    app.log.warn(
      { connectionsMax: limits.connectionsMax, dropped: droppedSinceWarning },
      'HTTP_CONNECTIONS_MAX reached: new connections are closed at once',
    );
    droppedSinceWarning = 0;
    lastWarningMs = nowMs;
  });
}
