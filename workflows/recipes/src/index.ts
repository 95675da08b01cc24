export * from './schema';
export * from './steps';
export * from './parse';
export * from './form';
