export { Adam, type AdamOptions } from './adam';
export type { Optimizer, OptimizerState } from './optimizer';
export { Sgd, type SgdOptions } from './sgd';
