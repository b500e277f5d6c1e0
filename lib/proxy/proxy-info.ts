/**
 * Firefox's webRequest reports the proxy a request went through as `details.proxyInfo`
 * (https://developer.mozilla.org/docs/Mozilla/Add-ons/WebExtensions/API/webRequest/onResponseStarted):
 * `{ host, port, type: 'http' | 'https' | 'socks' | 'socks4' | 'direct', … }`, or null when direct.
 * Chromium has no such field; there the repeated-address pattern (./pattern.ts) stands in.
 */
import type { ProxyFact } from './types';

const PROXY_TYPES: ReadonlySet<string> = new Set(['http', 'https', 'socks', 'socks4']);

/**
 * The proxy named by a webRequest `proxyInfo`, or undefined for none, 'direct' or anything
 * unreadable. `connectedIp` (`details.ip`) is preferred as the address: it is what was actually
 * contacted, while `host` may be a name.
 */
export function proxyFromProxyInfo(
  proxyInfo: unknown,
  connectedIp: string | undefined,
): ProxyFact | undefined {
  if (typeof proxyInfo !== 'object' || proxyInfo === null) return undefined;
  const { type, host, port } = proxyInfo as { type?: unknown; host?: unknown; port?: unknown };
  if (typeof type !== 'string' || !PROXY_TYPES.has(type.toLowerCase())) return undefined;
  const named = typeof host === 'string' && host.trim() !== '' ? host.trim() : undefined;
  const address = connectedIp?.trim() || named;
  if (!address) return undefined;
  const fact: ProxyFact = { address, type: type.toLowerCase(), detectedBy: 'proxy-info' };
  if (typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536) {
    fact.port = port;
  }
  return fact;
}
