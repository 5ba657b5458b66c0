/** @god/web: god's REST API (`/api/v1`, OpenAPI 3.1), GO-Docker's `/api/1.0`, live events, metrics. */
export { startWebProcess, createAuthPlugin, type WebProcess } from './main.js';
export { createApp, apiRoutes, API_VERSION } from './app.js';
export type { WebContext } from './context.js';
export type { JobServices } from './job-services.js';
export type { Principal } from './auth/principal.js';
export { makeApiKey, checkApiKey, KEY_PREFIX } from './auth/api-keys.js';
export { authPlugins } from './registry.js';
export { openApiDocument } from './http/openapi.js';
export type { Route } from './http/route.js';
