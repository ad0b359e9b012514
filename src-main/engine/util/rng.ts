/**
 * Seeded randomness for everything that must replay: splits, data order, Gumbel noise, sampled paths.
 * mulberry32: tiny, fast, and its whole state is one 32-bit integer, so checkpoints can store it.
 */
export class Rng {
  constructor(private state: number) {
    this.state = state >>> 0;
  }

  /** The full state, to checkpoint and restore. */
  get seedState(): number {
    return this.state;
  }

  set seedState(value: number) {
    this.state = value >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Gumbel(0, 1) sample. */
  gumbel(): number {
    return -Math.log(-Math.log(1 - this.next() * (1 - 1e-12)));
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(items: T[] | Int32Array | Uint32Array): typeof items {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** 0..n-1 in random order. */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out) as Int32Array;
  }

  /** A new independent generator derived from this one (for a sub-task that must not shift our stream). */
  fork(): Rng {
    return new Rng(Math.floor(this.next() * 4294967296) ^ 0x9e3779b9);
  }
}
