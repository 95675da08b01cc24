import type { ReactNode } from 'react';
import { cookies } from 'next/headers';
import { SESSION_COOKIE } from '@reprolab/api/exposure';
import { logout } from './login/actions';

export const metadata = { title: 'reprolab', description: 'Reproductions of ML-systems papers, compared with what the papers report' };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const signedIn = (await cookies()).has(SESSION_COOKIE);
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', margin: '2rem auto', maxWidth: 1100, padding: '0 1rem', color: '#1a1a1a' }}>
        <header style={{ display: 'flex', alignItems: 'baseline', gap: '1rem', borderBottom: '1px solid #ddd', marginBottom: '1rem' }}>
          <h1 style={{ margin: '0 0 .5rem' }}>reprolab</h1>
          <span style={{ color: '#666' }}>runs and how close they come to the papers</span>
          <nav style={{ marginLeft: 'auto', display: 'flex', gap: '1rem', alignItems: 'baseline' }}>
            <a href="/">runs</a>
            <a href="/papers">papers</a>
            {signedIn ? (
              <form action={logout}>
                <button type="submit">Sign out</button>
              </form>
            ) : null}
          </nav>
        </header>
        {children}
      </body>
    </html>
  );
}
