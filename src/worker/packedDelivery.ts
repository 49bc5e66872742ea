import { packText, unpackTexts } from "../protocol/taskPack.js";
import type { Delivery } from "./taskSource.js";

/** Sends task texts back to the queue they came from, as one message (a pack, or plain). */
export type Requeue = (text: string) => Promise<void>;

/**
 * The tasks in received messages, as deliveries of their own, at most `room` of them (and the
 * most tasks a message held, for sizing the next receive): a
 * message beyond the room is given back whole (visible again at once), and of a pack that
 * straddles it, the tasks that do not fit are sent back as a pack of their own before any of
 * the rest starts, so that they wait for no one here. Should that send fail, they are kept and
 * the worker runs over its concurrency for a while rather than sit on them.
 */
export async function takeTasks(
  got: readonly Delivery[],
  room: number,
  requeue: Requeue,
  onError: (why: string) => void,
): Promise<{ tasks: Delivery[]; largestPack: number }> {
  const out: Delivery[] = [];
  let largestPack = 0;
  for (const d of got) {
    if (room <= 0) {
      await d.abandon().catch(() => {});
      continue;
    }
    const texts = unpackTexts(d.text);
    largestPack = Math.max(largestPack, texts.length);
    if (texts.length === 1 && texts[0] === d.text) {
      out.push(d);
      room--;
      continue;
    }
    let keep = texts;
    if (texts.length > room) {
      try {
        await requeue(packText(texts.slice(room)));
        keep = texts.slice(0, room);
      } catch (e) {
        onError(`could not send ${texts.length - room} tasks of a pack back: ${String(e)}`);
      }
    }
    room -= keep.length;
    out.push(...new SharedMessage(d, keep, requeue).parts);
  }
  return { tasks: out, largestPack };
}

type PartState = "open" | "done" | "returned" | "poisoned";

/**
 * One queue message that holds several running tasks. It stays hidden while any of them runs
 * and goes when the last is settled: deleted once each task is done; tasks given back
 * (shutdown) are first sent again as a pack of their own, so the done ones do not run twice
 * (all given back: the message itself is);
 * a malformed member sets the whole message aside, with every member's reason, once the
 * others are done.
 */
class SharedMessage {
  readonly parts: Delivery[];
  private readonly states: PartState[];
  private readonly reasons: string[] = [];
  private lastExtend = 0;
  private requeued = false;
  private finishing: Promise<void> | null = null;

  constructor(
    private readonly base: Delivery,
    private readonly texts: readonly string[],
    private readonly requeue: Requeue,
  ) {
    this.states = texts.map(() => "open");
    this.parts = texts.map((text, i) => ({
      text,
      dequeueCount: base.dequeueCount,
      extend: (visibilityS) => this.extend(visibilityS),
      complete: () => this.settle(i, "done"),
      abandon: () => this.settle(i, "returned"),
      poison: (reason) => {
        this.reasons.push(`pack[${i}]: ${reason}`);
        return this.settle(i, "poisoned");
      },
    }));
  }

  /** Every part renews on its own timer; the message needs one renewal per period. */
  private extend(visibilityS: number): Promise<void> {
    const now = Date.now();
    if (now - this.lastExtend < (visibilityS * 1000) / 6) return Promise.resolve();
    this.lastExtend = now;
    return this.base.extend(visibilityS);
  }

  /** Idempotent: a retried complete() of the last part redoes only what failed. */
  private settle(i: number, state: PartState): Promise<void> {
    if (this.states[i] === "open") this.states[i] = state;
    if (this.states.includes("open")) return Promise.resolve();
    this.finishing ??= this.finish().catch((e: unknown) => {
      this.finishing = null;
      throw e;
    });
    return this.finishing;
  }

  private async finish(): Promise<void> {
    const returned = this.texts.filter((_, i) => this.states[i] === "returned");
    if (returned.length === this.texts.length) return this.base.abandon();
    if (returned.length > 0 && !this.requeued) {
      await this.requeue(packText(returned));
      this.requeued = true;
    }
    if (this.reasons.length > 0) await this.base.poison(this.reasons.join("\n"));
    else await this.base.complete();
  }
}
