// Public API of the watchlist: the model, the defaults, validation, editing, matching, import/export.
export * from './model';
export * from './asn';
export {
  checkGroupCode,
  checkGroupName,
  parsePrefixInput,
  validateWatchlist,
  type ValidateWatchlistResult,
} from './validate';
export * from './edit';
export * from './match';
export * from './import-export';
export * from './merge';
export { DEFAULT_WATCHLIST, EXCLUDED_LOOKALIKES, type ExcludedAsn } from './defaults';
export { CARRIER_ASNS_PROVENANCE } from './carrier-asns';
