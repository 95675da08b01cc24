export * from './stats';
export * from './judge';
export * from './sparse';
