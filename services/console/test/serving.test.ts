/**
 * The API serves the built console at /console: the page and its hashed assets with their
 * content types, cache policy, compression and CSP, within the first-load budget; an unknown
 * file is a coded 404 problem, and the console is not part of the OpenAPI document.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import t from 'tap';
import { FIRST_LOAD_BUDGET_BYTES, loadConsoleAssets } from '@timebank/console';
import { bundleIsCurrent } from '../src/build/build.js';
import { startHarness } from '../../ledger-api/test/harness.js';

t.test('the page and its assets, cached and compressed, within the budget', async (t) => {
  const h = await startHarness(t);
  const page = await h.app.inject({ method: 'GET', url: '/console' });
  t.equal(page.statusCode, 200);
  t.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  t.equal(page.headers['cache-control'], 'no-cache', 'the page is revalidated: it names the current assets');
  t.match(page.headers['content-security-policy'], /script-src 'self'/);
  t.match(page.headers['content-security-policy'], /frame-ancestors 'none'/);
  t.match(page.body, /<html lang="zh-CN">/, 'Chinese by default');
  t.match(
    page.body,
    /<link rel="icon" href="data:image\/svg\+xml,[^"]+">/,
    'an inline icon: browsers never ask for /favicon.ico, which is not served',
  );
  t.match(page.headers['content-security-policy'], /img-src 'self' data:/, 'the policy allows it');
  const trailing = await h.app.inject({ method: 'GET', url: '/console/' });
  t.equal(trailing.body, page.body, '/console/ is the same page');
  // The page a certificate's QR opens: the same page, with the same policy.
  const verify = await h.app.inject({ method: 'GET', url: '/console/verify/SC2-7KX2-M9QD-0R4T-BN5W-H' });
  t.equal(verify.statusCode, 200);
  t.equal(verify.body, page.body, '/console/verify/<number> is the same page');
  t.match(verify.headers['content-security-policy'], /frame-ancestors 'none'/);

  const assets = [...page.body.matchAll(/(?:src|href)="\/console\/(assets\/[^"]+)"/g)].map(
    (match) => match[1]!,
  );
  t.equal(assets.length, 2, 'one script and one style sheet');
  let firstLoadBytes = 0;
  for (const asset of assets) {
    const plain = await h.app.inject({ method: 'GET', url: `/console/${asset}` });
    t.equal(plain.statusCode, 200, asset);
    t.equal(
      plain.headers['content-type'],
      asset.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
    );
    t.equal(
      plain.headers['cache-control'],
      'public, max-age=31536000, immutable',
      'hashed names are cached for a year',
    );
    t.equal(plain.headers['content-encoding'], undefined, 'identity without accept-encoding');
    t.equal(plain.headers.vary, 'accept-encoding');
    const gzip = await h.app.inject({
      method: 'GET',
      url: `/console/${asset}`,
      headers: { 'accept-encoding': 'gzip, deflate' },
    });
    t.equal(gzip.headers['content-encoding'], 'gzip');
    t.same(gunzipSync(gzip.rawPayload), plain.rawPayload, 'gzip is the same file');
    firstLoadBytes += gzip.rawPayload.length;
    const brotli = await h.app.inject({
      method: 'GET',
      url: `/console/${asset}`,
      headers: { 'accept-encoding': 'gzip, br' },
    });
    t.equal(brotli.headers['content-encoding'], 'br');
    t.same(brotliDecompressSync(brotli.rawPayload), plain.rawPayload, 'brotli is the same file');
  }
  t.ok(
    firstLoadBytes < FIRST_LOAD_BUDGET_BYTES,
    `first load ${firstLoadBytes} bytes gzipped, under the 300 KB budget`,
  );
});

t.test('an unknown file is a coded 404; the console is not in the API document', async (t) => {
  const h = await startHarness(t);
  const missing = await h.app.inject({ method: 'GET', url: '/console/assets/nothing.js' });
  t.equal(missing.statusCode, 404);
  t.equal(missing.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.equal(missing.json<{ code: string }>().code, 'NOT_FOUND');
  const document = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: object }>();
  t.same(
    Object.keys(document.paths).filter((path) => path.startsWith('/console')),
    [],
  );
});

t.test('a missing bundle is built when the API loads it, and kept for the next start', async (t) => {
  const parent = mkdtempSync(join(tmpdir(), 'console-dist-'));
  t.teardown(() => rmSync(parent, { recursive: true, force: true }));
  const directory = join(parent, 'dist');
  t.equal(await bundleIsCurrent(directory), false, 'nothing built yet');
  const assets = await loadConsoleAssets(directory);
  t.ok(assets.get('')?.body.toString().includes('<div id="app">'), 'the page');
  t.equal([...assets.keys()].filter((path) => path.startsWith('assets/')).length, 2, 'its script and style');
  t.equal(await bundleIsCurrent(directory), true, 'installed where the next start finds it');
  t.same(readdirSync(parent), ['dist'], 'no staging directory left behind');
});
