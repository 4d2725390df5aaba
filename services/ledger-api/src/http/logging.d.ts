/**
 * pino, configured so that personal data cannot reach the log by accident. Request bodies are
 * never logged (fastify's request serializer logs method, url and address only); the redaction
 * list below is a second line of defence for anything a handler or a library might log anyway:
 * the API key header, national ID numbers, phone numbers, volunteers' names, birth dates and guardians.
 */
import { type DestinationStream, type Logger } from 'pino';
export declare const REDACTED_PATHS: readonly string[];
/** A logger for the API. `destination` lets tests capture lines; default is stdout. */
export declare function createLogger(options: {
    level: string;
    destination?: DestinationStream;
}): Logger;
