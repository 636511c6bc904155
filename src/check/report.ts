// The check report: text (terminal), md (for returning to the student), json (DESIGN §8).
import { show, type Num } from '../numeric/index.js';
import type { Judged, Tolerance } from './judge.js';

export type ReportFormat = 'text' | 'md' | 'json';

export interface Summary {
  right: number;
  wrong: number;
  ecf: number;
  unanswered: number;
  answered: number;
  score: number;
  /** the number of answered entries */
  max: number;
  ecfCredit: number;
}

export function summarize(entries: Judged[], ecfCredit: number): Summary {
  const count = (v: Judged['verdict']) => entries.filter((e) => e.verdict === v).length;
  const right = count('right');
  const ecf = count('ecf');
  const answered = entries.length - count('unanswered');
  // avoid binary noise such as 3.3000000000000003
  const score = Math.round((right + ecfCredit * ecf) * 1e9) / 1e9;
  return { right, wrong: count('wrong'), ecf, unanswered: count('unanswered'), answered, score, max: answered, ecfCredit };
}

/** A precise value for the JSON report: 8 decimals (more if the student gave more), cut with `…` when not the whole value. */
export function preciseText(x: Num, places: number | null): string {
  const dp = Math.max(8, (places ?? 0) + 2);
  const v = x.v;
  if (x.exact && !x.rounded && v.decimalPlaces() <= dp) return v.isZero() ? '0' : v.toFixed();
  if (!v.isZero() && v.abs().lt(1e-4)) return v.toSignificantDigits(8, 1).toExponential() + '…';
  const t = v.toFixed(dp, 1);
  return (/^-0(\.0*)?$/.test(t) ? t.slice(1) : t) + '…';
}

/** Decimals to show an expected value with: the student's own, at least `--decimals` in that mode. */
function placesFor(e: Judged, tol: Tolerance): number {
  const p = e.answer?.places ?? null;
  if (tol.kind === 'decimals') return Math.max(p ?? tol.decimals, tol.decimals);
  return p ?? 4;
}

const shown = (x: Num, dp: number) => show({ v: x.v, exact: x.exact }, dp).text;

function diffText(e: Judged): string {
  if (!e.answer) return '';
  const d = e.answer.given.v.minus(e.expected.v);
  if (d.isZero()) return '0';
  const s = d.toSignificantDigits(2, 4);
  const abs = s.abs();
  const text = abs.gte(1e-6) ? abs.toFixed() : abs.toExponential();
  return (d.isNeg() ? '−' : '+') + text;
}

export function toleranceText(tol: Tolerance): string {
  if (tol.kind === 'decimals') return `right within ½·10^-${tol.decimals} (${tol.decimals} decimals)`;
  const parts = [tol.abs ? `${tol.abs.v.toString()}` : null, tol.rel ? `${tol.rel.v.toString()}·|expected|` : null].filter(Boolean);
  return `right within ${parts.length > 1 ? `max(${parts.join(', ')})` : parts[0]}`;
}

function summaryLine(s: Summary): string {
  const ecf = s.ecf ? `, ${s.ecf} follow${s.ecf === 1 ? 's' : ''} from an earlier error (ECF, ${s.ecfCredit} each)` : '';
  const un = s.unanswered ? `; ${s.unanswered} not answered` : '';
  return `Score ${s.score} / ${s.max}: ${s.right} right${ecf}, ${s.wrong} wrong${un}.`;
}

const MARK = { right: '✓', wrong: '✗', ecf: 'ECF', unanswered: '·' } as const;

/** With hand arithmetic, the hand-rounded value where it shows differently. */
function handNote(e: Judged, dp: number): string {
  if (!e.handExpected) return '';
  const h = show(e.handExpected, dp).text;
  return h === shown(e.expected, dp) ? '' : ` (by hand ${h})`;
}

export function renderText(entries: Judged[], s: Summary, tol: Tolerance, title: string): string {
  const rows = entries.filter((e) => e.verdict !== 'unanswered');
  const cells = rows.map((e) => {
    const dp = placesFor(e, tol);
    const note = e.verdict === 'ecf' && e.followed ? `ECF: ${shown(e.followed, dp)} from your earlier values (follows from ${e.firstError})` : '';
    return { e, mark: MARK[e.verdict], given: e.answer!.text, expected: shown(e.expected, dp) + handNote(e, dp), diff: diffText(e), note };
  });
  const w = (f: (c: (typeof cells)[number]) => string) => Math.max(0, ...cells.map((c) => f(c).length));
  const [idW, gW, eW, dW] = [w((c) => c.e.key), w((c) => c.given), w((c) => c.expected), w((c) => c.diff)];
  const lines = [`${title} — ${toleranceText(tol)}`];
  for (const c of cells) {
    lines.push(`${c.mark.padEnd(3)} ${c.e.key.padEnd(idW)}  ${c.given.padStart(gW)}  expected ${c.expected.padEnd(eW)}  diff ${c.diff.padEnd(dW)}  ${c.note}`.trimEnd());
  }
  const missing = entries.filter((e) => e.verdict === 'unanswered').map((e) => e.key);
  if (missing.length) lines.push(`not answered: ${missing.join(', ')}`);
  lines.push(summaryLine(s));
  return lines.join('\n') + '\n';
}

export function renderMarkdown(entries: Judged[], s: Summary, tol: Tolerance, title: string): string {
  const cell = (t: string) => t.replace(/\|/g, '\\|');
  const out = [
    `# Checked answers: ${cell(title)}`,
    '',
    `${summaryLine(s)} Answers are ${toleranceText(tol)}.`,
    '',
    '| | quantity | your answer | expected | difference | note |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const e of entries) {
    const dp = placesFor(e, tol);
    const note =
      e.verdict === 'ecf'
        ? `follows from your earlier error in \`${e.firstError}\`: from your own values this is ${shown(e.followed!, dp)}`
        : e.verdict === 'wrong'
          ? 'wrong'
          : e.verdict === 'unanswered'
            ? 'not answered'
            : '';
    const mark = e.verdict === 'unanswered' ? '' : MARK[e.verdict];
    out.push(`| ${mark} | \`${e.key}\` | ${e.answer ? e.answer.text : ''} | ${shown(e.expected, dp)}${handNote(e, dp)} | ${diffText(e)} | ${note} |`);
  }
  out.push('', '✓ right · ✗ wrong · ECF: wrong, but right given your own earlier values (error carried forward).', '');
  return out.join('\n');
}

export function renderJson(entries: Judged[], s: Summary): string {
  const report = {
    score: s.score,
    max: s.max,
    entries: entries.map((e) => ({
      id: e.key,
      given: e.answer ? e.answer.text : null,
      expected: preciseText(e.expected, e.answer?.places ?? null),
      verdict: e.verdict,
      first_error: e.firstError,
    })),
  };
  return JSON.stringify(report, null, 1) + '\n';
}
