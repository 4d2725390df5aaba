/**
 * The baseline of the `api-http` benchmark: plain fastify with no plugins, one write-shaped route
 * (parses a JSON body, answers 201 with a small JSON body) and one read-shaped route (answers a
 * small JSON body). It runs as its own process exactly like the ledger server, so the ratio shows
 * what the ledger adds on top of HTTP parsing and serialisation on this machine.
 *
 *   node --import tsx scripts/bench/api-http-plain-server.ts   (prints "listening on <url>")
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
let position = 0;

app.post('/plain/:volunteerId/service-records', async (request, reply) => {
  const body = request.body as { activity?: unknown };
  position += 1;
  return reply.code(201).send({
    recordId: `r${position}`,
    durationMinutes: typeof body.activity === 'string' ? 1 : 0,
    position: String(position),
  });
});

app.get('/plain/:partnerId/volunteers/:volunteerId/redeemable-points', async (request) => {
  const { volunteerId } = request.params as { volunteerId: string };
  return { volunteerId, redeemableCentipoints: 100 };
});

const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`listening on ${address}\n`);
const stop = (): void => void app.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
