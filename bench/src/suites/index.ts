/**
 * Every benchmark suite `run.js` knows. To add one: write `suites/<name>.ts` exporting a
 * `Suite` (see infra/suite.ts) and add it to this list.
 */
import type { Suite } from '../infra/suite';
import { autodiffSuite } from './autodiff';
import { compareSuite } from './compare';
import { envsSuite } from './envs';
import { estimatorsSuite } from './estimators';
import { kernelsSuite } from './kernels';
import { poolSuite } from './pool';
import { sinusoidSuite } from './sinusoid';
import { trainSuite } from './train';

export const suites: Suite[] = [
  kernelsSuite,
  autodiffSuite,
  estimatorsSuite,
  envsSuite,
  trainSuite,
  compareSuite,
  sinusoidSuite,
  poolSuite,
];
