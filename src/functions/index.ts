/**
 * The Function App's entry point (package.json `main`): registers every function of the table
 * with the Functions host. `@azure/functions` is CommonJS, so under native ESM only its default
 * export is reliable; outside the host its `app.*` calls do nothing (test mode), which is why
 * the local host drives the table itself instead of importing this file.
 */
import functions from "@azure/functions";
import { readConfig } from "../config.js";
import { byTrigger, functionTable } from "./registry.js";
import { createRuntime } from "./runtime.js";
import { registerShutdown } from "./shutdownHook.js";

const { app } = functions;
const runtime = createRuntime(readConfig());

for (const definition of functionTable(runtime)) {
  byTrigger(definition, {
    queue: ({ name, trigger, handler }) =>
      app.storageQueue(name, { queueName: trigger.queue, connection: trigger.connection, handler }),
    // Never on startup: every instance start would sweep at once, and the sweeps are periodic anyway.
    timer: ({ name, trigger, handler }) =>
      app.timer(name, { schedule: trigger.schedule, runOnStartup: false, handler }),
    http: ({ name, trigger, handler }) =>
      app.http(name, {
        methods: [...trigger.methods],
        route: trigger.route,
        authLevel: trigger.authLevel,
        handler,
      }),
  });
}

registerShutdown(runtime);
