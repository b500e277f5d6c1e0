// A child process for the hostile-feed test (tests/unit/data-update/hostile-feed.test.ts): one
// routing data update against the URL given, with the bundled table as the table in use, then
// one JSON line with the outcome and what the process cost (peak RSS, CPU). A process of its
// own, so the peak is the update's and not the test runner's.
import { readFileSync } from 'node:fs';
import { fetchRoutingUpdate } from '../../../lib/data-update';
import { decodeTable } from '../../../lib/prefix-table';
import { nodeTableCodec } from '../../../lib/prefix-table/node-codec';
import { DEFAULT_WATCHLIST } from '../../../lib/watchlist/defaults';

const [source, tablePath] = process.argv.slice(2) as [string, string];
const current = await decodeTable(new Uint8Array(readFileSync(tablePath)), nodeTableCodec);
const cpuBefore = process.cpuUsage();
const outcome = await fetchRoutingUpdate({
  fetch: (url, init) => fetch(url, init),
  sources: [source],
  current,
  carrierGroups: DEFAULT_WATCHLIST.groups.filter((g) => g.builtin),
  codec: nodeTableCodec,
  now: Date.now,
});
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(
  JSON.stringify({
    kind: outcome.kind,
    reason: outcome.kind === 'refused' ? outcome.reason : undefined,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    cpuMs: (cpu.user + cpu.system) / 1000,
  }) + '\n',
);
