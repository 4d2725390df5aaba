/**
 * `pnpm ledger backup` and `pnpm ledger restore`: the opener does the copying; this prints the
 * progress and the report, and after a restore runs `verify` on the restored ledger.
 */
import {
  backupDataDir,
  openLedger,
  keyStoreErasureHook,
  restoreDataDir,
  type ErasureHook,
} from '@timebank/ledger-opener';
import { verifyLedger } from '@timebank/projections';
import type { Command } from './args.js';
import { MIGRATION_ON_STDERR } from './schema-logger.js';

type BackupCommand = Extract<Command, { name: 'backup' }>;
type RestoreCommand = Extract<Command, { name: 'restore' }>;

/**
 * What re-applies recorded erasures to a restored data directory: destroys the data key and the
 * duplicate-index entries in the restored key store.
 */
const erasureHook: ErasureHook = keyStoreErasureHook;

const json = (value: unknown): string =>
  JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item), 2);

const progressLine =
  (label: string, quiet: boolean) =>
  (line: string): void => {
    if (!quiet) process.stderr.write(`${label}: ${line}\n`);
  };

/** Said even with --quiet: the command removed something it was not asked to. */
const noticeLine =
  (label: string) =>
  (line: string): void => {
    process.stderr.write(`${label}: ${line}\n`);
  };

export async function runBackup(command: BackupCommand): Promise<number> {
  const manifest = await backupDataDir({
    dataDir: command.dataDir,
    out: command.out,
    onProgress: progressLine('backup', command.quiet),
    onNotice: noticeLine('backup'),
  });
  if (command.json) process.stdout.write(json(manifest) + '\n');
  else {
    const bytes = manifest.files.reduce((total, file) => total + file.bytes, 0);
    process.stdout.write(
      `backed up ${manifest.files.length} files (${bytes} bytes) from ${manifest.sourceDataDir} to ${command.out}: ${manifest.files.map((file) => file.name).join(', ')}\n`,
    );
  }
  return 0;
}

/** 0 when the restored ledger verifies, 1 when verify finds problems. */
export async function runRestore(command: RestoreCommand): Promise<number> {
  const progress = progressLine('restore', command.quiet);
  let report: Awaited<ReturnType<typeof verifyLedger>> | undefined;
  const restored = await restoreDataDir({
    from: command.from,
    dataDir: command.dataDir,
    ...(command.erasureList === undefined ? {} : { erasureList: command.erasureList }),
    erasureHook,
    // Verified in the staging directory: --data-dir only ever holds a ledger that passed.
    check: async (stagingDir) => {
      const backends = await openLedger(
        { engine: 'sqlite', dataDir: stagingDir },
        { mustExist: true, readModelDataDir: stagingDir, ...MIGRATION_ON_STDERR },
      );
      try {
        report = await verifyLedger({ store: backends.store, db: backends.readModels });
      } finally {
        await backends.close();
      }
      return report.ok;
    },
    onProgress: progress,
    onNotice: noticeLine('restore'),
  });
  if (report === undefined) throw new Error('restore finished without running verify');
  if (command.erasureList === undefined) {
    progress(
      'no --erasure-list given: only erasures recorded in the backup itself were re-applied; erasures made after it are not',
    );
  }
  if (command.json) {
    process.stdout.write(
      json({
        dataDir: restored.dataDir,
        restored: restored.placed,
        files: restored.manifest.files,
        reapplied: restored.reapplied,
        verify: report,
      }) + '\n',
    );
  } else {
    for (const finding of report.findings)
      process.stdout.write(`FAIL [${finding.kind}] ${finding.message}\n`);
    process.stdout.write(
      `${restored.placed ? 'restored' : 'did NOT restore'} ${restored.manifest.files.length} files from ${command.from} (backup of ${restored.manifest.createdAt}) into ${restored.dataDir}${restored.placed ? '' : ' (verify failed: nothing was written there)'}; ` +
        `re-applied ${restored.reapplied.length} erasures (${outcomes(restored.reapplied)}); ` +
        `verify ${report.ok ? 'OK' : `FAILED with ${report.findings.length} findings`}: ${report.events} events in ${report.streams} streams\n`,
    );
  }
  return report.ok ? 0 : 1;
}

function outcomes(reapplied: readonly { readonly outcome: string }[]): string {
  const counts = new Map<string, number>();
  for (const { outcome } of reapplied) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  return counts.size === 0 ? 'none' : [...counts].map(([outcome, count]) => `${count} ${outcome}`).join(', ');
}
