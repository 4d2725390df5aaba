/**
 * The key a request presents (src/auth/access.ts `presentedKey`): the usual `Bearer <key>` and
 * every other spelling the header's pattern accepts give the same key; anything else gives none.
 */
import t from 'tap';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { presentedKey } from '../src/auth/access.js';
import { startWorld } from './fixtures.js';
import { problemOf } from './harness.js';

const withHeaders = (headers: Record<string, string>) => ({ headers }) as unknown as FastifyRequest;

t.test('Authorization: Bearer, in every spelling the pattern accepts', async (t) => {
  const cases: [string, string | undefined][] = [
    ['Bearer tbk_abc', 'tbk_abc'],
    ['bearer tbk_abc', 'tbk_abc'],
    ['BEARER tbk_abc', 'tbk_abc'],
    ['Bearer   tbk_abc', 'tbk_abc'],
    ['Bearer\ttbk_abc', 'tbk_abc'],
    ['Bearer tbk_abc  ', 'tbk_abc'],
    ['Bearer tbk_abc\u00a0', 'tbk_abc'],
    ['Bearer tbk_abc extra', undefined],
    ['Bearer ', undefined],
    ['Bearer', undefined],
    ['Bearertbk_abc', undefined],
    [' Bearer tbk_abc', undefined],
    ['Basic dXNlcjpwYXNz', undefined],
    ['', undefined],
  ];
  for (const [header, key] of cases) {
    t.equal(presentedKey(withHeaders({ authorization: header })), key, JSON.stringify(header));
  }
});

t.test('X-Api-Key, when there is no Authorization header', async (t) => {
  t.equal(presentedKey(withHeaders({ 'x-api-key': 'tbk_abc' })), 'tbk_abc');
  t.equal(presentedKey(withHeaders({ authorization: 'Basic x', 'x-api-key': 'tbk_abc' })), undefined);
  t.equal(presentedKey(withHeaders({})), undefined);
});

t.test('Authorization and X-Api-Key naming different keys are refused; the same key passes', async (t) => {
  t.throws(() => presentedKey(withHeaders({ authorization: 'Bearer tbk_abc', 'x-api-key': 'tbk_def' })), {
    code: 'UNAUTHENTICATED',
    status: 401,
  });
  t.equal(presentedKey(withHeaders({ authorization: 'Bearer tbk_abc', 'x-api-key': 'tbk_abc' })), 'tbk_abc');
});

t.test('over HTTP: two different keys are 401 whichever they are, one key in both is served', async (t) => {
  const w = await startWorld(t);
  const bare = (authorization: string) => authorization.slice('Bearer '.length);
  const call = (headers: Record<string, string>) =>
    w.app.inject({ method: 'GET', url: '/v1/audit/balances', headers });

  // Both keys valid, one may call the route and one may not: neither header silently wins.
  for (const [authorization, apiKey] of [
    [w.auditor, bare(w.desk)],
    [w.desk, bare(w.auditor)],
    [w.auditor, 'tbk_unknown'],
  ] as const) {
    const response = await call({ authorization, 'x-api-key': apiKey });
    t.equal(response.statusCode, 401, response.body);
    const problem = problemOf(t, response);
    t.equal(problem.code, 'UNAUTHENTICATED');
    t.equal(problem.detail, 'Authorization and X-Api-Key name different keys; send the key in one of them');
  }
  const same = await call({ authorization: w.auditor, 'x-api-key': bare(w.auditor) });
  t.equal(same.statusCode, 200, same.body);
  t.equal((await call({ 'x-api-key': bare(w.auditor) })).statusCode, 200, 'X-Api-Key alone');

  // A public route needs no key, so conflicting headers read as none there.
  const verification = await w.app.inject({
    method: 'GET',
    url: '/v1/certificates/NOPE/verification',
    headers: { authorization: w.auditor, 'x-api-key': bare(w.desk) },
  });
  t.not(verification.statusCode, 401, verification.body);
});

/** One raw HTTP/1.1 request over a socket, so that a header can be sent twice as written. */
function rawRequest(port: number, lines: readonly string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write([...lines, 'Host: 127.0.0.1', 'Connection: close', '', ''].join('\r\n')),
    );
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('error', reject);
    socket.on('end', () =>
      resolve({ status: Number(text.split(' ')[1]), body: text.slice(text.indexOf('\r\n\r\n') + 4) }),
    );
  });
}

t.test('over real HTTP: two Authorization headers that differ are 401, not the first silently', async (t) => {
  const w = await startWorld(t);
  await w.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = w.app.server.address() as AddressInfo;
  // The first key may read the audit balances, the second may not, and the other way round.
  for (const [first, second] of [
    [w.auditor, w.desk],
    [w.desk, w.auditor],
  ] as const) {
    const answer = await rawRequest(port, [
      'GET /v1/audit/balances HTTP/1.1',
      `Authorization: ${first}`,
      `Authorization: ${second}`,
    ]);
    t.equal(answer.status, 401, answer.body);
    t.match(answer.body, /two Authorization headers that differ/);
  }
  const repeated = await rawRequest(port, [
    'GET /v1/audit/balances HTTP/1.1',
    `Authorization: ${w.auditor}`,
    `Authorization: ${w.auditor}`,
  ]);
  t.equal(repeated.status, 200, 'the same key twice is served');
  const one = await rawRequest(port, ['GET /v1/audit/balances HTTP/1.1', `Authorization: ${w.auditor}`]);
  t.equal(one.status, 200, one.body);
});
