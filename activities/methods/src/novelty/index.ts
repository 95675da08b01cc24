/** Method code for one-class novelty detection (arXiv 2106.09958 and its baselines). See README.md. */
export * from './auroc';
export * from './nda';
export * from './nets';
export * from './train';
