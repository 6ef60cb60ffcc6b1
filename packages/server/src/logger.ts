/** The application log's shape: what pino's Logger offers, so `cairn serve` passes pino itself. */

type LogFn = (fields: Record<string, unknown>, message?: string) => void;

/** JSON-lines application log (errors, requests at debug); not the audit log. */
export interface AppLogger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  /** Whether lines at `level` are written (pino's own); spares building lines nobody reads. */
  isLevelEnabled?(level: string): boolean;
  /** A logger whose every line carries `bindings` (the request id). */
  child(bindings: Record<string, unknown>): AppLogger;
}
