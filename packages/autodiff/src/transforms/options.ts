import { ArgumentError } from '../errors';

/** JAX's snake_case option names and metagrad's spelling of each. */
const JAX_SPELLINGS: Readonly<Record<string, string>> = { has_aux: 'hasAux', on_progress: 'onProgress' };

/**
 * Reject an options object with a key the transform does not know, naming metagrad's spelling
 * when it is a JAX habit (`has_aux`): silently ignoring it would differentiate the wrong thing.
 */
export function checkTransformOptions(where: string, opts: unknown, known: readonly string[]): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts))
    throw new ArgumentError(`${where}: options must be an object like { argnums: 0 }, got ${String(opts)}`);
  for (const key of Object.keys(opts)) {
    if (known.includes(key)) continue;
    const spelled = JAX_SPELLINGS[key];
    throw new ArgumentError(
      spelled && known.includes(spelled)
        ? `${where}: unknown option ${key}; metagrad spells JAX's ${key} as ${spelled}: ${where}(f, { ${spelled}: ... })`
        : `${where}: unknown option ${JSON.stringify(key)}; known options: ${known.join(', ')}`,
    );
  }
}
