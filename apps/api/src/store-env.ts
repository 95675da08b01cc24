/** The object store settings every process reads (S3_*), with the embedded stack's defaults. No client here: light enough for the dashboard's request guard to import. */
import type { ObjectStoreConfig } from '@reprolab/activities/storage/object-store';

export function objectStoreFromEnv(env: Record<string, string | undefined>): ObjectStoreConfig {
  return {
    endpoint: env.S3_ENDPOINT ?? 'http://127.0.0.1:9000',
    accessKey: env.S3_ACCESS_KEY ?? 'reprolab',
    secretKey: env.S3_SECRET_KEY ?? 'reprolab-secret',
    bucket: env.S3_BUCKET ?? 'reprolab',
    region: env.S3_REGION,
    publicEndpoint: env.S3_PUBLIC_ENDPOINT || undefined,
  };
}
