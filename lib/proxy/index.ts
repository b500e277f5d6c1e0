export * from './types';
export { proxyFromProxyInfo } from './proxy-info';
export {
  PROXY_PATTERN,
  canonicalIp,
  emptyPatternState,
  isDetectedProxy,
  recordConnection,
} from './pattern';
export { registrableDomain } from './registrable-domain';
export { proxiesInHar, type HarHostEvidence } from './har-proxies';
export {
  createProxyDetector,
  PROXY_PATTERN_KEY,
  type ConnectionSeen,
  type ProxySessionArea,
  type ProxyDetector,
  type ProxyJudgement,
} from './detector';
