/**
 * @module serving/serving-tables
 * Row types of the serving tables (migration 0012). They are kept beside the capability rather
 * than in the shared schema file; {@link servingDb} views the metadata store with them added.
 */
import type { Kysely } from 'kysely';
import type { Database, Db, Tx } from '../platform/db/index.js';

export interface EndpointsTable {
  id: string;
  project_id: string;
  name: string;
  /** 'InService' | 'Deleted' */
  status: string;
  config_version: number;
  created_by: string;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface EndpointConfigsTable {
  endpoint_id: string;
  version: number;
  /** JSON: {@link EndpointConfigSpec}. */
  spec: string;
  reason: string | null;
  created_by: string;
  created_at: string;
}

export interface MonitoringSchedulesTable {
  id: string;
  project_id: string;
  name: string;
  endpoint_id: string;
  /** 'data-quality' | 'model-quality' */
  kind: string;
  cron: string;
  timezone: string;
  /** JSON: baseline, window, thresholds. */
  spec: string;
  /** 'Scheduled' | 'Stopped' */
  status: string;
  /** Epoch milliseconds. */
  next_run_at: number | null;
  last_run_at: number | null;
  created_by: string;
  created_at: string;
  deleted_at: string | null;
}

export interface MonitoringExecutionsTable {
  id: string;
  schedule_id: string;
  job_id: string | null;
  scheduled_for: number;
  /** 'Pending' | 'Completed' | 'CompletedWithViolations' | 'Failed' */
  status: string;
  window_from: string;
  window_to: string;
  violations: number | null;
  /** JSON: the execution's report summary (artifact ids, statistics). */
  report: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface ServingLeasesTable {
  name: string;
  owner: string;
  expires_at: number;
}

export interface ReviewTasksTable {
  id: string;
  project_id: string;
  endpoint_id: string;
  config_version: number;
  event_id: string;
  request_id: string;
  reason: string;
  /** JSON: the input row, score and reason codes the reviewer sees. */
  payload: string;
  /** 'Pending' | 'Decided' */
  status: string;
  decision: string | null;
  label: string | null;
  note: string | null;
  reviewer: string | null;
  created_at: string;
  decided_at: string | null;
}

export interface ServingDatabase extends Database {
  endpoints: EndpointsTable;
  endpoint_configs: EndpointConfigsTable;
  monitoring_schedules: MonitoringSchedulesTable;
  monitoring_executions: MonitoringExecutionsTable;
  serving_leases: ServingLeasesTable;
  review_tasks: ReviewTasksTable;
}

/** The metadata store typed with the serving tables. */
export function servingDb(db: Db | Tx): Kysely<ServingDatabase> {
  return ('kysely' in db ? db.kysely : db) as unknown as Kysely<ServingDatabase>;
}
