/**
 * Errors raised before a route is found: by fastify's router (a path parameter longer than
 * `maxParamLength`, a URL that does not decode) and by Node's HTTP parser (headers over
 * `maxHeaderSize`, a request that is not HTTP). Both would otherwise answer in fastify's own JSON
 * shape or as a bare status line; here they are RFC 9457 problems with a catalogue code like
 * every other error, and the router's ones carry the request id.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { PROBLEM_CONTENT_TYPE, ProblemError, problemBody, sendProblem } from './problem.js';

/** fastify's `frameworkErrors`: the router's errors, with a request and reply already built. */
export function routerErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const problem =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? ProblemError.http('URI_TOO_LONG', 'a path parameter is longer than 100 characters')
      : error.code === 'FST_ERR_BAD_URL'
        ? ProblemError.http('MALFORMED_REQUEST', 'the URL is not validly percent-encoded')
        : ProblemError.http('VALIDATION_FAILED', 'the request could not be routed');
  // No onRequest hook ran for this request, so the id header is set here.
  void reply.header('x-request-id', request.id);
  request.log.info(
    { code: problem.code, status: problem.status, fastifyCode: error.code },
    'request rejected',
  );
  void sendProblem(reply, problem);
}

/** Node's parser error codes that mean "too large" or "too slow" rather than "not HTTP". */
function parserProblem(code: string): ProblemError {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return ProblemError.http(
      'HEADERS_TOO_LARGE',
      'the request headers exceed the server’s limit (Node’s maxHeaderSize, 16 KiB by default)',
    );
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return ProblemError.http('REQUEST_TIMEOUT', 'the request was not received in time');
  }
  return ProblemError.http('MALFORMED_REQUEST', 'the request is not valid HTTP/1.1');
}

/**
 * fastify's `clientErrorHandler` (the server's 'clientError' event): there is no request, only the
 * socket, so the response is written by hand and the connection closed, as Node itself does. The
 * request id is made here and logged, so a client that reports it can be found in the log.
 */
export function clientErrorHandler(logger: Logger) {
  return (error: Error & { code?: string }, socket: Socket): void => {
    // A reset connection has no one to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const problem = parserProblem(error.code ?? '');
    const requestId = randomUUID();
    logger.info(
      { reqId: requestId, code: problem.code, status: problem.status, parserCode: error.code },
      'request rejected by the HTTP parser',
    );
    if (socket.writable) {
      const body = JSON.stringify(problemBody(problem));
      socket.write(
        [
          `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Error'}`,
          `content-type: ${PROBLEM_CONTENT_TYPE}`,
          `content-length: ${Buffer.byteLength(body)}`,
          `x-request-id: ${requestId}`,
          'connection: close',
          '',
          body,
        ].join('\r\n'),
      );
    }
    socket.destroy(error);
  };
}
