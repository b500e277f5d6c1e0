import type { TabReport } from '../lib/tab-monitor';

/** The one-line answer at the top of the popup, in words, coloured by verdict. */
export function VerdictBanner({ report }: { report: TabReport }) {
  const { verdict } = report;
  if (!report.final) {
    return (
      <p class="verdict verdict-pending" role="status" data-testid="verdict">
        Checking {report.hostname}…
      </p>
    );
  }
  const names = verdict.groups.map((g) => g.name).join(', ');
  const text: Record<typeof verdict.status, string> = {
    flagged: `Flagged: hosted on ${names}`,
    clean: 'Not on a watched network',
    local: 'Local or private address: not checked',
    unchecked: `Could not be checked${verdict.problem ? `: ${verdict.problem}` : ''}`,
    allowlisted: 'On your allowlist: not checked',
  };
  return (
    <p class={`verdict verdict-${verdict.status}`} role="status" data-testid="verdict">
      {text[verdict.status]}
    </p>
  );
}
