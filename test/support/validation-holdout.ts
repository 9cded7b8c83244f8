/** A holdout for the validation-job tests, shaped like the registry world's training data (test/support/registry-scenario.ts) with an application date. */
import { writeFileSync } from 'node:fs';

/** 240 applications over six months of 2025, drawn like the registry world's training data. */
export function writeHoldout(path: string): void {
  const lines = ['income,utilisation,default,application_date'];
  let s = 7;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  for (let i = 0; i < 240; i++) {
    const income = Math.round(rand() * 100_000);
    const utilisation = Math.round(rand() * 100) / 100;
    const label = utilisation > 0.6 && income < 60_000 ? 1 : rand() < 0.1 ? 1 : 0;
    const month = 1 + Math.floor(i / 40);
    lines.push(`${income},${utilisation},${label},2025-0${month}-${String(1 + (i % 28)).padStart(2, '0')}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}
