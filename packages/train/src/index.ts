export * from './policies/gaussian-mlp';
export * from './policies/tabular-softmax';
export * from './policies/policy';
