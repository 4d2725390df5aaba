/**
 * Errors raised before a route runs, by fastify's router and by Node's HTTP parser, are RFC 9457
 * problems with catalogue codes like every other error. The parser's are
 * sent on a real socket: `inject()` never goes through Node's parser.
 */
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { problemOf, startHarness } from './harness.js';

t.test('a path parameter over 100 characters is 414 URI_TOO_LONG on every parameterised route', async (t) => {
  const h = await startHarness(t);
  const admin = await h.keyFor('admin', { kind: 'all' });
  const parameterised = h.routes.filter((route) => route.url.includes(':'));
  t.ok(parameterised.length >= 29, `${parameterised.length} parameterised routes`);
  for (const route of parameterised) {
    const long = 'x'.repeat(101);
    // One long parameter at a time: each parameter of the route is checked by the router.
    const params = route.url.match(/:[A-Za-z]+/g) ?? [];
    for (const param of params) {
      const url = route.url.replace(/:[A-Za-z]+/g, (name) => (name === param ? long : 'x1'));
      const response = await h.app.inject({
        method: route.method as 'GET' | 'POST',
        url,
        headers: { authorization: admin, 'x-request-id': 'long-param-check' },
        ...(route.method === 'POST' ? { payload: {} } : {}),
      });
      const name = `${route.method} ${route.url} with a long ${param}`;
      t.equal(response.statusCode, 414, name);
      t.equal(problemOf(t, response).code, 'URI_TOO_LONG', name);
      t.equal(response.headers['x-request-id'], 'long-param-check', `${name}: request id`);
    }
  }
  const badEncoding = await h.app.inject({ method: 'GET', url: '/v1/volunteers/%E0%A4%A' });
  t.equal(badEncoding.statusCode, 400);
  t.equal(problemOf(t, badEncoding).code, 'MALFORMED_REQUEST');
  t.type(badEncoding.headers['x-request-id'], 'string', 'a request id even before routing');
});

/** Sends raw bytes and returns everything the server wrote before it closed the connection. */
async function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('end', () => resolve(received));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.write(request);
  });
}

function parseRawResponse(raw: string) {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { statusCode: Number(statusLine.split(' ')[1]), headers, body };
}

t.test('Node’s parser errors are problems on a real socket: 431 and 400', async (t) => {
  const h = await startHarness(t);
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = h.app.server.address() as AddressInfo;

  const tooLarge = parseRawResponse(
    await rawExchange(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
  );
  t.equal(tooLarge.statusCode, 431);
  t.equal(problemOf(t, tooLarge).code, 'HEADERS_TOO_LARGE');
  t.match(tooLarge.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'the request id the log line carries');
  t.equal(Number(tooLarge.headers['content-length']), Buffer.byteLength(tooLarge.body));

  const garbage = parseRawResponse(await rawExchange(port, 'NOT HTTP AT ALL\r\n\r\n'));
  t.equal(garbage.statusCode, 400);
  t.equal(problemOf(t, garbage).code, 'MALFORMED_REQUEST');

  const logged = h.logs.filter((line) => line.includes('request rejected by the HTTP parser'));
  t.equal(logged.length, 2, 'both are logged');
  t.ok(
    logged.some((line) => line.includes(tooLarge.headers['x-request-id']!)),
    'under the request id sent to the client',
  );
});

/**
 * Sends `GET path` with its headers begun before close() and finished after it, so the request
 * reaches the app while it drains; answers the raw response.
 */
async function getWhileClosing(t: Test, path: string): Promise<ReturnType<typeof parseRawResponse>> {
  const h = await startHarness(t);
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = h.app.server.address() as AddressInfo;
  const socket = connect({ host: '127.0.0.1', port });
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  const ended = new Promise((resolve) => socket.on('close', resolve));
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const closed = h.app.close();
  await new Promise((resolve) => setTimeout(resolve, 50));
  socket.write('\r\n');
  await ended;
  await closed;
  return parseRawResponse(received);
}

t.test('a request that arrives while the server closes is a problem, not fastify’s plain 503', async (t) => {
  const response = await getWhileClosing(t, '/healthz');
  t.equal(response.statusCode, 503);
  t.equal(problemOf(t, response).code, 'SHUTTING_DOWN');
  t.type(response.headers['x-request-id'], 'string', 'with its request id');
  t.equal(response.headers.connection, 'close', 'and the connection closes');
});

t.test(
  'a readiness probe that arrives while the server closes is 503 SHUTTING_DOWN, not a 500',
  async (t) => {
    const response = await getWhileClosing(t, '/readyz');
    // /readyz declares its own 503 body ({ status: 'not-ready', reason }); a problem sent with 503
    // failed that schema and went out as fastify's plain 500 FST_ERR_RESPONSE_SERIALIZATION.
    t.equal(response.statusCode, 503);
    t.equal(problemOf(t, response).code, 'SHUTTING_DOWN');
  },
);

t.test('a method a path does not answer is 405 METHOD_NOT_ALLOWED naming the methods it does', async (t) => {
  const h = await startHarness(t);
  const admin = await h.keyFor('admin', { kind: 'all' });
  const byUrl = new Map<string, Set<string>>();
  for (const route of h.routes) {
    const methods = byUrl.get(route.url) ?? new Set<string>();
    methods.add(route.method);
    byUrl.set(route.url, methods);
  }
  t.ok(byUrl.size >= 40, `${byUrl.size} paths`);
  for (const [url, methods] of byUrl) {
    const concrete = url.replace(/:[A-Za-z]+/g, 'x1').replace(/\*$/, 'page');
    for (const method of ['PUT', 'DELETE', 'PATCH', 'GET', 'POST'] as const) {
      if (methods.has(method)) continue;
      const response = await h.app.inject({ method, url: concrete, headers: { authorization: admin } });
      const name = `${method} ${url}`;
      // Another pattern may answer the concrete path with this method (`/v1/x/:id` and `/v1/x/new`).
      if (response.statusCode !== 405) {
        t.notMatch(response.body, /no route /, `${name}: another route answered it`);
        continue;
      }
      t.equal(problemOf(t, response).code, 'METHOD_NOT_ALLOWED', name);
      const allow = String(response.headers.allow).split(', ');
      for (const allowed of methods) t.ok(allow.includes(allowed), `${name}: Allow names ${allowed}`);
      t.notOk(allow.includes(method), `${name}: Allow leaves out ${method}`);
    }
  }
  const put = await h.app.inject({ method: 'PUT', url: '/v1/volunteers/?x=1' });
  t.equal(put.statusCode, 405, 'a trailing slash and a query still find the path');
  t.match(problemOf(t, put).detail, /\/v1\/volunteers\/ does not answer PUT/);
  const unknown = await h.app.inject({ method: 'PUT', url: '/v1/no-such-thing' });
  t.equal(unknown.statusCode, 404, 'a path no route has is still 404');
  t.equal(problemOf(t, unknown).code, 'NOT_FOUND');
  t.equal(unknown.headers.allow, undefined);
  const deeper = await h.app.inject({ method: 'GET', url: '/v1/volunteers/x1/service-records/x2/x3' });
  t.equal(deeper.statusCode, 404, 'a parameter matches one segment, not several');
});
