export * from './data/dataset';
export * from './data/importers';
export * from './models/small';
export * from './train/checkpoint';
export * from './train/classifier';
export * from './util/random';
