/** How CarrierFlag learnt that a connection went through a proxy. */
export type ProxyEvidence = 'proxy-info' | 'repeated-address';

/**
 * A proxy the browser's connection to a site went through. `address` is what the browser reported
 * as the connected address (`details.ip`) when it is known, otherwise the proxy's host as configured.
 */
export interface ProxyFact {
  address: string;
  /** Firefox's proxyInfo names the type and port; the repeated-address pattern cannot. */
  type?: string;
  port?: number;
  detectedBy: ProxyEvidence;
}
