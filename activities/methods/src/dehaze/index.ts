// AECR-Net dehazing (arXiv 2104.09367): architecture, synthetic haze, loss, training, metrics.
export * from './aecr';
export * from './haze';
export * from './loss';
export * from './metrics';
export * from './train';
