/** The spec's operations as method + path patterns: requests are named by operationId, not path. */

interface Route {
  method: string;
  pattern: RegExp;
  operationId: string;
}

/** Finds the operationId of a request, or undefined for a path the spec does not have. */
export type OperationOf = (method: string, pathname: string) => string | undefined;

/** Every operation in the spec as a method and a path pattern. */
export function operationMatcher(document: Record<string, unknown>): OperationOf {
  const spec = document as { paths?: Record<string, Record<string, { operationId?: string }>> };
  const routes: Route[] = [];
  for (const [template, item] of Object.entries(spec.paths ?? {})) {
    const source = template
      .split(/\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"))
      .join("[^/]+");
    for (const [method, op] of Object.entries(item)) {
      if (typeof op?.operationId !== "string") continue;
      routes.push({
        method: method.toUpperCase(),
        pattern: new RegExp(`^${source}$`),
        operationId: op.operationId,
      });
    }
  }
  return (method, pathname) =>
    routes.find((r) => r.method === method && r.pattern.test(pathname))?.operationId;
}
