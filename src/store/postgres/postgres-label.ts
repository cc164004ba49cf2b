/** The connection string without its password, and the schema: how messages name the store. */
export function describePostgres(connectionString: string, schema: string): string {
  try {
    const u = new URL(connectionString);
    u.password = '';
    return `${u.href} (schema ${schema})`;
  } catch {
    // Not a URL (key=value form): name the schema only, never echo a possible password.
    return `PostgreSQL schema ${schema}`;
  }
}
