/**
 * A task's environment is built, not inherited: the worker's own environment holds the
 * deployment's storage credentials (`DagqStorage`, a connection string with the account key)
 * and whatever else its host holds, and anyone who can submit a workflow chooses the commands.
 * A task gets the `DAGQ_*` contract, its own `env`, and only these of the worker's variables,
 * plus those the worker is told to pass (`--pass-env`). The same rule holds in run-local, so a
 * task sees the same environment on both paths.
 */
export const INHERITED_BY_DEFAULT: readonly string[] = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LANGUAGE",
  "LC_*",
  "TZ",
  "TMPDIR",
  "TERM",
];

/**
 * Never passed, whatever the patterns say: the deployment's own settings and credentials
 * (storage, Functions host, the worker's DAGQ_* settings such as DAGQ_KEY).
 */
const NEVER = [/^DagqStorage/i, /^AzureWebJobs/i, /^DAGQ_/i, /^APPLICATIONINSIGHTS_/i];

/** `NAME`, or `PREFIX*` for every variable starting with PREFIX. */
export const PASS_ENV_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*\*?$/;

export function inheritedEnvironment(
  source: NodeJS.ProcessEnv,
  extra: readonly string[] = [],
): Record<string, string> {
  const patterns = [...INHERITED_BY_DEFAULT, ...extra];
  const exact = new Set(patterns.filter((p) => !p.endsWith("*")));
  const prefixes = patterns.filter((p) => p.endsWith("*")).map((p) => p.slice(0, -1));
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || NEVER.some((re) => re.test(name))) continue;
    if (exact.has(name) || prefixes.some((p) => name.startsWith(p))) env[name] = value;
  }
  return env;
}
