import { login } from './actions';

export const dynamic = 'force-dynamic';

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ error?: string; expired?: string }> }) {
  const { error, expired } = await searchParams;
  return (
    <main>
      <h2>Sign in</h2>
      <p>
        Paste an API token. <code>reprolab up</code> writes an admin token to <code>.reprolab/token</code>; create others with{' '}
        <code>reprolab token create --role viewer|operator|admin</code>.
      </p>
      {error ? (
        <p role="alert" style={{ color: '#cf222e' }}>
          That token is not valid (or was revoked).
        </p>
      ) : expired ? (
        <p role="alert">Your session ended; sign in again.</p>
      ) : null}
      <form action={login} style={{ display: 'flex', gap: '.5rem' }}>
        <label>
          API token{' '}
          <input name="token" type="password" autoComplete="off" required size={50} />
        </label>
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}
