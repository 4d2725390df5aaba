/**
 * The labels of `http_request_duration_seconds`. Every value comes from a closed set, so the
 * number of series is bounded whatever clients send (docs/api.md, Metrics): the method and
 * pattern of a registered route (or `unmatched` for both), and the status class (`2xx` … `5xx`)
 * rather than the status, which alone multiplied the series by every code a route can answer.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
export declare function requestLabels(request: FastifyRequest, reply: FastifyReply): {
    method: string;
    route: string;
    status: string;
};
