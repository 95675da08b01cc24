/** Method code for CSD (contrastive self-distillation, arXiv 2105.11683) and SR metrics. See README.md. */
export * from './arch';
export * from './edsr';
export * from './features';
export * from './layers';
export * from './loss';
export * from './metrics';
export * from './patches';
export * from './resize';
export * from './train';
export * from './dataset';
export * from './infer';
export * from './crops';
export * from './vgg19';
