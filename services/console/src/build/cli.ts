/** `pnpm --filter @timebank/console build` (and the package's postinstall): builds dist/ or exits 1. */
import { buildAndInstall } from './install.js';

try {
  const directory = await buildAndInstall();
  process.stdout.write(`console built in ${directory}\n`);
} catch (error) {
  process.stderr.write(`console build failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
