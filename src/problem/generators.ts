// The generators of a handout spec ({random: …}, {choice: [...]}, {pick: N, from: [...]}),
// told apart from data by one rule, used where a spec is resolved (src/handout/spec.ts) and
// where a spec given to solve or check is refused (src/problem/validate.ts).

export type GeneratorKind = 'random' | 'choice' | 'pick';

/**
 * The generator a mapping is, or null. `holds(key)` says what the mapping holds under a
 * key: 'list', 'other', or undefined when the key is absent. `path` is where the mapping
 * stands: in `embeddings` the keys are tokens, and a token may be called "choice" or "pick"
 * (but its value is a list, so a token called "random" is told apart by its value).
 */
export function generatorKind(holds: (key: string) => 'list' | 'other' | undefined, path: string): GeneratorKind | null {
  const random = holds('random');
  if (random && random !== 'list') return 'random';
  if (path === 'embeddings') return null;
  if (holds('choice') === 'list') return 'choice';
  if (holds('pick')) return 'pick';
  return null;
}
