export * from './outer/conjugate-gradient';
export { treeToVector, vectorToTree } from './outer/tree-vector';
export * from './outer/trpo';
export * from './policies/categorical-mlp';
export * from './policies/gaussian-mlp';
export * from './policies/mlp';
export * from './policies/policy';
export * from './policies/tabular-softmax';
