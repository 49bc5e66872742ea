/**
 * Builds the Storage bundle for Azure: from a connection string (local development, Azurite,
 * `UseDevelopmentStorage=true`), or from account endpoints and an Entra ID credential
 * (DefaultAzureCredential, i.e. the Function App's managed identity, when none is given).
 */
import { TableClient } from "@azure/data-tables";
// The SDKs share one TokenCredential type (from @azure/core-auth, not a direct dependency);
// Service Bus re-exports it.
import type { TokenCredential } from "@azure/service-bus";
import { BlobServiceClient } from "@azure/storage-blob";
import { QueueServiceClient } from "@azure/storage-queue";
import type { SendOptions, Storage, TaskSink } from "../storage/ports.js";
import { AzureBlobStore } from "./blobStore.js";
import { lazyDefaultCredential } from "./lazyCredential.js";
import { AzureQueueStore } from "./queueStore.js";
import type { ServiceBusTaskSink } from "./serviceBusTaskSink.js";
import { AzureTableStore } from "./tableStore.js";
import { QueueTaskSink, RoutingTaskSink } from "./taskSink.js";

export interface ConnectOptions {
  /** A storage connection string; wins over the account options when set. */
  readonly connectionString?: string;
  /** The storage account, for endpoints `https://<account>.<service>.core.windows.net`. */
  readonly accountName?: string;
  /** Explicit endpoints (sovereign clouds, private endpoints); each overrides the derived one. */
  readonly blobUrl?: string;
  readonly queueUrl?: string;
  readonly tableUrl?: string;
  /** For the account endpoints; DefaultAzureCredential when absent. */
  readonly credential?: TokenCredential;
  /** The deployment's blob container. */
  readonly container: string;
  /** For `sb://` targets; the storage credential (or the default one) when absent. */
  readonly serviceBusCredential?: TokenCredential;
}

export interface ConnectedStorage extends Storage {
  /** Closes the Service Bus connections, if any were opened. */
  close(): Promise<void>;
}

export function connectStorage(opts: ConnectOptions): ConnectedStorage {
  const credential = opts.credential ?? lazyDefaultCredential();
  const services = opts.connectionString
    ? fromConnectionString(opts.connectionString, opts.container)
    : fromEndpoints(opts, credential);
  const serviceBus = new LazyServiceBusSink(() => opts.serviceBusCredential ?? credential);
  return {
    ...services,
    tasks: new RoutingTaskSink(new QueueTaskSink(services.queues), serviceBus),
    close: () => serviceBus.close(),
  };
}

/**
 * The Service Bus sink, its SDK loaded on the first `sb://` send: most deployments never make
 * one, and loading it costs every process that connects (a worker's start above all) ~0.2 s.
 */
class LazyServiceBusSink implements TaskSink {
  private sink: Promise<ServiceBusTaskSink> | null = null;

  constructor(private readonly credential: () => TokenCredential) {}

  async send(target: string, texts: readonly string[], opts?: SendOptions): Promise<void> {
    this.sink ??= import("./serviceBusTaskSink.js").then(
      (m) => new m.ServiceBusTaskSink(this.credential),
    );
    await (await this.sink).send(target, texts, opts);
  }

  async close(): Promise<void> {
    if (this.sink) await (await this.sink).close();
  }
}

type Services = Pick<Storage, "blobs" | "queues" | "tables">;

function fromConnectionString(cs: string, container: string): Services {
  // Tables refuse plain http unless told; Azurite (and only Azurite) speaks http.
  const tableOptions = { allowInsecureConnection: isHttp(cs) };
  return {
    blobs: new AzureBlobStore(
      BlobServiceClient.fromConnectionString(cs).getContainerClient(container),
    ),
    queues: new AzureQueueStore(QueueServiceClient.fromConnectionString(cs)),
    tables: new AzureTableStore((table) =>
      TableClient.fromConnectionString(cs, table, tableOptions),
    ),
  };
}

function fromEndpoints(opts: ConnectOptions, credential: TokenCredential): Services {
  const url = (service: "blob" | "queue" | "table", explicit: string | undefined) => {
    if (explicit) return explicit;
    if (!opts.accountName) {
      throw new Error(`storage needs a connection string, an account name or a ${service} URL`);
    }
    return `https://${opts.accountName}.${service}.core.windows.net`;
  };
  const blobUrl = url("blob", opts.blobUrl);
  const queueUrl = url("queue", opts.queueUrl);
  const tableUrl = url("table", opts.tableUrl);
  const tableOptions = { allowInsecureConnection: tableUrl.startsWith("http:") };
  return {
    blobs: new AzureBlobStore(
      new BlobServiceClient(blobUrl, credential).getContainerClient(opts.container),
    ),
    queues: new AzureQueueStore(new QueueServiceClient(queueUrl, credential)),
    tables: new AzureTableStore(
      (table) => new TableClient(tableUrl, table, credential, tableOptions),
    ),
  };
}

/** Whether the connection string's table endpoint is plain http. */
export function isHttp(cs: string): boolean {
  const settings = new Map(
    cs
      .split(";")
      .map((part) => part.trim())
      .filter((part) => part.includes("="))
      .map((part) => {
        const at = part.indexOf("=");
        return [part.slice(0, at).toLowerCase(), part.slice(at + 1)] as const;
      }),
  );
  if (settings.get("usedevelopmentstorage")?.toLowerCase() === "true") return true;
  const endpoint = settings.get("tableendpoint");
  if (endpoint) return endpoint.toLowerCase().startsWith("http:");
  return settings.get("defaultendpointsprotocol")?.toLowerCase() === "http";
}
