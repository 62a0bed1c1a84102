/** `metagrad train` flags of a 2D-navigation run small enough for tests (H 10, 8 hidden units, 3 tasks × 4 episodes). */
export const TINY_NAV = [
  '--env',
  'navigation2d',
  '--env-option',
  'horizon=10',
  '--hidden',
  '8',
  '--meta-batch',
  '3',
  '--fast-batch',
  '4',
];
