import type { HttpHandler } from "@azure/functions";
import { z } from "zod";
import { assertNever } from "../core/index.js";
import type { Engine } from "../engine/context.js";
import { type DoctorReport, doctor } from "../engine/doctor.js";
import { jsonEndpoint } from "./http/jsonEndpoint.js";
import { parseQuery } from "./http/parseRequest.js";
import type { Runtime } from "./runtime.js";

/**
 * GET health: the doctor's report. 200 for ok and warn (the app works; the report says what to
 * look at), 503 for fail (storage unreachable), so a health probe acts only on real outages.
 */
export function healthHandler(rt: Runtime): HttpHandler {
  return jsonEndpoint(async (request, context) => {
    parseQuery(request, z.strictObject({}));
    let engine: Engine;
    try {
      engine = await rt.engine();
    } catch (e) {
      // Provisioning touches every service: failing it is the same verdict as failing a probe.
      context.error("health: the engine could not start:", e);
      return { status: 503, jsonBody: unreachable(String(e)) };
    }
    const report = await doctor(engine);
    switch (report.verdict) {
      case "ok":
      case "warn":
        return { status: 200, jsonBody: report };
      case "fail":
        return { status: 503, jsonBody: report };
      default:
        return assertNever(report.verdict, "verdict");
    }
  });
}

function unreachable(detail: string): DoctorReport {
  return {
    verdict: "fail",
    checks: [{ name: "storage", verdict: "fail", detail }],
    queues: [],
    stuck: [],
    staleTasks: [],
  };
}
