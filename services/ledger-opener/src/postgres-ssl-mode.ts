/**
 * `sslmode` in POSTGRES_URL as libpq (psql, pg_dump, every other PostgreSQL client) reads it.
 *
 * The pg driver (8.x) takes `prefer`, `require` and `verify-ca` for `verify-full`: it checks the
 * server's certificate against the system's CAs and its host name, and prints a nine-line
 * SECURITY WARNING on stderr at every start. A city's PostgreSQL with a certificate of its own
 * (self-signed, or from a private CA), which `psql "…?sslmode=require"` reaches, stopped the
 * server with `self-signed certificate` (exit 1). The driver applies libpq's meanings when the URL
 * says `uselibpqcompat=true`, which is added here unless the URL already says either way:
 * `require` encrypts without checking the certificate (with `sslrootcert`, `require`
 * checks it against that CA, as `verify-ca` does), `verify-ca` with `sslrootcert` checks it
 * against that CA, `verify-full` also checks the host name, `disable` does not encrypt (`prefer`
 * and `allow`, which fall back, the event store's `driverConnection` negotiates itself). Not for
 * `verify-ca` without `sslrootcert`, which the driver then refuses with a stack trace: that one
 * keeps the driver's meaning (the system's CAs and the host name) and its warning.
 */
export function withLibpqSslModes(url: string): string {
  const queryAt = url.indexOf('?');
  if (queryAt < 0) return url;
  const query = new URLSearchParams(url.slice(queryAt + 1));
  if (!query.has('sslmode') || query.has('uselibpqcompat')) return url;
  if (query.get('sslmode') === 'verify-ca' && !query.has('sslrootcert')) return url;
  return `${url}&uselibpqcompat=true`;
}
