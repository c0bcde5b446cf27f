/**
 * Baton's leveled, structured logger. A record is a message plus fields
 * (handoff id, activity id, tenant, outcome, duration...), so the same line
 * reads well in a terminal and can be queried in Application Insights.
 */

export const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type Level = (typeof LEVELS)[number];

export type Fields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface LogRecord {
  level: Level;
  message: string;
  fields: Fields;
}

export interface Logger {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  /** A logger that adds these fields to every record (an invocation's id, a handoff's id). */
  child(fields: Fields): Logger;
}

export type LogSink = (record: LogRecord) => void;

/** A value on one line: a stack's line breaks become " | ", so a query reads a record as one line. */
const oneLine = (text: string) => text.replace(/\s*\r?\n\s*/g, ' | ');

/** One line: `[warn] message (key=value, ...)`, to stdout, or stderr for errors; a stack in a field stays on it. */
export function formatRecord(record: LogRecord): string {
  const fields = Object.entries(record.fields)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${oneLine(String(value))}`);
  return `[${record.level}] ${oneLine(record.message)}${fields.length > 0 ? ` (${fields.join(', ')})` : ''}`;
}

/** Writes records to the console: Azure Functions sends stdout and stderr to Application Insights. */
export const consoleSink: LogSink = (record) => {
  const line = formatRecord(record);
  if (record.level === 'error') console.error(line);
  else if (record.level === 'warn') console.warn(line);
  else console.log(line);
};

/**
 * A logger writing records at `level` or above to `sink`.
 * @param options.level the lowest level written; `info` by default
 */
export function createLogger(options: { sink?: LogSink; level?: Level; fields?: Fields } = {}): Logger {
  const sink = options.sink ?? consoleSink;
  const lowest = LEVELS.indexOf(options.level ?? 'info');
  const base = options.fields ?? {};
  const write =
    (level: Level) =>
    (message: string, fields: Fields = {}) => {
      if (LEVELS.indexOf(level) >= lowest) sink({ level, message, fields: { ...base, ...fields } });
    };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (fields) => createLogger({ sink, level: options.level, fields: { ...base, ...fields } }),
  };
}

/** The message of an unknown thrown value, for a log field. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
