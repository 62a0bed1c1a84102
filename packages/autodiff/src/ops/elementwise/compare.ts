import type { TensorLike } from '../../creation';
import type { Tensor } from '../../tensor';
import { comparison, constantKernel } from './define';

/** Comparisons and sign: 0/1 (or ±1) tensors that are constants for differentiation. */
export const equal = comparison('equal', '(x === y ? 1 : 0)');
export const notEqual = comparison('notEqual', '(x !== y ? 1 : 0)');
export const greater = comparison('greater', '(x > y ? 1 : 0)');
export const greaterEqual = comparison('greaterEqual', '(x >= y ? 1 : 0)');
export const less = comparison('less', '(x < y ? 1 : 0)');
export const lessEqual = comparison('lessEqual', '(x <= y ? 1 : 0)');
const signKernel = constantKernel('sign', 1, '(x > 0 ? 1 : (x < 0 ? -1 : (x === 0 ? 0 : x)))');
/** −1, 0 or 1 (a constant for differentiation). */
export const sign = (x: TensorLike): Tensor => signKernel([x]);
