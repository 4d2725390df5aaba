/**
 * The request's lazy logger (src/http/request-logger.ts): nothing is made for a request that
 * does not log, and every line a request does write carries its request id, at the parent's
 * level; through the app, an internal error is still logged with the request id that the
 * problem answer names.
 */
import t from 'tap';
import { pino } from 'pino';
import { LevelAwareLogController, lazyChildLogger } from '../src/http/request-logger.js';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { ApiMetrics } from '../src/http/api-metrics.js';
import { registerErrorHandling } from '../src/http/error-handler.js';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const parent = pino(
    { level },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  let children = 0;
  // Counts children made from the parent; children inherit this method, so `this` is kept.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with its own `this`
  const original = parent.child;
  parent.child = function (this: typeof parent, ...args: Parameters<typeof original>) {
    if (this === parent) children += 1;
    return original.apply(this, args);
  } as typeof parent.child;
  return { parent, lines, children: () => children };
}

t.test('a request that logs below the level makes no child and writes nothing', async (t) => {
  const { parent, lines, children } = capture('warn');
  const logger = lazyChildLogger(parent, { reqId: 'r-1' }, {});
  logger.info({ req: 'x' }, 'incoming request');
  logger.debug('detail');
  t.equal(children(), 0, 'no child made');
  t.equal(lines.length, 0);
  t.equal(logger.level, 'warn', 'the level is the parent’s');
});

t.test('a line at an enabled level carries the request id; the child is made once', async (t) => {
  const { parent, lines, children } = capture('info');
  const logger = lazyChildLogger(parent, { reqId: 'r-2' }, {});
  logger.info({ code: 'X' }, 'request rejected');
  logger.error({ err: new Error('boom') }, 'request failed');
  logger.warn('plain message');
  t.equal(children(), 1, 'one child for the request');
  t.match(lines, [
    { reqId: 'r-2', code: 'X', msg: 'request rejected', level: 30 },
    { reqId: 'r-2', msg: 'request failed', level: 50, err: { message: 'boom' } },
    { reqId: 'r-2', msg: 'plain message', level: 40 },
  ]);
  const grandchild = logger.child({ step: 'two' });
  grandchild.info('deeper');
  t.match(lines.at(-1), { reqId: 'r-2', step: 'two', msg: 'deeper' });
  logger.level = 'error';
  logger.warn('now below the request’s own level');
  t.equal(lines.length, 4, 'a level set on the request logger applies to it');
});

t.test('a route with its own level or serializers gets pino’s child at once', async (t) => {
  const { parent, children } = capture('info');
  lazyChildLogger(parent, { reqId: 'r-3' }, { level: 'debug' });
  t.equal(children(), 1);
});

t.test(
  'through fastify, at warn, an internal error is logged with the request id its answer carries',
  async (t) => {
    const { parent, lines, children } = capture('warn');
    const loggerInstance: FastifyBaseLogger = parent;
    const app = Fastify({ loggerInstance, childLoggerFactory: lazyChildLogger });
    registerErrorHandling(app, new ApiMetrics());
    app.get('/fine', () => ({ ok: true }));
    app.get('/boom', () => {
      throw new Error('an unexpected fault');
    });
    t.teardown(() => app.close());
    await app.ready();
    const before = children();
    t.equal((await app.inject({ method: 'GET', url: '/fine' })).statusCode, 200);
    t.equal(children(), before, 'a request that logs nothing makes no child');
    const failed = await app.inject({ method: 'GET', url: '/boom' });
    t.equal(failed.statusCode, 500);
    t.equal(failed.json<{ code: string }>().code, 'INTERNAL_ERROR');
    const line = lines.find((entry) => entry.msg === 'request failed');
    t.ok(line, 'the fault is logged');
    t.match(line, { level: 50, err: { message: 'an unexpected fault' } });
    t.type(line?.reqId, 'string');
    t.ok(String(line?.reqId).length > 0, 'with the request id');
  },
);

t.test('the per-request lines: written at info with the request id, not even built at warn', async (t) => {
  for (const level of ['info', 'warn']) {
    const { parent, lines } = capture(level);
    const loggerInstance: FastifyBaseLogger = parent;
    const app = Fastify({
      loggerInstance,
      childLoggerFactory: lazyChildLogger,
      logController: new LevelAwareLogController(),
    });
    let elapsedReads = 0;
    app.addHook('onRequest', (_request, reply, done) => {
      // fastify reads elapsedTime for "request completed": count the reads.
      const prototype = Object.getPrototypeOf(reply) as object;
      const descriptor = Object.getOwnPropertyDescriptor(
        Object.getPrototypeOf(prototype) as object,
        'elapsedTime',
      );
      Object.defineProperty(reply, 'elapsedTime', {
        get() {
          elapsedReads += 1;
          return (descriptor?.get?.call(reply) as number) ?? 0;
        },
      });
      done();
    });
    app.get('/fine', () => ({ ok: true }));
    await app.ready();
    t.equal((await app.inject({ method: 'GET', url: '/fine' })).statusCode, 200);
    await app.close();
    const incoming = lines.find((line) => line.msg === 'incoming request');
    const completed = lines.find((line) => line.msg === 'request completed');
    if (level === 'info') {
      t.match(
        incoming,
        { level: 30, reqId: String, req: { method: 'GET', url: '/fine' } },
        'incoming, at info',
      );
      t.match(completed, {
        level: 30,
        reqId: incoming?.reqId,
        res: { statusCode: 200 },
        responseTime: Number,
      });
      t.equal(elapsedReads, 1, 'the response time is read for the line');
    } else {
      t.equal(incoming, undefined, 'nothing at warn');
      t.equal(completed, undefined);
      t.equal(elapsedReads, 0, 'and the line was not built');
    }
  }
});
