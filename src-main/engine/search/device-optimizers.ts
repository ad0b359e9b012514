import * as tf from '@tensorflow/tfjs';
import type { SearchOptimizer } from './optimizers.js';

/**
 * Optimizers as tensor ops, for GPU backends: the weights, gradients and slots stay on the device (the host
 * optimizers of optimizers.ts read every weight and gradient to the host, hundreds of transfers per step, and
 * WebGPU in Node cannot read synchronously at all). The same updates as the host ones: PyTorch's L2 weight
 * decay, per-variable step counts, variables without a gradient left untouched.
 */
abstract class DeviceOptimizer implements SearchOptimizer {
  private readonly slots = new Map<string, tf.Variable[]>();
  private readonly steps = new Map<string, number>();
  private readonly byName: Map<string, tf.Variable>;
  private exported: tf.Tensor[] = [];

  constructor(
    variables: tf.Variable[],
    public learningRate: number,
    protected readonly weightDecay: number,
    slotCount: number,
  ) {
    this.byName = new Map(variables.map((v) => [v.name, v]));
    for (const v of variables) this.slots.set(v.name, Array.from({ length: slotCount }, () => tf.variable(tf.zerosLike(v), false)));
  }

  apply(grads: tf.NamedTensorMap, gradScale = 1): void {
    tf.tidy(() => {
      for (const [name, grad] of Object.entries(grads)) {
        const variable = this.byName.get(name);
        const slots = this.slots.get(name);
        if (!variable || !slots || !grad) continue;
        const step = (this.steps.get(name) ?? 0) + 1;
        this.steps.set(name, step);
        let g = gradScale === 1 ? grad : tf.mul(grad, gradScale);
        if (this.weightDecay) g = tf.add(g, tf.mul(variable, this.weightDecay));
        this.update(variable, g, slots, step);
      }
    });
  }

  /** Updates `variable` and its slots in place from `g`, the gradient already scaled and decayed (inside a tidy). */
  protected abstract update(variable: tf.Variable, g: tf.Tensor, slots: tf.Variable[], step: number): void;

  state(): tf.NamedTensorMap {
    tf.dispose(this.exported);
    const out: tf.NamedTensorMap = {};
    for (const [name, slots] of this.slots) slots.forEach((s, k) => (out[`${name}/slot${k}`] = tf.clone(s)));
    this.exported = Object.values(out);
    return out;
  }

  stepCounts(): Record<string, number> {
    return Object.fromEntries(this.steps);
  }

  restore(state: tf.NamedTensorMap, steps: Record<string, number> = {}): void {
    for (const [name, slots] of this.slots) {
      const saved = slots.map((_, k) => state[`${name}/slot${k}`]);
      if (saved.some((t) => !t)) continue;
      saved.forEach((t, k) => slots[k].assign(t as tf.Tensor));
      if (steps[name] !== undefined) this.steps.set(name, steps[name]);
    }
  }

  dispose(): void {
    tf.dispose(this.exported);
    this.exported = [];
    for (const slots of this.slots.values()) tf.dispose(slots);
    this.slots.clear();
  }
}

/** Adam with PyTorch's L2 weight decay and per-variable bias correction, on the device. */
export class DeviceAdam extends DeviceOptimizer {
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

  protected update(variable: tf.Variable, g: tf.Tensor, [m, v]: tf.Variable[], step: number): void {
    const { beta1, beta2, epsilon } = this;
    m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
    v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
    const c1 = 1 - beta1 ** step;
    const c2 = 1 - beta2 ** step;
    const denom = tf.add(tf.sqrt(tf.div(v, c2)), epsilon);
    variable.assign(tf.sub(variable, tf.div(tf.mul(m, this.learningRate / c1), denom)));
  }
}

/** SGD with momentum (PyTorch form: v = μv + g, w -= lr·v), on the device. */
export class DeviceMomentumSgd extends DeviceOptimizer {
  constructor(
    variables: tf.Variable[],
    learningRate: number,
    private readonly momentum = 0.9,
    weightDecay = 0,
  ) {
    super(variables, learningRate, weightDecay, 1);
  }

  protected update(variable: tf.Variable, g: tf.Tensor, [velocity]: tf.Variable[]): void {
    velocity.assign(tf.add(tf.mul(velocity, this.momentum), g));
    variable.assign(tf.sub(variable, tf.mul(velocity, this.learningRate)));
  }
}
