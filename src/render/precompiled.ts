// The templates of templates/, compiled at build time: `npm run build` (src/build.mjs)
// replaces this module in the bundle with `{ <format>: { <name>: <template spec> } }`.
// From source it is null, and createRenderer compiles templates/ on first use.
import type { TemplateSpec } from './handlebars.js';

export const precompiled: Record<string, Record<string, TemplateSpec>> | null = null;
