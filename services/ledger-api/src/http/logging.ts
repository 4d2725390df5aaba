/**
 * pino, configured so that personal data cannot reach the log by accident. Request bodies are
 * never logged (fastify's request serializer logs method, url and address only); the redaction
 * list below is a second line of defence for anything a handler or a library might log anyway:
 * the API key header, national ID numbers, phone numbers, volunteers' names, birth dates and guardians.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'nationalIdNumber',
  '*.nationalIdNumber',
  'phone',
  '*.phone',
  'name',
  'body',
  '*.body',
  'volunteer.name',
  'command.name',
  // A minor's guardian and the birth date from the ID number: personal data too.
  'guardian',
  '*.guardian',
  'birthDate',
  '*.birthDate',
];

/** A logger for the API. `destination` lets tests capture lines; default is stdout. */
export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      base: { service: 'ledger-api' },
    },
    options.destination ?? pino.destination(1),
  );
}
