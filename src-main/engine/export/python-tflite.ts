import { spawnSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs .tflite files in TensorFlow's own runtimes, from PyPI, in a Python process that imports nothing
 * of NAS Studio: LiteRT (ai-edge-litert, TFLite's interpreter) and TFLite Micro (tflite-micro: the
 * interpreter and reference kernels a microcontroller runs). `npm test`'s pretest puts both in the
 * project's .venv; a user's machine may have neither, and the export says so instead of checking.
 */

export type PythonTfliteRuntime = 'litert' | 'tflm';

export interface PythonRuntimes {
  python: string;
  litert: boolean;
  tflm: boolean;
}

/** The project root (the folder holding package.json), found from this file. */
function projectRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return undefined;
}

function candidates(): string[] {
  const list: string[] = [];
  if (process.env.NAS_STUDIO_PYTHON) list.push(process.env.NAS_STUDIO_PYTHON);
  const root = projectRoot();
  if (root) list.push(join(root, '.venv', 'bin', 'python'), join(root, '.venv', 'Scripts', 'python.exe'));
  list.push('python3', 'python');
  return list;
}

const PROBE = "import importlib.util as u; print(int(u.find_spec('ai_edge_litert') is not None), int(u.find_spec('tflite_micro') is not None))";

let cached: PythonRuntimes | { missing: string } | undefined;

/** The first Python that has LiteRT or TFLite Micro (NAS_STUDIO_PYTHON, the project's .venv, then PATH). */
export function findPythonRuntimes(): PythonRuntimes | { missing: string } {
  if (cached) return cached;
  const tried: string[] = [];
  for (const python of candidates()) {
    if (python.includes('/') && !existsSync(python)) continue;
    const probe = spawnSync(python, ['-c', PROBE], { encoding: 'utf8', timeout: 30_000 });
    tried.push(python);
    if (probe.status !== 0) continue;
    const [litert, tflm] = probe.stdout.trim().split(/\s+/).map((v) => v === '1');
    if (litert || tflm) return (cached = { python, litert, tflm });
  }
  return (cached = {
    missing: `no Python with ai-edge-litert or tflite-micro (tried ${tried.join(', ') || 'none'}); install them with: python3 -m pip install ai-edge-litert tflite-micro, or set NAS_STUDIO_PYTHON`,
  });
}

// One script for both runtimes. With arena "measure", TFLite Micro first runs one input in a large arena
// and reads what its recording allocator kept, finds the smallest arena from there that allocates and
// runs, then runs every input in an arena of exactly that size.
const SCRIPT = String.raw`
import json, re, sys, os
import numpy as np
req = json.load(open(sys.argv[1]))
data = open(req['model'], 'rb').read()
x = np.fromfile(req['inputs'], dtype=req['dtype']).reshape([-1] + req['shape'])
outs = []
result = {}
def fail(message):
    print('NAS_ERROR ' + message, flush=True)
    sys.exit(3)
if req['runtime'] == 'litert':
    from ai_edge_litert.interpreter import Interpreter
    it = Interpreter(model_content=data, num_threads=1)
    it.allocate_tensors()
    i, o = it.get_input_details()[0], it.get_output_details()[0]
    for s in x:
        it.set_tensor(i['index'], s[None].astype(i['dtype']))
        it.invoke()
        outs.append(np.array(it.get_tensor(o['index']), dtype=np.float32).reshape(-1))
else:
    from tflite_micro.python.tflite_micro import runtime
    arena = req['arena']
    if arena == 'measure':
        probe = runtime.Interpreter.from_bytes(data, arena_size=256 * 1024 * 1024)
        probe.set_input(x[0][None], 0)
        probe.invoke()
        r, w = os.pipe()
        saved = os.dup(2)
        os.dup2(w, 2)  # TFLite Micro prints its allocations to stderr
        probe.print_allocations()
        os.dup2(saved, 2)
        os.close(w)
        text = os.read(r, 1 << 20).decode('utf8', 'replace')
        m = re.search(r'Arena allocation total (\d+) bytes', text)
        if not m:
            fail('TFLite Micro printed no arena total: ' + text[:200])
        del probe
        # The recorded total is what stays allocated; planning needs temporary room on top (measured:
        # about 3 KB more on a 105-op model). The arena to allocate is the smallest that runs, found by
        # bisection in 16-byte steps from the recorded total.
        def runs_in(size):
            try:
                trial = runtime.Interpreter.from_bytes(data, arena_size=size)
                trial.set_input(x[0][None], 0)
                trial.invoke()
                return True
            except RuntimeError:
                return False
        lo = int(m.group(1)) - 16
        hi = lo + 16
        while not runs_in(hi):
            lo, hi = hi, int(hi * 1.25) + 1024
        while hi - lo > 16:
            mid = (lo + hi) // 2
            if runs_in(mid):
                hi = mid
            else:
                lo = mid
        # Where the arena buffer lands decides a few bytes of alignment, so a size at the edge can run in one
        # interpreter and not the next: keep the first 16-byte step that runs three times in a row.
        arena = (hi + 15) // 16 * 16
        while not all(runs_in(arena) for _ in range(3)):
            arena += 16
        result['recorded'] = int(m.group(1))
    result['arena'] = arena
    try:
        it = runtime.Interpreter.from_bytes(data, arena_size=arena)
        for s in x:
            it.set_input(s[None], 0)
            it.invoke()
            outs.append(np.array(it.get_output(0), dtype=np.float32).reshape(-1))
    except RuntimeError as e:
        fail('TFLite Micro could not run the model in an arena of %d bytes (%s)' % (arena, e))
np.concatenate(outs).astype(np.float32).tofile(req['outputs'])
print('NAS_RESULT ' + json.dumps(result), flush=True)
`;

export interface PythonTfliteRun {
  runtime: PythonTfliteRuntime;
  bytes: Uint8Array;
  /** Without the batch dimension. */
  inputShape: number[];
  /** float32 for a float model, int8 (already quantised) for an int8 model. */
  samples: Float32Array | Int8Array;
  /** TFLite Micro only: the arena to run in, or 'measure' (default). */
  arenaBytes?: number | 'measure';
}

export interface PythonTfliteResult {
  /** Every sample's output, flat, as the model's output type's values (int8 outputs are not dequantised). */
  outputs: Float32Array;
  /** TFLite Micro: the arena it ran in (measured, or the one asked for). */
  arenaBytes?: number;
  runtime: string;
}

const RUNTIME_NAMES: Record<PythonTfliteRuntime, string> = {
  litert: 'LiteRT (ai-edge-litert, Python)',
  tflm: 'TFLite Micro (tflite-micro, Python; reference kernels)',
};

function runPython(python: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((done, reject) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => done({ code, out }));
  });
}

/** Runs `samples` one by one (batch 1) through the model in LiteRT or TFLite Micro. */
export async function runTfliteInPython(run: PythonTfliteRun): Promise<PythonTfliteResult> {
  const found = findPythonRuntimes();
  if ('missing' in found) throw new Error(`${RUNTIME_NAMES[run.runtime]}: ${found.missing}`);
  if (!found[run.runtime]) throw new Error(`${RUNTIME_NAMES[run.runtime]} is not installed for ${found.python}`);
  const dir = await mkdtemp(join(tmpdir(), 'nas-tflite-'));
  try {
    const paths = { model: join(dir, 'model.tflite'), inputs: join(dir, 'inputs.bin'), outputs: join(dir, 'outputs.bin'), script: join(dir, 'run.py'), request: join(dir, 'request.json') };
    await writeFile(paths.model, run.bytes);
    await writeFile(paths.inputs, new Uint8Array(run.samples.buffer, run.samples.byteOffset, run.samples.byteLength));
    await writeFile(paths.script, SCRIPT);
    const dtype = run.samples instanceof Int8Array ? 'int8' : 'float32';
    await writeFile(paths.request, JSON.stringify({ ...paths, runtime: run.runtime, dtype, shape: run.inputShape, arena: run.arenaBytes ?? 'measure' }));
    const { code, out } = await runPython(found.python, [paths.script, paths.request]);
    const error = /NAS_ERROR (.*)/.exec(out);
    if (error) throw new Error(`${RUNTIME_NAMES[run.runtime]}: ${error[1]}`);
    const result = /NAS_RESULT (.*)/.exec(out);
    if (code !== 0 || !result) {
      const tail = out.trim().split('\n').slice(-3).join(' | ');
      throw new Error(`${RUNTIME_NAMES[run.runtime]} stopped (exit ${code ?? 'signal'}${code === null || code === 139 || code === -11 ? ', a crash inside the runtime' : ''}): ${tail || 'no output'}`);
    }
    const parsed = JSON.parse(result[1]) as { arena?: number };
    const buf = await readFile(paths.outputs);
    const outputs = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    return { outputs, arenaBytes: parsed.arena, runtime: RUNTIME_NAMES[run.runtime] };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
