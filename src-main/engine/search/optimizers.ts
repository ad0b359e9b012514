import * as tf from '@tensorflow/tfjs';

/**
 * Optimizers that update on the host, in plain typed arrays, keyed by variable name.
 * - Keyed, not positional: tfjs's built-in optimizers index their slots by the order of the gradient
 *   list, which breaks when a step yields no gradient for some variables (GDAS and random paths leave
 *   the unchosen ops without one). Like PyTorch, a variable without a gradient is left untouched.
 * - On the host: a supernet has ~900 small variables, and a tensor update costs 6-8 kernel launches
 *   per variable (measured: ~40% of a GDAS step on wasm); a loop over Float32Arrays costs none. The
 *   cpu and wasm backends keep tensors in host memory, so reading them is a copy at most. GPU backends use
 *   device-optimizers.ts instead (WebGPU in Node cannot read synchronously).
 * Weight decay is PyTorch's (L2 added to the gradient).
 */
export interface SearchOptimizer {
  learningRate: number;
  /** `grads` by variable name; `gradScale` multiplies every gradient first (clipping). */
  apply(grads: tf.NamedTensorMap, gradScale?: number): void;
  /** Slots by `<variable name>/slot<k>`, as tensors owned by the optimizer, valid until the next state() or dispose(). */
  state(): tf.NamedTensorMap;
  /** Restores slots saved by state(); unknown names are ignored, missing ones start at zero. */
  restore(state: tf.NamedTensorMap, steps?: Record<string, number>): void;
  /** Per-variable step counts (Adam's bias correction needs them in a checkpoint). */
  stepCounts(): Record<string, number>;
  dispose(): void;
}

abstract class HostOptimizer implements SearchOptimizer {
  private readonly slots = new Map<string, Float32Array[]>();
  private readonly steps = new Map<string, number>();
  private readonly byName: Map<string, tf.Variable>;
  private exported: tf.Tensor[] = [];

  constructor(
    variables: tf.Variable[],
    public learningRate: number,
    protected readonly weightDecay: number,
    private readonly slotCount: number,
  ) {
    this.byName = new Map(variables.map((v) => [v.name, v]));
    for (const v of variables) this.slots.set(v.name, Array.from({ length: slotCount }, () => new Float32Array(v.size)));
  }

  apply(grads: tf.NamedTensorMap, gradScale = 1): void {
    tf.tidy(() => {
      for (const [name, grad] of Object.entries(grads)) {
        const variable = this.byName.get(name);
        if (!variable || !grad) continue;
        const step = (this.steps.get(name) ?? 0) + 1;
        this.steps.set(name, step);
        const w = variable.dataSync() as Float32Array;
        const next = new Float32Array(w.length);
        this.update(w, grad.dataSync() as Float32Array, gradScale, this.slots.get(name) as Float32Array[], step, next);
        variable.assign(tf.tensor(next, variable.shape));
      }
    });
  }

  /** Writes the updated weights into `next`; `g` is the raw gradient, to be scaled and decayed. */
  protected abstract update(w: Float32Array, g: Float32Array, scale: number, slots: Float32Array[], step: number, next: Float32Array): void;

  state(): tf.NamedTensorMap {
    tf.dispose(this.exported);
    const out: tf.NamedTensorMap = {};
    for (const [name, slots] of this.slots) {
      const shape = (this.byName.get(name) as tf.Variable).shape;
      slots.forEach((s, i) => (out[`${name}/slot${i}`] = tf.tensor(s, shape)));
    }
    this.exported = Object.values(out);
    return out;
  }

  stepCounts(): Record<string, number> {
    return Object.fromEntries(this.steps);
  }

  restore(state: tf.NamedTensorMap, steps: Record<string, number> = {}): void {
    for (const [name, slots] of this.slots) {
      const saved = Array.from({ length: this.slotCount }, (_, i) => state[`${name}/slot${i}`]);
      if (saved.some((t) => !t)) continue;
      saved.forEach((t, i) => slots[i].set((t as tf.Tensor).dataSync() as Float32Array));
      if (steps[name] !== undefined) this.steps.set(name, steps[name]);
    }
  }

  dispose(): void {
    tf.dispose(this.exported);
    this.exported = [];
  }
}

/** SGD with momentum (PyTorch form: v = μv + g, w -= lr·v). */
export class MomentumSgd extends HostOptimizer {
  constructor(
    variables: tf.Variable[],
    learningRate: number,
    private readonly momentum = 0.9,
    weightDecay = 0,
  ) {
    super(variables, learningRate, weightDecay, 1);
  }

  protected update(w: Float32Array, g: Float32Array, scale: number, [velocity]: Float32Array[], _step: number, next: Float32Array): void {
    const { momentum, weightDecay, learningRate } = this;
    for (let i = 0; i < w.length; i++) {
      const v = momentum * velocity[i] + g[i] * scale + weightDecay * w[i];
      velocity[i] = v;
      next[i] = w[i] - learningRate * v;
    }
  }
}

/** Adam with PyTorch's L2 weight decay and per-variable bias correction. */
export class Adam extends HostOptimizer {
  constructor(
    variables: tf.Variable[],
    learningRate: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    weightDecay = 0,
    private readonly epsilon = 1e-8,
  ) {
    super(variables, learningRate, weightDecay, 2);
  }

  protected update(w: Float32Array, g: Float32Array, scale: number, [m, v]: Float32Array[], step: number, next: Float32Array): void {
    const { beta1, beta2, weightDecay, epsilon } = this;
    const c1 = 1 - beta1 ** step;
    const c2 = 1 - beta2 ** step;
    const lr = this.learningRate / c1;
    for (let i = 0; i < w.length; i++) {
      const gi = g[i] * scale + weightDecay * w[i];
      m[i] = beta1 * m[i] + (1 - beta1) * gi;
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
      next[i] = w[i] - (lr * m[i]) / (Math.sqrt(v[i] / c2) + epsilon);
    }
  }
}
