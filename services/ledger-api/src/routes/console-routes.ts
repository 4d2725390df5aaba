/**
 * The web console (services/console) at `/console`: one page and its hashed assets, served
 * from memory with their cache policy, brotli or gzip when the client accepts it. No key is
 * needed to load the page; everything it shows comes from the `/v1` routes with the user's key.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleAsset, ConsoleAssets } from '@timebank/console';
import { ANY_SCOPE } from '../auth/access.js';
import { ProblemError } from '../http/problem.js';
import type { TypedApp } from './typed-app.js';

export interface ConsoleRouteDependencies {
  readonly assets: ConsoleAssets;
}

/**
 * The page loads only its own script and style and talks only to this origin; it may not be
 * framed (clickjacking of a signed-in desk).
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const PAGE = { access: { roles: 'public', scope: ANY_SCOPE } } as const;

function send(request: FastifyRequest, reply: FastifyReply, asset: ConsoleAsset): Buffer {
  const accepted = request.headers['accept-encoding'] ?? '';
  const encoding = /\bbr\b/.test(accepted) ? 'br' : /\bgzip\b/.test(accepted) ? 'gzip' : null;
  void reply
    .header('content-type', asset.contentType)
    .header('cache-control', asset.cacheControl)
    .header('vary', 'accept-encoding')
    .header('x-content-type-options', 'nosniff');
  if (asset.contentType.startsWith('text/html'))
    void reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  if (encoding === null) return asset.body;
  void reply.header('content-encoding', encoding);
  return encoding === 'br' ? asset.brotli : asset.gzip;
}

export async function consoleRoutes(app: TypedApp, context: ConsoleRouteDependencies): Promise<void> {
  const page = context.assets.get('');
  if (page === undefined) throw new Error('the console bundle has no index.html');
  app.get('/console', { config: PAGE, schema: { hide: true } }, async (request, reply) =>
    send(request, reply, page),
  );
  // The public verification page a certificate's QR code opens (certificate-pdf-route.ts): the
  // same page, whose router reads the number from the path.
  app.get(
    '/console/verify/:certificateNumber',
    { config: PAGE, schema: { hide: true } },
    async (request, reply) => send(request, reply, page),
  );
  app.get('/console/*', { config: PAGE, schema: { hide: true } }, async (request, reply) => {
    const path = (request.params as { '*': string })['*'];
    const asset = context.assets.get(path);
    if (asset === undefined) throw ProblemError.http('NOT_FOUND', `no console file ${path}`);
    return send(request, reply, asset);
  });
}
