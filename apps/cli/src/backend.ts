/** The tensor backend a worker on this machine would pick (for `reprolab doctor`). */
export async function describeBackend(): Promise<string> {
  const { selectBackend, describeBackend: describe } = await import('@reprolab/methods/backend/index');
  const lines: string[] = [];
  const info = await selectBackend({ warn: (l) => lines.push(l) });
  return [describe(info), ...lines.map((l) => `  skipped: ${l}`)].join('\n');
}
