import type { NextConfig } from 'next';

const config: NextConfig = {
  // Workspace packages ship TypeScript source.
  transpilePackages: ['@reprolab/activities', '@reprolab/api', '@reprolab/db', '@reprolab/methods', '@reprolab/recipes', '@reprolab/workflows'],
  // Native / Node-only clients stay out of the bundle and load at runtime.
  serverExternalPackages: ['@temporalio/client', '@temporalio/core-bridge', 'pg', 'minio', 'pngjs'],
  typescript: { ignoreBuildErrors: false },
  poweredByHeader: false,
};

export default config;
