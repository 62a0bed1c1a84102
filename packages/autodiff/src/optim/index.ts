export { Adam, type AdamOptions } from './adam';
export type { Optimizer } from './optimizer';
export { Sgd, type SgdOptions } from './sgd';
