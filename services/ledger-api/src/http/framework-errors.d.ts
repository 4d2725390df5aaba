import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
/** fastify's `frameworkErrors`: the router's errors, with a request and reply already built. */
export declare function routerErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void;
/**
 * fastify's `clientErrorHandler` (the server's 'clientError' event): there is no request, only the
 * socket, so the response is written by hand and the connection closed, as Node itself does. The
 * request id is made here and logged, so a client that reports it can be found in the log.
 */
export declare function clientErrorHandler(logger: Logger): (error: Error & {
    code?: string;
}, socket: Socket) => void;
