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
export {
  BUILTIN_GROUP_IDS,
  DEFAULT_WATCHLIST,
  EXCLUDED_LOOKALIKES,
  builtinGroupId,
  type BuiltinGroupId,
  type ExcludedAsn,
} from './defaults';
export { CARRIER_ASNS_PROVENANCE } from './carrier-asns';
export {
  CARRIER_NAME_PATTERNS,
  LOOKALIKE_NAME_PATTERNS,
  carrierNamesIn,
  likelyCarrierIn,
  type CarrierName,
  type CarrierNamePattern,
  type LookalikeNamePattern,
} from './carrier-names';
export {
  CARRIER_GROUP_IDS,
  SHIPPED_LIST,
  createNameClassifier,
  findUnlistedCarrierNetworks,
  likelyCarrierMatch,
  type NameClassifier,
  type ShippedList,
  type UnlistedCarrierNetwork,
} from './name-match';
