export * from './constants';
export * from './errors';
export * from './parse-json';
export * from './specs';
export * from './chat';
export * from './node-api';
export * from './public-api';
export * from './openai';
