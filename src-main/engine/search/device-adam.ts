import * as tf from '@tensorflow/tfjs';
import type { SearchOptimizer } from './optimizers.js';

/**
 * Adam as tensor ops, for GPU backends: the weights, gradients and both moments stay on the device (the host
 * Adam of optimizers.ts reads every weight and gradient to the host, hundreds of transfers per step, and
 * WebGPU in Node cannot read synchronously at all). Same update as the host Adam: PyTorch's L2 weight decay,
 * per-variable bias correction, variables without a gradient left untouched.
 */
export class DeviceAdam implements SearchOptimizer {
  private readonly slots = new Map<string, [tf.Variable, tf.Variable]>();
  private readonly steps = new Map<string, number>();
  private readonly byName: Map<string, tf.Variable>;
  private exported: tf.Tensor[] = [];

  constructor(
    variables: tf.Variable[],
    public learningRate: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly weightDecay = 0,
    private readonly epsilon = 1e-8,
  ) {
    this.byName = new Map(variables.map((v) => [v.name, v]));
    for (const v of variables) this.slots.set(v.name, [tf.variable(tf.zerosLike(v), false), tf.variable(tf.zerosLike(v), false)]);
  }

  apply(grads: tf.NamedTensorMap, gradScale = 1): void {
    const { beta1, beta2, weightDecay, epsilon } = this;
    tf.tidy(() => {
      for (const [name, grad] of Object.entries(grads)) {
        const variable = this.byName.get(name);
        const slots = this.slots.get(name);
        if (!variable || !slots || !grad) continue;
        const step = (this.steps.get(name) ?? 0) + 1;
        this.steps.set(name, step);
        const [m, v] = slots;
        let g = gradScale === 1 ? grad : tf.mul(grad, gradScale);
        if (weightDecay) g = tf.add(g, tf.mul(variable, weightDecay));
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const c1 = 1 - beta1 ** step;
        const c2 = 1 - beta2 ** step;
        const denom = tf.add(tf.sqrt(tf.div(v, c2)), epsilon);
        variable.assign(tf.sub(variable, tf.div(tf.mul(m, this.learningRate / c1), denom)));
      }
    });
  }

  state(): tf.NamedTensorMap {
    tf.dispose(this.exported);
    const out: tf.NamedTensorMap = {};
    for (const [name, [m, v]] of this.slots) {
      out[`${name}/slot0`] = tf.clone(m);
      out[`${name}/slot1`] = tf.clone(v);
    }
    this.exported = Object.values(out);
    return out;
  }

  stepCounts(): Record<string, number> {
    return Object.fromEntries(this.steps);
  }

  restore(state: tf.NamedTensorMap, steps: Record<string, number> = {}): void {
    for (const [name, slots] of this.slots) {
      const saved = [state[`${name}/slot0`], state[`${name}/slot1`]];
      if (saved.some((t) => !t)) continue;
      saved.forEach((t, i) => slots[i].assign(t as tf.Tensor));
      if (steps[name] !== undefined) this.steps.set(name, steps[name]);
    }
  }

  dispose(): void {
    tf.dispose(this.exported);
    this.exported = [];
    for (const [m, v] of this.slots.values()) tf.dispose([m, v]);
    this.slots.clear();
  }
}
