/**
 * The e2e servers inside a network namespace: run there by netns-servers.ts (through
 * scripts/run-ts.mjs), it starts unbound (DoH, on the namespace's 127.0.0.1) and the web server (on
 * every address of the namespace) exactly as the fixtures start them in the host's own network,
 * prints one JSON line saying where they are, then answers calls, one JSON line each way on
 * stdin/stdout. When stdin ends (the test is done, or its process died) it stops both and exits.
 *
 * argv[2]: the servers' configuration as JSON (NetnsServersConfig).
 */
import { createInterface } from 'node:readline';
import { startUnboundDoh } from './doh-server';
import type { NetnsServerCall, NetnsServersConfig, NetnsServersReply } from './netns-servers';
import { startWebServer } from './web-server';

const config = JSON.parse(process.argv[2] ?? '{}') as NetnsServersConfig;
const send = (reply: NetnsServersReply) => process.stdout.write(`${JSON.stringify(reply)}\n`);

const doh = await startUnboundDoh({
  records: config.records,
  servfailZones: config.servfailZones ?? [],
});
const web = await startWebServer({ listenOn: '0.0.0.0' });

const calls: Record<NetnsServerCall['call'], (args: unknown[]) => unknown> = {
  queries: () => doh.queries(),
  clearQueries: () => doh.clearQueries(),
  setRecords: (args) => doh.setRecords(args[0] as Parameters<typeof doh.setRecords>[0]),
  clearRequests: () => web.clearRequests(),
};

let stopping: Promise<void> | undefined;
const stop = () =>
  (stopping ??= Promise.allSettled([doh.stop(), web.stop()]).then(() => process.exit(0)));

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const { id, call, args } = JSON.parse(line) as NetnsServerCall;
  Promise.resolve()
    .then(() => calls[call](args))
    .then(
      (result) => send({ id, result: result ?? null }),
      (error: unknown) => send({ id, error: String(error) }),
    );
});
lines.on('close', () => void stop());
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop());

send({
  ready: {
    doh: { url: doh.url, port: doh.port, spkiHash: doh.spkiHash, certPem: doh.certPem },
    web: { port: web.port },
  },
});
