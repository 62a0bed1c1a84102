/** ndarray-gemm ships no types: c = alpha·a·b + beta·c over 2-D ndarrays. */
declare module 'ndarray-gemm' {
  import type { NdArray } from 'ndarray';
  export default function gemm(c: NdArray, a: NdArray, b: NdArray, alpha?: number, beta?: number): void;
}
