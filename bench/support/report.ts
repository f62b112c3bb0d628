import type { LatencySummary } from './statistics';

const LABEL_WIDTH = 34;

/** `12,345` style, so rates of very different size line up and read at a glance. */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function formatMilliseconds(value: number): string {
  return `${value.toFixed(2)} ms`;
}

export function printRate(label: string, perSecond: number, detail = ''): void {
  const rate = `${formatCount(perSecond)}/s`.padStart(12);
  console.log(`${label.padEnd(LABEL_WIDTH)} ${rate}${detail ? `  ${detail}` : ''}`);
}

export function printLatency(label: string, summary: LatencySummary): void {
  const column = (name: string, value: number) => `${name}=${value.toFixed(2).padStart(8)} ms`;
  console.log(
    `${label.padEnd(LABEL_WIDTH)} n=${String(summary.count).padStart(6)}  ${column('p50', summary.p50)}  ${column('p90', summary.p90)}  ${column('p99', summary.p99)}  max=${summary.max.toFixed(2)} ms`,
  );
}

/** One goal line: what was asked, what was measured, met or not. Returns whether it was met. */
export function printGoal(description: string, met: boolean): boolean {
  console.log(`goal: ${description} → ${met ? 'met' : 'NOT met'}`);
  return met;
}

export function printRatio(description: string, ratio: number): void {
  console.log(`ratio: ${description} = ${ratio.toFixed(2)}×`);
}

export function printHeading(text: string): void {
  console.log(`\n== ${text}`);
}
