// Finding the math in generated Markdown the way a Markdown+KaTeX renderer does: display
// blocks between `$$` lines, inline `$…$` outside code spans, `\$` as a literal dollar, and
// `\|` in table rows as a pipe.
import katex from 'katex';

export interface MathPiece {
  tex: string;
  display: boolean;
  line: number;
}

export function mathPieces(md: string): MathPiece[] {
  const out: MathPiece[] = [];
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() === '$$') {
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && lines[i]!.trim() !== '$$'; i++) body.push(lines[i]!);
      if (i >= lines.length) throw new Error(`unclosed $$ block at line ${start + 1}`);
      out.push({ tex: body.join('\n'), display: true, line: start + 1 });
      continue;
    }
    let line = lines[i]!;
    if (line.startsWith('|')) line = line.replace(/\\\|/g, '|');
    // drop code spans (any fence length)
    line = line.replace(/(`+)[\s\S]*?\1/g, '');
    let cur: string | null = null;
    for (let k = 0; k < line.length; k++) {
      const c = line[k]!;
      if (c === '\\') {
        if (cur !== null) cur += c + (line[k + 1] ?? '');
        k++;
        continue;
      }
      if (c === '$') {
        if (cur === null) cur = '';
        else {
          out.push({ tex: cur, display: false, line: i + 1 });
          cur = null;
        }
        continue;
      }
      if (cur !== null) cur += c;
    }
    if (cur !== null) throw new Error(`unclosed $ on line ${i + 1}: ${lines[i]}`);
  }
  return out;
}

/** KaTeX errors of every math piece (throwOnError, strict), as "line: message". */
export function katexErrors(md: string): string[] {
  const errors: string[] = [];
  for (const p of mathPieces(md)) {
    try {
      katex.renderToString(p.tex, { displayMode: p.display, throwOnError: true, strict: 'error' });
    } catch (e) {
      errors.push(`${p.line}: ${(e as Error).message}`);
    }
  }
  return errors;
}
