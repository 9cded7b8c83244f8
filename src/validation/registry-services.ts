/**
 * @module validation/registry-services
 * Wires the registry's and the validation workspace's services for one installation (the server's
 * routes and the CLI's in-process transport share it).
 */
import type { App } from '../app/index.js';
import type { RegistryServices } from '../registry/index.js';
import { AuditorQueries, EvidenceService, ModelCards, RegistryService } from '../registry/index.js';
import { ValidationService } from './validation-service.js';

export function createRegistryServices(app: App): Omit<RegistryServices, 'validation'> & { validation: ValidationService } {
  const registry = new RegistryService(app);
  return { registry, evidence: new EvidenceService(app, registry), auditor: new AuditorQueries(app, registry), cards: new ModelCards(app, registry), validation: new ValidationService(app, registry) };
}
