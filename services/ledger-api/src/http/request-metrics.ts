/**
 * `http_request_duration_seconds`, observed when a response has been written. A route's series
 * are the same on every request but for the status class, so each route keeps its own (one per
 * class, made at its first answer of that class) instead of building and keying its labels per
 * request (issue #15); the labels are still `requestLabels`' (`request-labels.ts`). Requests no
 * route matched (404s, router errors) are observed by the app-level hook, labels and all.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Histogram, HistogramSeries } from './metrics.js';
import { requestLabels } from './request-labels.js';

type Hook = (request: FastifyRequest, reply: FastifyReply, done: () => void) => void;

export function registerRequestMetrics(app: FastifyInstance, histogram: Histogram): void {
  const ours = new WeakSet<Hook>();
  app.addHook('onRoute', (route) => {
    // A route of several methods labels each request with its own method: those go the long way.
    const single = typeof route.method === 'string';
    const byClass: (HistogramSeries | undefined)[] = [];
    const onResponse: Hook = (request, reply, done) => {
      const seconds = reply.elapsedTime / 1000;
      if (single) {
        const statusClass = Math.floor(reply.statusCode / 100);
        let series = byClass[statusClass];
        if (series === undefined) {
          series = histogram.series(requestLabels(request, reply));
          byClass[statusClass] = series;
        }
        series.observe(seconds);
      } else {
        histogram.observe(requestLabels(request, reply), seconds);
      }
      done();
    };
    ours.add(onResponse);
    // A HEAD route fastify adds for a GET may come with the GET's hooks: each observes its own.
    const others = [route.onResponse].flat().filter((hook) => hook !== undefined && !ours.has(hook as Hook));
    route.onResponse = [...others, onResponse] as NonNullable<typeof route.onResponse>;
  });
  app.addHook('onResponse', (request, reply, done) => {
    if (request.is404) histogram.observe(requestLabels(request, reply), reply.elapsedTime / 1000);
    done();
  });
}
