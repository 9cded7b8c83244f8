/**
 * @module lineage/lineage-service
 * Explicit associations (a model version DerivedFrom a dataset, an endpoint AssociatedWith a model)
 * and the two lineage queries. Components record their ContributedTo/Produced edges themselves,
 * in the same transaction as the input or output they log (see tracking).
 */
import { AppError } from '../kernel/index.js';
import type { Db } from '../platform/db/index.js';
import type { Actor, AuditLedger } from '../security/audit/index.js';
import { governed, projectResourceName } from '../security/audit/index.js';
import type { AssociationType, LineageQuery, LineageResult } from './lineage-model.js';
import { nodeProject, recordAssociation, walkLineage } from './lineage-store.js';

export interface LineageServiceDeps {
  db: Db;
  ledger: AuditLedger;
  now?: () => Date;
}

export class LineageService {
  readonly #db: Db;
  readonly #ledger: AuditLedger;
  readonly #now: () => Date;

  constructor(deps: LineageServiceDeps) {
    this.#db = deps.db;
    this.#ledger = deps.ledger;
    this.#now = deps.now ?? (() => new Date());
  }

  /** Records `source —type→ dest`; both nodes must exist in the same project. Idempotent. */
  async associate(actor: Actor, input: { sourceId: string; destId: string; type: AssociationType; projectId: string }): Promise<{ added: boolean }> {
    const [sp, dp] = [await nodeProject(this.#db, input.sourceId), await nodeProject(this.#db, input.destId)];
    if (sp !== input.projectId) throw new AppError('NOT_FOUND', { message: `No lineage node ${input.sourceId} in this project` });
    if (dp !== input.projectId) throw new AppError('NOT_FOUND', { message: `No lineage node ${input.destId} in this project` });
    return governed({ db: this.#db, ledger: this.#ledger }, actor, 'lineage:Associate', await projectResourceName(this.#db, input.projectId, 'lineage', input.sourceId), async (tx) => {
      const added = await recordAssociation(tx, { ...input, principal: actor.principal, time: this.#now().toISOString() });
      return { result: { added }, details: { sourceId: input.sourceId, destId: input.destId, type: input.type, added } };
    });
  }

  /** Everything `id` came from: data, code and the components that produced it. */
  upstream(id: string, query: LineageQuery): Promise<LineageResult> {
    return walkLineage(this.#db, id, 'upstream', query);
  }

  /** Everything that used `id`: components, trials, and the models and reports they produced. */
  downstream(id: string, query: LineageQuery): Promise<LineageResult> {
    return walkLineage(this.#db, id, 'downstream', query);
  }
}
