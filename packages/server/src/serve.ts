/** startServer: listen on a port with Node's HTTP server. */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";

export interface StartServerOptions {
  /** A Hono app, or anything with its `fetch` (the API, or `metricsApp`). */
  app: { fetch: (request: Request) => Response | Promise<Response> };
  /** 0 picks a free port. */
  port?: number;
  host?: string;
}

export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:7878`. */
  url: string;
  port: number;
  /** Closes every connection at once, then the server. */
  close(): Promise<void>;
  /**
   * Stops accepting connections and closes idle ones; resolves once the
   * connections in use ended (their requests finished).
   */
  stopAccepting(): Promise<void>;
}

/**
 * @example
 * const server = await startServer({ app, port: 0 });
 * console.log(server.url);
 * await server.close();
 */
export function startServer(options: StartServerOptions): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: options.app.fetch, port: options.port ?? 7878, hostname: host },
      (info: AddressInfo) => {
        const urlHost = host.includes(":") ? `[${host}]` : host;
        resolve({
          url: `http://${urlHost}:${info.port}`,
          port: info.port,
          stopAccepting: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              if ("closeIdleConnections" in server) server.closeIdleConnections();
            }),
          close: () =>
            new Promise<void>((done, fail) => {
              server.close((error) =>
                // Already closed by stopAccepting: nothing left to close.
                error && (error as NodeJS.ErrnoException).code !== "ERR_SERVER_NOT_RUNNING"
                  ? fail(error)
                  : done(),
              );
              if ("closeAllConnections" in server) server.closeAllConnections();
            }),
        });
      },
    );
    server.once("error", reject);
  });
}
