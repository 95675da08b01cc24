/** Test support: runs a CLI command with console.log/console.error captured. */
export async function captureConsole(run: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const [log, error] = [console.log, console.error];
  let out = '';
  let err = '';
  console.log = (s: string) => void (out += `${s}\n`);
  console.error = (s: string) => void (err += `${s}\n`);
  try {
    return { code: await run(), out, err };
  } finally {
    [console.log, console.error] = [log, error];
  }
}
