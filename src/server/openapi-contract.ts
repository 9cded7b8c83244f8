/**
 * @module server/openapi-contract
 * Completes each operation of the OpenAPI document so that it is a contract generated clients can
 * rely on: an operationId (derived from method and path where the route names none; the
 * `/projects/{project}` copies of the MLflow routes get an `InProject` suffix and their path
 * parameter), `security` on every operation (none on the public ones), and the `X-Attest-Project`
 * header on the tracking and MLflow routes that take it.
 */
import type { jsonSchemaTransform } from '@fastify/type-provider-zod';

type Transform = typeof jsonSchemaTransform;
type JsonObject = Record<string, unknown>;

const PROJECT_PREFIX = '/projects/:project/';

/** `GET /v1/projects/:project/models` → `getV1ProjectsProjectModels`. */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1));
  return `${method.toLowerCase()}${words.join('')}`;
}

const PROJECT_HEADER = {
  type: 'object',
  properties: {
    'x-attest-project': { type: 'string', description: "The project to work in, by name; default: the token's default project (or the /projects/{project} path prefix)" },
  },
};

export function openApiContract(base: Transform): Transform {
  return (input) => {
    const out = base(input);
    const schema = { ...(out.schema as JsonObject) };
    const url = input.url;
    const method = String(Array.isArray(input.route.method) ? input.route.method[0] : input.route.method);
    const isPublic = ((schema.tags as string[] | undefined) ?? []).includes('public');
    schema.security = isPublic ? [] : [{ bearer: [] }];
    const prefixed = url.startsWith(PROJECT_PREFIX);
    const id = typeof schema.operationId === 'string' ? schema.operationId : operationIdOf(method, url);
    schema.operationId = prefixed ? `${id}InProject` : id;
    if (prefixed) {
      const params = (schema.params as JsonObject | undefined) ?? { type: 'object', properties: {} };
      schema.params = {
        ...params,
        properties: { ...((params.properties as JsonObject | undefined) ?? {}), project: { type: 'string', description: 'The project, by name' } },
        required: [...new Set([...(((params.required as string[] | undefined) ?? []) as string[]), 'project'])],
      };
    } else if (url.startsWith('/api/') && schema.headers === undefined) {
      schema.headers = PROJECT_HEADER;
    }
    // A wildcard route (`…/artifacts/*`) is documented with a named path parameter.
    if (url.endsWith('/*')) {
      const params = (schema.params as JsonObject | undefined) ?? { type: 'object', properties: {} };
      const { '*': wildcard, ...rest } = (params.properties as JsonObject | undefined) ?? {};
      const required = ((params.required as string[] | undefined) ?? []).filter((r) => r !== '*');
      schema.params = { ...params, properties: { ...rest, path: { ...((wildcard as JsonObject | undefined) ?? { type: 'string' }), description: 'The rest of the path' } }, required: [...required, 'path'] };
      return { ...out, url: `${url.slice(0, -1)}:path`, schema } as ReturnType<Transform>;
    }
    return { ...out, schema } as ReturnType<Transform>;
  };
}
