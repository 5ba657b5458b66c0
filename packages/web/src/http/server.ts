/**
 * The HTTP server with node's own bounds from `web.*`: connections held at once, time to send
 * the headers and the whole request, idle keep-alive. A client that connects and says nothing,
 * or trickles its headers, holds no socket for long; long-lived streams are bounded separately
 * (streams.ts).
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Config } from '@god/core';

/** Creates the server for `app` with the configured limits. */
export function createLimitedServer(app: RequestListener, web: Config['web']): Server {
  const server = createServer(
    {
      headersTimeout: web.headers_timeout_ms,
      requestTimeout: web.request_timeout_ms,
      keepAliveTimeout: web.keep_alive_timeout_ms,
      // Timeouts are enforced when connections are checked: often enough for the shortest.
      connectionsCheckingInterval: Math.min(1_000, web.headers_timeout_ms),
    },
    app,
  );
  server.maxConnections = web.max_connections;
  return server;
}
