/** Runs once when the server starts: the off-loopback check (see start-check.ts). */
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') await (await import('./start-check')).checkExposure();
}
