/**
 * Test support: the inventory of every statement a pool sends, each with the plan
 * Postgres chose for it (auto_explain, nested statements included), and the rule
 * that makes the schema distributable by tenant: every statement on a tenant
 * table reaches it through an index condition with an equality on `tenant_id`.
 */
import postgres, { type Sql } from "postgres";

/** Tables of the control plane: read before a tenant is known, Citus reference tables. */
export const CONTROL_PLANE_TABLES = new Set(["tenants", "api_keys", "cairn_migrations"]);

/** A plan node as auto_explain logs it in JSON. */
interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  Operation?: string;
  "Index Cond"?: string;
  "Recheck Cond"?: string;
  Filter?: string;
  Plans?: PlanNode[];
}

export interface StatementEntry {
  /** The statement as sent (or, for a nested one, as written in its function or trigger). */
  text: string;
  /** How many times it ran. */
  count: number;
  /** Tenant tables it reads or writes. */
  tables: string[];
  /** Control-plane tables it touches. */
  controlPlane: string[];
  /** Why it breaks the rule; empty when it keeps it. */
  problems: string[];
}

/** The tenant equalities an index condition may carry: a parameter or constant, or the session's tenant. */
const TENANT_EQUALITY =
  /\btenant_id(\)::text)? = (\$\d+|'[^']*'::text|current_setting\('cairn\.tenant_id'::text, true\))|\((\$\d+|'[^']*'::text) = tenant_id\)/;
const SESSION_TENANT = "current_setting('cairn.tenant_id'::text, true)";

/**
 * Whether an index condition bounds the scan by tenant: its own (index scans), or its
 * bitmap's (one arm of an AND is enough, every arm of an OR must have one).
 */
function reachedByTenant(node: PlanNode): boolean {
  switch (node["Node Type"]) {
    case "Bitmap Heap Scan":
    case "BitmapAnd":
      return (node.Plans ?? []).some(reachedByTenant);
    case "BitmapOr":
      return (node.Plans ?? []).every(reachedByTenant);
    default:
      return TENANT_EQUALITY.test(node["Index Cond"] ?? "");
  }
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/**
 * What is wrong with one plan: a scan of a tenant table whose index condition has no
 * tenant equality (or a sequential scan), or a tenant equality only from the row-level
 * security policy (the statement itself must carry one, so Citus can route it).
 */
export function planProblems(
  text: string,
  plan: PlanNode,
  tenantTables: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  const all = nodes(plan);
  const insertsInto = /^\s*INSERT INTO (\w+)/i.exec(text)?.[1];
  if (insertsInto && tenantTables.has(insertsInto)) {
    // The tenant is the first column, from a parameter: Citus routes the rows by it.
    if (
      !new RegExp(
        `INSERT INTO ${insertsInto} \\(tenant_id,[^)]*\\)\\s*(VALUES \\(|SELECT )\\$\\d+`,
        "i",
      ).test(text)
    ) {
      problems.push(`INSERT INTO ${insertsInto} without tenant_id from a parameter first`);
    }
  }
  for (const node of all) {
    const table = node["Relation Name"];
    if (!table || !tenantTables.has(table)) continue;
    if (node["Node Type"] === "ModifyTable") continue; // its scans are its children
    if (node["Node Type"] === "Seq Scan") {
      problems.push(`sequential scan of ${table}`);
      continue;
    }
    if (!reachedByTenant(node)) {
      problems.push(
        `${node["Node Type"]} of ${table} without a tenant equality in its index condition`,
      );
      continue;
    }
    // With row-level security the policy adds `tenant_id = current_setting(...)`; the
    // statement's own equality (a parameter or constant) must be there too, in the index
    // condition or beside it. Only the grep function's body uses the session's tenant.
    const everything = nodes(node)
      .flatMap((n) => [n["Index Cond"], n["Recheck Cond"], n.Filter])
      .join(" ");
    const own = everything.replaceAll(SESSION_TENANT, "");
    if (!TENANT_EQUALITY.test(own) && !text.includes("current_setting('cairn.tenant_id', true)")) {
      problems.push(`${table} reached only through the row-level security policy's tenant`);
    }
  }
  return problems;
}

/**
 * A pool on `url` whose every statement (and every statement run inside a function
 * or trigger it calls) is planned into the inventory. The connecting role must be a
 * superuser (it preloads auto_explain for its sessions).
 */
export function traceStatements(
  url: string,
  tenantTables: ReadonlySet<string>,
  options: { max?: number } = {},
): { sql: Sql; entries(): StatementEntry[] } {
  const inventory = new Map<string, StatementEntry>();
  const sql = postgres(url, {
    max: options.max ?? 10,
    idle_timeout: 60,
    connection: {
      application_name: "cairn-inventory",
      session_preload_libraries: "auto_explain",
      "auto_explain.log_min_duration": "0",
      "auto_explain.log_format": "json",
      "auto_explain.log_nested_statements": "on",
      client_min_messages: "log",
      // "Can use": with sequential scans priced out, a statement still scans sequentially only
      // when no index fits its conditions (tiny test tables would otherwise hide that).
      enable_seqscan: "off",
    },
    onnotice: (notice) => {
      const message = String(notice.message ?? "");
      const at = message.indexOf("{");
      if (!message.includes("plan:") || at < 0) return;
      const logged = JSON.parse(message.slice(at)) as { "Query Text": string; Plan: PlanNode };
      const text = logged["Query Text"].trim();
      const tables = new Set<string>();
      const controlPlane = new Set<string>();
      for (const node of nodes(logged.Plan)) {
        const table = node["Relation Name"];
        if (table && tenantTables.has(table)) tables.add(table);
        if (table && CONTROL_PLANE_TABLES.has(table)) controlPlane.add(table);
      }
      const entry = inventory.get(text) ?? {
        text,
        count: 0,
        tables: [],
        controlPlane: [],
        problems: [],
      };
      entry.count++;
      entry.tables = [...new Set([...entry.tables, ...tables])].sort();
      entry.controlPlane = [...new Set([...entry.controlPlane, ...controlPlane])].sort();
      for (const problem of planProblems(text, logged.Plan, tenantTables)) {
        if (!entry.problems.includes(problem)) entry.problems.push(problem);
      }
      inventory.set(text, entry);
    },
  });
  return { sql, entries: () => [...inventory.values()] };
}

/** The tables that carry a `tenant_id` column, as the schema now stands. */
export async function tenantTablesOf(sql: Sql): Promise<Set<string>> {
  const rows = await sql<Array<{ table_name: string }>>`
    SELECT table_name FROM information_schema.columns
    WHERE table_schema = 'public' AND column_name = 'tenant_id'`;
  return new Set(rows.map((r) => r.table_name).filter((t) => !CONTROL_PLANE_TABLES.has(t)));
}
