/**
 * DNS-over-HTTPS for CarrierFlag: wire format, answer extraction, names policy, resolver choice,
 * client, cache.
 */
export * from './message';
export * from './answer';
export * from './names';
export * from './resolvers';
export * from './cache';
export * from './types';
export {
  base64UrlEncode,
  buildQueryUrl,
  createDohClient,
  DEFAULT_MAX_TTL_SECONDS,
  DEFAULT_MIN_TTL_SECONDS,
  DEFAULT_RESEND_AFTER_MS,
  DEFAULT_RETRY_PAUSE_MS,
  DEFAULT_TIMEOUT_MS,
  MAX_MESSAGE_BYTES,
  type DohClient,
  type DohClientOptions,
  type ResolveOptions,
} from './doh-client';
export * from './resolver-test';
export * from './resolver-clients';
