/**
 * The key a request presents (src/auth/access.ts `presentedKey`): the usual `Bearer <key>` and
 * every other spelling the header's pattern accepts give the same key; anything else gives none.
 */
import t from 'tap';
import type { FastifyRequest } from 'fastify';
import { presentedKey } from '../src/auth/access.js';

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
