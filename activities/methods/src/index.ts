export * from './data/dataset';
export * from './data/importers';
export * from './models/small';
export * from './train/checkpoint';
export * from './train/classifier';
export * from './util/random';
export * from './gap/index';
export * from './models/resnet';
