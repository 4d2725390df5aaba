/**
 * The relay's checkpoint is the shared file checkpoint store of the ledger opener (the API's
 * reactor keeps its own the same way); named here so the relay's modules import it locally.
 */
export { createFileCheckpointStore, type CheckpointStore } from '@timebank/ledger-opener';
