/**
 * Task queue targets: a storage queue name, or `sb://<namespace>/<queue>` for a Service Bus
 * queue. Everything that routes a target asks isServiceBusTarget, so the two kinds are told
 * apart in one place.
 */
const SB_PREFIX = "sb://";

export function isServiceBusTarget(target: string): boolean {
  return target.startsWith(SB_PREFIX);
}

export interface ServiceBusTarget {
  /** The fully qualified namespace, e.g. `acme.servicebus.windows.net`. */
  readonly namespace: string;
  readonly queue: string;
}

/** `sb://acme/tasks` → acme.servicebus.windows.net + tasks; a dotted namespace is kept as is. */
export function parseServiceBusTarget(target: string): ServiceBusTarget {
  const match = /^sb:\/\/([A-Za-z0-9.-]+)\/(.+)$/.exec(target);
  const [, namespace, queue] = match ?? [];
  if (namespace === undefined || queue === undefined || queue.endsWith("/")) {
    throw new Error(`not a Service Bus target (sb://<namespace>/<queue>): ${target}`);
  }
  return { namespace: serviceBusHost(namespace), queue };
}

/** A namespace as its host name, in lower case: `Acme` → `acme.servicebus.windows.net`. */
export function serviceBusHost(namespace: string): string {
  const host = namespace.includes(".") ? namespace : `${namespace}.servicebus.windows.net`;
  return host.toLowerCase();
}
