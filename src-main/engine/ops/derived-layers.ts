import * as tf from '@tensorflow/tfjs';

/**
 * The stock tf.layers the derived (retrained) model is built from, and only these: the small vocabulary
 * every exporter knows (docs/export.md). Geometry lives here once: HAR windows are images of height 1
 * ([1, T, C]), so every kernel, pool and stride acts along T only.
 */

export type Sym = tf.SymbolicTensor;
type Pair = [number, number];

/** Layer factory: one place for geometry (2-D or height-1 windows) and for readable, unique names. */
export class Layers {
  private readonly used = new Set<string>();
  private initCount = 0;

  /**
   * @param normalize false drops every BatchNorm and gives each conv a bias instead (derivedBatchNorm).
   */
  constructor(
    private readonly har: boolean,
    private readonly seed?: number,
    private readonly normalize = true,
  ) {}

  /** Glorot uniform (the tf.layers default), seeded per layer when the model has a seed. */
  init(): ReturnType<typeof tf.initializers.glorotUniform> | undefined {
    if (this.seed === undefined) return undefined;
    return tf.initializers.glorotUniform({ seed: this.seed * 7919 + this.initCount++ });
  }

  kernel(k: number): Pair {
    return this.har ? [1, k] : [k, k];
  }

  stride(s: number): Pair {
    return this.har ? [1, s] : [s, s];
  }

  private name(name: string): string {
    if (this.used.has(name)) throw new Error(`Derived model: layer name "${name}" used twice (a bug in the derived model's builder)`);
    this.used.add(name);
    return name;
  }

  relu(x: Sym, name: string): Sym {
    return tf.layers.activation({ activation: 'relu', name: this.name(name) }).apply(x) as Sym;
  }

  bn(x: Sym, name: string): Sym {
    if (!this.normalize) return x;
    // PyTorch's BatchNorm2d defaults (momentum 0.1 of the new value, eps 1e-5), as in the papers' code.
    return tf.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-5, name: this.name(name) }).apply(x) as Sym;
  }

  conv(x: Sym, filters: number, k: number, stride: number, name: string, opts: { dilation?: number; useBias?: boolean; zeroInit?: boolean } = {}): Sym {
    return tf.layers
      .conv2d({
        filters,
        kernelSize: this.kernel(k),
        strides: this.stride(stride),
        padding: 'same',
        dilationRate: opts.dilation ?? 1,
        useBias: opts.useBias ?? !this.normalize,
        kernelInitializer: opts.zeroInit ? 'zeros' : this.init(),
        name: this.name(name),
      })
      .apply(x) as Sym;
  }

  depthwise(x: Sym, k: number, stride: number, name: string): Sym {
    return tf.layers
      .depthwiseConv2d({ kernelSize: this.kernel(k), strides: this.stride(stride), padding: 'same', useBias: false, depthwiseInitializer: this.init(), name: this.name(name) })
      .apply(x) as Sym;
  }

  /** Depthwise k×k (dilated) then 1×1 to `filters`: stock tfjs's SeparableConv2D honours dilation, DepthwiseConv2D does not. */
  separable(x: Sym, filters: number, k: number, dilation: number, name: string): Sym {
    return tf.layers
      .separableConv2d({
        filters,
        kernelSize: this.kernel(k),
        padding: 'same',
        dilationRate: this.har ? [1, dilation] : dilation,
        useBias: !this.normalize,
        depthwiseInitializer: this.init(),
        pointwiseInitializer: this.init(),
        name: this.name(name),
      })
      .apply(x) as Sym;
  }

  pool(x: Sym, kind: 'max' | 'avg', size: number, stride: number, name: string): Sym {
    const config = { poolSize: this.kernel(size), strides: this.stride(stride), padding: 'same' as const, name: this.name(name) };
    return (kind === 'max' ? tf.layers.maxPooling2d(config) : tf.layers.averagePooling2d(config)).apply(x) as Sym;
  }

  add(xs: Sym[], name: string): Sym {
    if (xs.length === 1) return xs[0];
    // tfjs-layers' executor frees a tensor that one Add receives twice (an NB201 node fed by two skips of
    // the same input) before its other consumers run: each repeat goes through a reshape of its own first.
    const distinct = xs.map((x, i) => (xs.indexOf(x) === i ? x : (tf.layers.reshape({ targetShape: x.shape.slice(1) as number[], name: this.name(`${name}_repeat${i}`) }).apply(x) as Sym)));
    return tf.layers.add({ name: this.name(name) }).apply(distinct) as Sym;
  }

  concat(xs: Sym[], name: string): Sym {
    return xs.length === 1 ? xs[0] : (tf.layers.concatenate({ axis: -1, name: this.name(name) }).apply(xs) as Sym);
  }

  /** Shift by one pixel (one step in time for HAR): drop the first row/column, pad one at the end. */
  shift(x: Sym, name: string): Sym {
    const crop: [Pair, Pair] = this.har ? [[0, 0], [1, 0]] : [[1, 0], [1, 0]];
    const pad: [Pair, Pair] = this.har ? [[0, 0], [0, 1]] : [[0, 1], [0, 1]];
    const cropped = tf.layers.cropping2D({ cropping: crop, name: this.name(`${name}_crop`) }).apply(x) as Sym;
    return tf.layers.zeroPadding2d({ padding: pad, name: this.name(`${name}_pad`) }).apply(cropped) as Sym;
  }

  /** x[::2, ::2] (x[:, ::2] for HAR): a 1×1 max pool with stride 2. */
  subsample(x: Sym, name: string): Sym {
    return this.pool(x, 'max', 1, 2, name);
  }
}
