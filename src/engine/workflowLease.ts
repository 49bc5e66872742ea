import { NotFoundError } from "../storage/ports.js";

/** What a lease needs of the state store: the three lease operations on a workflow's head blob. */
export interface LeaseStore {
  acquireLease(id: string, durationS: number): Promise<string | null>;
  renewLease(id: string, leaseId: string): Promise<boolean>;
  releaseLease(id: string, leaseId: string): Promise<void>;
}

/**
 * One workflow's lease as one coordinator session holds it: whether it is held, and the three
 * things a holder does with it. Renewal is lazy: `renew` asks storage only once a third of the
 * lease has passed since the last renewal, so a busy workflow renews about every 5 s instead of
 * once per cycle. Only the session that owns this object calls it, one call at a time.
 */
export class WorkflowLease {
  private leaseId: string | null = null;
  private renewedAt = 0;

  constructor(
    private readonly store: LeaseStore,
    readonly workflowId: string,
    private readonly durationS: number,
  ) {}

  get held(): boolean {
    return this.leaseId !== null;
  }

  /** The lease id, for writes that must be made under the lease. */
  get id(): string {
    if (this.leaseId === null) throw new Error(`workflow ${this.workflowId}: lease not held`);
    return this.leaseId;
  }

  /** "busy" while another holds it; "gone" when the workflow does not exist. */
  async acquire(now: number): Promise<"acquired" | "busy" | "gone"> {
    if (this.leaseId !== null) throw new Error(`workflow ${this.workflowId}: lease acquired twice`);
    let leaseId: string | null;
    try {
      leaseId = await this.store.acquireLease(this.workflowId, this.durationS);
    } catch (e) {
      if (e instanceof NotFoundError) return "gone";
      throw e;
    }
    if (leaseId === null) return "busy";
    this.leaseId = leaseId;
    this.renewedAt = now;
    return "acquired";
  }

  /** True while the lease is ours, renewing it when due; false (and forgotten) once lost. */
  async renew(now: number): Promise<boolean> {
    const leaseId = this.id;
    if (now - this.renewedAt < (this.durationS * 1000) / 3) return true;
    if (await this.store.renewLease(this.workflowId, leaseId)) {
      this.renewedAt = now;
      return true;
    }
    this.leaseId = null;
    return false;
  }

  /** Makes the next `renew` ask storage: after a lost write race, is the lease still ours? */
  doubt(): void {
    this.renewedAt = 0;
  }

  /** Lets the lease go; idempotent. It is forgotten here even when storage fails to answer. */
  async release(): Promise<void> {
    const leaseId = this.leaseId;
    if (leaseId === null) return;
    this.leaseId = null;
    await this.store.releaseLease(this.workflowId, leaseId);
  }

  /** Forgets the lease without telling storage (the workflow is gone; the lease with it). */
  forget(): void {
    this.leaseId = null;
  }
}
