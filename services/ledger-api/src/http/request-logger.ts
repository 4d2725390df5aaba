/**
 * The request's logger, made only when a request logs (issue #15). fastify gives every request a
 * pino child bound to its request id; making one costs more than the rest of a cached read's
 * logging, and at the usual levels most requests never write a line. The logger here answers
 * like that child: a call at an enabled level makes the child (once) and writes through it, so
 * every line a request writes (a rejection, an error) still carries its `reqId`; a call at a
 * disabled level returns without making anything.
 */
import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, LevelWithSilentOrString } from 'pino';

/** What the parent must offer: fastify's logger is a pino logger, which has `isLevelEnabled`. */
type ParentLogger = FastifyBaseLogger & { isLevelEnabled(level: string): boolean };

class LazyChildLogger implements FastifyBaseLogger {
  readonly #parent: ParentLogger;
  readonly #bindings: Bindings;
  #child: FastifyBaseLogger | undefined;

  constructor(parent: ParentLogger, bindings: Bindings) {
    this.#parent = parent;
    this.#bindings = bindings;
  }

  #made(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings);
    return this.#child;
  }

  #write(level: Level, args: unknown[]): void {
    // The child has the parent's level until someone sets its own.
    if (this.#child === undefined && !this.#parent.isLevelEnabled(level)) return;
    const child = this.#made();
    Reflect.apply(child[level], child, args);
  }

  /** Whether a line at `level` would be written: the child's level once made, else the parent's. */
  isLevelEnabled(level: Level): boolean {
    const child = this.#child as
      (FastifyBaseLogger & { isLevelEnabled?(level: string): boolean }) | undefined;
    return child?.isLevelEnabled?.(level) ?? this.#parent.isLevelEnabled(level);
  }

  get level(): LevelWithSilentOrString {
    return this.#child?.level ?? this.#parent.level;
  }

  set level(level: LevelWithSilentOrString) {
    this.#made().level = level;
  }

  // Methods on the prototype, not arrow fields: a request that never logs allocates one object.
  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#write('error', args);
  }
  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }
  info(...args: unknown[]): void {
    this.#write('info', args);
  }
  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#made().child(bindings, options);
  }
}

/**
 * fastify's `childLoggerFactory`. A route with its own log level or serializers gets pino's child
 * at once (none here has either); every other request gets the lazy one.
 */
export function lazyChildLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  const parent = logger as ParentLogger;
  if (options.level !== undefined || options.serializers !== undefined)
    return parent.child(bindings, options);
  return new LazyChildLogger(parent, bindings);
}

/** Whether the request's logger would write a line at `level`; true for a logger that cannot tell. */
function wouldLog(request: FastifyRequest, level: Level): boolean {
  const log = request.log as FastifyBaseLogger & { isLevelEnabled?(level: string): boolean };
  return log.isLevelEnabled?.(level) ?? true;
}

/**
 * fastify's `logController`: its per-request lines ("incoming request" at info, "request
 * completed" at info or "request errored" at error) exactly as fastify writes them, but only built
 * when the request's logger would write them. fastify builds each line's object (and reads the
 * clock for `responseTime`) before the logger looks at its level: at LOG_LEVEL=warn that was two
 * objects, a clock read and two argument lists per request for nothing (issue #15).
 */
export class LevelAwareLogController extends LogController {
  override incomingRequest(request: FastifyRequest, reply: FastifyReply): void {
    if (wouldLog(request, 'info')) super.incomingRequest(request, reply);
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (wouldLog(request, error ? 'error' : 'info')) super.requestCompleted(error, request, reply);
  }
}
