/** Initialises the tensor backend of a compute child and describes it. */
import * as tf from '@tensorflow/tfjs';

export async function initTensorBackend(): Promise<string> {
  await tf.ready();
  return `${tf.getBackend()} (tfjs ${tf.version.tfjs})`;
}
