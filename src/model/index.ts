export * from './errors.js';
export type * from './feed.js';
export type * from './fetch.js';
export type * from './settings.js';
export type * from './stored.js';
export type * from './subscription.js';
