export * from './tools';
export * from './ports';
export * from './supervisor';
export * from './stack';
