/**
 * @module server/routes/schemas
 * Request and response schemas shared by several route groups.
 */
import { z } from 'zod';
import { Name } from '../../security/identity-store/index.js';

export const NameParams = z.object({ name: Name });
export const ProjectName = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'a project name: lower case letters, digits and hyphens');
export const ProjectParams = z.object({ project: ProjectName });
export const Ok = z.object({ ok: z.literal(true) });
export const PolicyRef = z.object({ policy: Name });
