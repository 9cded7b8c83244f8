/**
 * @module security/audit/config-history
 * Config history (the AWS Config part): every change to keys, users, roles, policies and settings
 * kept with its before and after state, written in the same transaction as its audit entry.
 */
import { newId } from '../../kernel/index.js';
import type { Db, Tx } from '../../platform/db/index.js';

export interface ConfigChange {
  resourceType: string;
  resourceId: string;
  change: string;
  before: unknown;
  after: unknown;
}

export interface ConfigChangeRecord extends ConfigChange {
  id: string;
  time: string;
  principal: string;
  auditSeq: number;
}

export async function recordConfigChange(tx: Tx, principal: string, auditSeq: number, time: string, change: ConfigChange): Promise<void> {
  await tx
    .insertInto('config_changes')
    .values({
      id: newId('cfg'),
      time,
      principal,
      resource_type: change.resourceType,
      resource_id: change.resourceId,
      change: change.change,
      before: change.before === undefined || change.before === null ? null : JSON.stringify(change.before),
      after: change.after === undefined || change.after === null ? null : JSON.stringify(change.after),
      audit_seq: auditSeq,
    })
    .execute();
}

export async function listConfigChanges(db: Db, filter: { resourceType?: string; resourceId?: string } = {}): Promise<ConfigChangeRecord[]> {
  let q = db.kysely.selectFrom('config_changes').selectAll().orderBy('audit_seq', 'asc');
  if (filter.resourceType) q = q.where('resource_type', '=', filter.resourceType);
  if (filter.resourceId) q = q.where('resource_id', '=', filter.resourceId);
  return (await q.execute()).map((r) => ({
    id: r.id,
    time: r.time,
    principal: r.principal,
    resourceType: r.resource_type,
    resourceId: r.resource_id,
    change: r.change,
    before: r.before === null ? null : JSON.parse(r.before),
    after: r.after === null ? null : JSON.parse(r.after),
    auditSeq: Number(r.audit_seq),
  }));
}
