export * from './csv.js';
export * from './export-records.js';
export * from './import-records.js';
// The CLI imports no domain module at run time; it needs the defaults for the export's month.
export {
  DEFAULT_LEDGER_RULES,
  INTERCHANGE_COLUMNS,
  INTERCHANGE_FORMAT,
  INTERCHANGE_VERSION,
  rowsOfJson,
} from '@timebank/domain';
