/** What `dagq` exits with; scripts and CI branch on these. */
export const ExitCode = {
  ok: 0,
  /** The workflow ran and failed. */
  workflowFailed: 1,
  /** Invalid input or usage: a bad definition file, an unknown option. */
  usage: 2,
  /** A tool the command needs is not installed (Azurite for `dagq dev`), as EX_UNAVAILABLE. */
  unavailable: 69,
  /** A bug in dagq itself (an unexpected exception), as sysexits' EX_SOFTWARE. */
  internal: 70,
  /** Cancelled by SIGINT (Ctrl-C), by the shell convention 128 + signal number. */
  interrupted: 130,
  /** Cancelled by SIGTERM. */
  terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
