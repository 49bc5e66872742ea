/** Keeps the last `limit` bytes of a stream, without holding more than one chunk beyond that. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - this.chunks[0]!.length >= this.limit) {
      this.size -= this.chunks.shift()!.length;
    }
  }

  /** The tail as text; a character the cut split at the start is dropped, not shown as U+FFFD. */
  text(): string {
    const all = Buffer.concat(this.chunks);
    const tail = all.subarray(Math.max(0, all.length - this.limit));
    return tail.toString("utf8").replace(/^\uFFFD+/, "");
  }
}
