// geoip-lite ships no types; only the call the benchmark makes is declared.
declare module 'geoip-lite' {
  interface GeoIpLookup {
    readonly country: string;
    readonly range: readonly [number, number];
  }
  const geoip: { lookup(ip: string): GeoIpLookup | null };
  export default geoip;
}
