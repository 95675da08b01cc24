import type { ReactNode } from 'react';

export const metadata = { title: 'reprolab', description: 'Reproductions of ML-systems papers, compared with what the papers report' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', margin: '2rem auto', maxWidth: 1100, padding: '0 1rem', color: '#1a1a1a' }}>
        <header style={{ display: 'flex', alignItems: 'baseline', gap: '1rem', borderBottom: '1px solid #ddd', marginBottom: '1rem' }}>
          <h1 style={{ margin: '0 0 .5rem' }}>reprolab</h1>
          <span style={{ color: '#666' }}>runs and how close they come to the papers</span>
          <nav style={{ marginLeft: 'auto', display: 'flex', gap: '1rem' }}>
            <a href="/">runs</a>
            <a href="/papers">papers</a>
          </nav>
        </header>
        {children}
      </body>
    </html>
  );
}
