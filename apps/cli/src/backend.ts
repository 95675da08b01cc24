/** The tensor backend a worker on this machine would pick (for `reprolab doctor`). */
export async function describeBackend(): Promise<string> {
  const tf = await import('@tensorflow/tfjs');
  await tf.ready();
  return `${tf.getBackend()} (tfjs ${tf.version.tfjs})`;
}
