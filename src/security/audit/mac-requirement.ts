/**
 * @module security/audit/mac-requirement
 * From which sequence number every entry must carry a MAC, recorded outside the database
 * (`<home>/audit-mac.json`) when an installation first runs with entry MACs: entries written before
 * that have none, and a database-only writer who strips MACs from later entries is caught because
 * this file, not the database, says they must be there. Written once, exclusively; never changed.
 */
import { closeSync, constants, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../../kernel/index.js';

const MacRequirementSchema = z.object({ format: z.literal('attest-audit-mac/1'), requiredFromSeq: z.number().int().positive(), createdAt: z.string() });

/** Reads the requirement, or records `headSeq + 1` when there is none yet (the first run with MACs). */
export function loadMacRequirement(path: string, headSeq: number, now: Date = new Date()): number {
  const body = `${JSON.stringify({ format: 'attest-audit-mac/1', requiredFromSeq: headSeq + 1, createdAt: now.toISOString() })}\n`;
  try {
    const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      writeSync(fd, body);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return headSeq + 1;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  try {
    return MacRequirementSchema.parse(JSON.parse(readFileSync(path, 'utf8'))).requiredFromSeq;
  } catch (error) {
    throw new AppError('AUDIT_CHAIN_BROKEN', { message: `The audit MAC record ${path} is unreadable or malformed`, cause: error });
  }
}
