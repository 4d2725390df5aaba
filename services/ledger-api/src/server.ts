// The HTTP API is not built yet (issue #5). Until it is, `pnpm start` says so and fails rather
// than pretending to run a ledger.
console.error('ledger-api: the HTTP server is not implemented yet (see issue #5); nothing was started.');
process.exit(1);
