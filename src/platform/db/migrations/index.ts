/**
 * The ordered list of migrations. Forward-only: append, never reorder or edit.
 */
import type { Kysely } from 'kysely';
import * as m0001 from './0001-secure-core.js';
import * as m0002 from './0002-identity.js';
import * as m0003 from './0003-tracking.js';
import * as m0004 from './0004-datasets.js';
import * as m0005 from './0005-audit-trust.js';
import * as m0009 from './0009-jobs.js';
import * as m0006 from './0006-job-queues.js';
import * as m0010 from './0010-pipelines.js';
import * as m0011 from './0011-registry.js';
import * as m0012 from './0012-serving.js';
import * as m0013 from './0013-mlflow-interop.js';
import * as m0014 from './0014-mlflow-registry.js';

export interface Migration {
  readonly name: string;
  // biome-ignore lint/suspicious/noExplicitAny: migrations run against Kysely<any>.
  up(db: Kysely<any>): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  { name: '0001-secure-core', up: m0001.up },
  { name: '0002-identity', up: m0002.up },
  { name: '0003-tracking', up: m0003.up },
  { name: '0004-datasets', up: m0004.up },
  { name: '0005-audit-trust', up: m0005.up },
  { name: '0009-jobs', up: m0009.up },
  { name: '0006-job-queues', up: m0006.up },
  { name: '0010-pipelines', up: m0010.up },
  { name: '0011-registry', up: m0011.up },
  { name: '0012-serving', up: m0012.up },
  { name: '0013-mlflow-interop', up: m0013.up },
  { name: '0014-mlflow-registry', up: m0014.up },
];
