/**
 * Azure's naming rules for containers, queues and tables, so the in-memory adapters refuse
 * what the service would refuse and a name bug shows up in fast tests too.
 */

/** Containers and queues: 3–63 of a-z, 0-9 and single hyphens, starting and ending alphanumeric. */
export function isValidContainerOrQueueName(name: string): boolean {
  return (
    /^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$/.test(name) && name.length >= 3 && name.length <= 63
  );
}

/** Tables: 3–63 alphanumerics starting with a letter ("tables" itself is reserved). */
export function isValidTableName(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9]{2,62}$/.test(name) && name.toLowerCase() !== "tables";
}
