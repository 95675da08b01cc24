/**
 * Content-addressed artifact storage over any S3-compatible store (MinIO by default), through the
 * `minio` client. Objects live at `sha256/<first two hex>/<hex>`: identical bytes are stored once,
 * and since an S3 PUT only becomes visible when complete, a partial upload never appears under
 * its final key.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as Minio from 'minio';

export interface ObjectStoreConfig {
  /** e.g. http://127.0.0.1:9000 or https://s3.example.org */
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region?: string;
  /**
   * The endpoint browsers reach the store at, when it differs from `endpoint` (a store behind a
   * cluster-internal name): download links are signed for it. Signing is offline, so the API need
   * not reach it; without S3_REGION the signature assumes us-east-1.
   */
  publicEndpoint?: string;
}

export interface StoredObject {
  sha256: string; // "sha256:<hex>"
  size: number;
  bucket: string;
  key: string;
  /** false when identical bytes were already stored */
  uploaded: boolean;
}

export function parseEndpoint(endpoint: string): { endPoint: string; port: number; useSSL: boolean } {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`S3_ENDPOINT must be a URL such as http://127.0.0.1:9000, got "${endpoint}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`S3_ENDPOINT must use http or https, got ${url.protocol}`);
  const useSSL = url.protocol === 'https:';
  return { endPoint: url.hostname, port: url.port ? Number(url.port) : useSSL ? 443 : 80, useSSL };
}

export function digestKey(sha256: string): string {
  const hex = stripDigest(sha256);
  return `sha256/${hex.slice(0, 2)}/${hex}`;
}

export function stripDigest(sha256: string): string {
  const hex = sha256.startsWith('sha256:') ? sha256.slice(7) : sha256;
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`not a sha256 digest: "${sha256}"`);
  return hex;
}

export class ArtifactNotFound extends Error {
  constructor(readonly sha256: string, readonly bucket: string) {
    super(`no artifact ${sha256} in bucket ${bucket}`);
    this.name = 'ArtifactNotFound';
  }
}

export class ObjectStore {
  readonly client: Minio.Client;
  readonly bucket: string;
  private bucketReady?: Promise<void>;
  private signer?: Minio.Client;

  constructor(readonly config: ObjectStoreConfig) {
    this.client = new Minio.Client({
      ...parseEndpoint(config.endpoint),
      accessKey: config.accessKey,
      secretKey: config.secretKey,
      region: config.region,
    });
    this.bucket = config.bucket;
  }

  /** Creates the bucket on first use. A failed attempt is forgotten so the next call retries. */
  ensureBucket(): Promise<void> {
    this.bucketReady ??= (async () => {
      if (!(await this.client.bucketExists(this.bucket))) {
        try {
          await this.client.makeBucket(this.bucket, this.config.region ?? '');
        } catch (e) {
          // Another process may have created it between our check and our create.
          if (!(await this.client.bucketExists(this.bucket))) throw e;
        }
      }
    })().catch((e: unknown) => {
      this.bucketReady = undefined;
      throw e;
    });
    return this.bucketReady;
  }

  async exists(sha256: string): Promise<boolean> {
    await this.ensureBucket();
    try {
      await this.client.statObject(this.bucket, digestKey(sha256));
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  async putBytes(bytes: Uint8Array, contentType = 'application/octet-stream'): Promise<StoredObject> {
    const hex = createHash('sha256').update(bytes).digest('hex');
    const sha256 = `sha256:${hex}`;
    const key = digestKey(sha256);
    const base = { sha256, size: bytes.length, bucket: this.bucket, key };
    if (await this.exists(sha256)) return { ...base, uploaded: false };
    await this.client.putObject(this.bucket, key, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), bytes.length, {
      'Content-Type': contentType,
    });
    return { ...base, uploaded: true };
  }

  /**
   * Uploads a file: hashed first (one read pass), then sent straight to its content address.
   * S3 makes an object visible only once its PUT (or multipart upload) completes, so a failed
   * upload leaves nothing under the final key.
   */
  async putFile(path: string): Promise<StoredObject> {
    await this.ensureBucket();
    const hash = createHash('sha256');
    await pipeline(createReadStream(path), hash);
    const sha256 = `sha256:${hash.digest('hex')}`;
    const key = digestKey(sha256);
    const { size } = await stat(path);
    if (await this.exists(sha256)) return { sha256, size, bucket: this.bucket, key, uploaded: false };
    await this.client.putObject(this.bucket, key, createReadStream(path), size);
    return { sha256, size, bucket: this.bucket, key, uploaded: true };
  }

  /** Spools a stream to a local temp file (hashing needs the whole stream first), then putFile. */
  async putStream(source: Readable): Promise<StoredObject> {
    const dir = await mkdtemp(join(tmpdir(), 'reprolab-upload-'));
    try {
      const file = join(dir, 'blob');
      await pipeline(source, createWriteStream(file));
      return await this.putFile(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async getStream(sha256: string): Promise<Readable> {
    await this.ensureBucket();
    try {
      return await this.client.getObject(this.bucket, digestKey(sha256));
    } catch (e) {
      if (isNotFound(e)) throw new ArtifactNotFound(sha256, this.bucket);
      throw e;
    }
  }

  /** Reads a whole object and checks its bytes against the digest it is stored under. */
  async getBytes(sha256: string): Promise<Uint8Array> {
    const bytes = await readAll(await this.getStream(sha256));
    const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (actual !== `sha256:${stripDigest(sha256)}`) throw new Error(`artifact ${sha256} is corrupt in the store (its bytes hash to ${actual})`);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /**
   * A time-limited GET URL for an artifact (plain S3 query-string signing, any S3-compatible
   * store). With `filename`, the response asks the browser to save it under that name.
   */
  async presignedUrl(sha256: string, expirySeconds = 3600, opts: { filename?: string } = {}): Promise<string> {
    if (!(await this.exists(sha256))) throw new ArtifactNotFound(sha256, this.bucket);
    const query = opts.filename ? { 'response-content-disposition': contentDisposition(opts.filename) } : undefined;
    return this.signingClient().presignedGetObject(this.bucket, digestKey(sha256), expirySeconds, query);
  }

  private signingClient(): Minio.Client {
    if (!this.config.publicEndpoint) return this.client;
    this.signer ??= new Minio.Client({
      ...parseEndpoint(this.config.publicEndpoint),
      accessKey: this.config.accessKey,
      secretKey: this.config.secretKey,
      // Known up front, so signing never asks the (maybe unreachable) public endpoint for it.
      region: this.config.region ?? 'us-east-1',
    });
    return this.signer;
  }

  /** Reads any object by bucket/key (used to import data from an s3:// URL). */
  async getExternal(bucket: string, key: string): Promise<Uint8Array> {
    return new Uint8Array(await readAll(await this.client.getObject(bucket, key)));
  }
}

/** `attachment; filename="…"` with an RFC 5987 UTF-8 name beside an ASCII fallback. */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function isNotFound(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === 'NotFound' || code === 'NoSuchKey' || code === 'NoSuchBucket';
}

/** Retries transient storage failures (e.g. a restarting MinIO) with exponential backoff. */
export async function withRetry<T>(what: string, fn: () => Promise<T>, opts: { attempts?: number; baseMs?: number; onRetry?: (msg: string) => void } = {}): Promise<T> {
  const attempts = opts.attempts ?? 4;
  let delay = opts.baseMs ?? 500;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= attempts || e instanceof ArtifactNotFound) throw e;
      opts.onRetry?.(`${what} failed (${(e as Error).message}); retry ${i}/${attempts - 1} in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
    }
  }
}
