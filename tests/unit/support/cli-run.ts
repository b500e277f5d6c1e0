// Runs the command in-process with the real table loading and file reading, capturing what it
// prints: the CLI tests' one way to call `runCli`, with whatever a test needs on top.
import { loadTable, readTextFile } from '../../../lib/cli/main';
import { runCli, type CliIo } from '../../../lib/cli/run';

export async function runCaptured(
  args: string[],
  io: Partial<CliIo> & Pick<CliIo, 'defaultTablePath'>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdinLines: async function* () {},
    fetch: globalThis.fetch,
    loadTable,
    readTextFile,
    ...io,
  });
  return { code, stdout, stderr };
}
