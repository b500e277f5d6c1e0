// The worker's CPU profile (CDP Profiler on the service-worker target), reduced to the functions
// with the most self time.

/** The parts of a CDP Profiler.Profile used here. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  }[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  /** The function's name ('(anonymous)' when it has none; '(program)', '(garbage collector)'). */
  name: string;
  /** url:line:column, 1-based, of the function's start; '' for the VM's own entries. */
  location: string;
  ms: number;
  /** Share of the profile's non-idle time, %. */
  percent: number;
}

/**
 * Self time per function (same name and location merged across call paths), biggest first.
 * Sample i lasts until sample i + 1 (timeDeltas[i + 1]), as DevTools counts it. '(idle)' is left
 * out of the list and of the total.
 */
export function topSelfTime(
  profile: CpuProfile,
  count: number,
): { top: SelfTime[]; busyMs: number } {
  const frameOf = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const byFunction = new Map<string, SelfTime>();
  let busyUs = 0;
  for (let i = 0; i < samples.length; i++) {
    const frame = frameOf.get(samples[i]!);
    if (!frame || frame.functionName === '(idle)') continue;
    const us = deltas[i + 1] ?? 0;
    busyUs += us;
    const name = frame.functionName || '(anonymous)';
    const file = frame.url.replace(/^chrome-extension:\/\/[a-p]{32}\//, '');
    const location = file ? `${file}:${frame.lineNumber + 1}:${frame.columnNumber + 1}` : '';
    const key = `${name} ${location}`;
    const entry = byFunction.get(key) ?? { name, location, ms: 0, percent: 0 };
    entry.ms += us / 1000;
    byFunction.set(key, entry);
  }
  const busyMs = busyUs / 1000;
  const top = [...byFunction.values()]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, count)
    .map((e) => ({ ...e, percent: busyMs > 0 ? (100 * e.ms) / busyMs : 0 }));
  return { top, busyMs };
}
