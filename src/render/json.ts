// --format json: {"quantities": {id: value}} with every value at the working precision.
import type { Numeric } from '../numeric/index.js';
import type { Trace, Value } from '../trace/types.js';

export type JsonValue = string | string[] | string[][];

export function jsonValue(n: Numeric, v: Value): JsonValue {
  switch (v.kind) {
    case 'scalar':
      return n.toString(v.x);
    case 'vec':
      return v.x.map((x) => n.toString(x));
    case 'mat':
      return v.x.map((r) => r.map((x) => n.toString(x)));
  }
}

export function renderJson(trace: Trace, n: Numeric): string {
  const quantities: Record<string, JsonValue> = {};
  for (const [id, v] of trace.quantities) quantities[id] = jsonValue(n, v);
  return JSON.stringify({ quantities }, null, 2) + '\n';
}
