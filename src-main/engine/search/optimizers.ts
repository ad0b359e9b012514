import * as tf from '@tensorflow/tfjs';

/**
 * Optimizers whose state is keyed by variable, not by position: tfjs's built-in optimizers index their
 * slots by the order of the gradient list, which breaks when a step yields no gradient for some
 * variables (GDAS and random paths leave the unchosen ops without one). Like PyTorch, a variable
 * without a gradient is left untouched this step. Weight decay is PyTorch's (L2 added to the gradient).
 */
export interface SearchOptimizer {
  learningRate: number;
  /** `grads` by variable name; `gradScale` multiplies every gradient first (clipping). */
  apply(grads: tf.NamedTensorMap, gradScale?: number): void;
  /** Slot variables by name, for checkpoints (tensors owned by the optimizer). */
  state(): tf.NamedTensorMap;
  /** Restores slots saved by state(); unknown names are ignored, missing ones start at zero. */
  restore(state: tf.NamedTensorMap, steps?: Record<string, number>): void;
  /** Per-variable step counts (Adam's bias correction needs them in a checkpoint). */
  stepCounts(): Record<string, number>;
  dispose(): void;
}

abstract class KeyedOptimizer implements SearchOptimizer {
  protected readonly slots = new Map<string, tf.Variable[]>();
  protected readonly steps = new Map<string, number>();
  private readonly byName: Map<string, tf.Variable>;

  constructor(
    variables: tf.Variable[],
    public learningRate: number,
    protected readonly weightDecay: number,
    private readonly slotCount: number,
  ) {
    this.byName = new Map(variables.map((v) => [v.name, v]));
    // Slots up front, so memory is flat from the first step even when some variables get gradients late.
    for (const v of variables) this.slotsOf(v.name, v);
  }

  apply(grads: tf.NamedTensorMap, gradScale = 1): void {
    tf.tidy(() => {
      for (const [name, grad] of Object.entries(grads)) {
        const variable = this.byName.get(name);
        if (!variable || !grad) continue;
        let g = gradScale === 1 ? grad : tf.mul(grad, gradScale);
        if (this.weightDecay > 0) g = tf.add(g, tf.mul(variable, this.weightDecay));
        const step = (this.steps.get(name) ?? 0) + 1;
        this.steps.set(name, step);
        this.update(variable, g, this.slotsOf(name, variable), step);
      }
    });
  }

  private slotsOf(name: string, variable: tf.Variable): tf.Variable[] {
    let slots = this.slots.get(name);
    if (!slots) {
      slots = Array.from({ length: this.slotCount }, (_, i) => tf.variable(tf.zerosLike(variable), false, `${name}/slot${i}`));
      this.slots.set(name, slots);
    }
    return slots;
  }

  protected abstract update(variable: tf.Variable, grad: tf.Tensor, slots: tf.Variable[], step: number): void;

  state(): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = {};
    for (const [name, slots] of this.slots) slots.forEach((s, i) => (out[`${name}/slot${i}`] = s));
    return out;
  }

  stepCounts(): Record<string, number> {
    return Object.fromEntries(this.steps);
  }

  restore(state: tf.NamedTensorMap, steps: Record<string, number> = {}): void {
    for (const [name, variable] of this.byName) {
      const saved = Array.from({ length: this.slotCount }, (_, i) => state[`${name}/slot${i}`]);
      if (saved.some((t) => !t)) continue;
      const slots = this.slotsOf(name, variable);
      saved.forEach((t, i) => slots[i].assign(t as tf.Tensor));
      if (steps[name] !== undefined) this.steps.set(name, steps[name]);
    }
  }

  dispose(): void {
    for (const slots of this.slots.values()) tf.dispose(slots);
    this.slots.clear();
  }
}

/** SGD with momentum (PyTorch form: v = μv + g, w -= lr·v). */
export class MomentumSgd extends KeyedOptimizer {
  constructor(
    variables: tf.Variable[],
    learningRate: number,
    private readonly momentum = 0.9,
    weightDecay = 0,
  ) {
    super(variables, learningRate, weightDecay, 1);
  }

  protected update(variable: tf.Variable, grad: tf.Tensor, [velocity]: tf.Variable[]): void {
    const v = tf.add(tf.mul(velocity, this.momentum), grad);
    velocity.assign(v);
    variable.assign(tf.sub(variable, tf.mul(v, this.learningRate)));
  }
}

/** Adam with PyTorch's L2 weight decay and per-variable bias correction. */
export class Adam extends KeyedOptimizer {
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

  protected update(variable: tf.Variable, grad: tf.Tensor, [m, v]: tf.Variable[], step: number): void {
    const m1 = tf.add(tf.mul(m, this.beta1), tf.mul(grad, 1 - this.beta1));
    const v1 = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(grad), 1 - this.beta2));
    m.assign(m1);
    v.assign(v1);
    const lr = (this.learningRate * Math.sqrt(1 - this.beta2 ** step)) / (1 - this.beta1 ** step);
    variable.assign(tf.sub(variable, tf.mul(tf.div(m1, tf.add(tf.sqrt(v1), this.epsilon)), lr)));
  }
}
