import type { ArrayDataset } from '../dataset.types.js';
import { Rng } from '../../util/rng.js';

/**
 * A seeded stand-in for UCI HAR (no real HAR set can be downloaded here). The motion model is in
 * docs/har-synthetic.md; the constants below are its parameters. Units follow UCI HAR: acceleration
 * in g, angular velocity in rad/s. Device axes: x vertical (phone on the waist, upright), y lateral,
 * z forward.
 */

export const HAR_ACTIVITIES = [
  'walking',
  'walking_upstairs',
  'walking_downstairs',
  'sitting',
  'standing',
  'laying',
] as const;

export const UCI_HAR_CHANNELS = [
  'body_acc_x',
  'body_acc_y',
  'body_acc_z',
  'body_gyro_x',
  'body_gyro_y',
  'body_gyro_z',
  'total_acc_x',
  'total_acc_y',
  'total_acc_z',
] as const;

export const ACC_ONLY_CHANNELS = ['total_acc_x', 'total_acc_y', 'total_acc_z'] as const;

export const HAR_SAMPLE_RATE_HZ = 50;
export const HAR_WINDOW_SAMPLES = 128;

export interface SyntheticHarOptions {
  /** Number of simulated people (subject ids 1..subjects). */
  subjects: number;
  /** Windows per subject and activity. */
  windowsPerActivity: number;
  seed: number;
  /** 9 = UCI HAR's body_acc, body_gyro, total_acc (xyz each); 3 = total_acc only (a phone's accelerometer). */
  channels?: 9 | 3;
}

const DEG = Math.PI / 180;

/** Gait parameters per dynamic activity. */
interface GaitParams {
  /** step rate, Hz */
  stepHz: number;
  /** vertical, lateral, forward amplitudes of the step-rate fundamental, g */
  amp: [number, number, number];
  /** relative amplitudes of harmonics 1..4 (sharper impacts = richer harmonics) */
  harmonics: [number, number, number, number];
  /** heel-strike impulse height (g) and half-width (s) */
  impact: number;
  impactWidth: number;
  /** trunk rotation rates (rad/s) about x, y, z: yaw and roll at stride rate (stepHz/2), pitch at step rate */
  gyro: [number, number, number];
  /** trunk lean, degrees forward (+) */
  leanDeg: number;
}

export const GAIT: Record<'walking' | 'walking_upstairs' | 'walking_downstairs', GaitParams> = {
  walking: {
    stepHz: 1.9,
    amp: [0.22, 0.07, 0.1],
    harmonics: [1, 0.45, 0.2, 0.1],
    impact: 0.15,
    impactWidth: 0.035,
    gyro: [0.25, 0.3, 0.35],
    leanDeg: 3,
  },
  walking_upstairs: {
    stepHz: 1.6,
    amp: [0.27, 0.06, 0.06],
    harmonics: [1, 0.3, 0.12, 0.05],
    impact: 0.08,
    impactWidth: 0.05,
    gyro: [0.2, 0.45, 0.3],
    leanDeg: 9,
  },
  walking_downstairs: {
    stepHz: 2.05,
    amp: [0.28, 0.09, 0.08],
    harmonics: [1, 0.6, 0.35, 0.2],
    impact: 0.35,
    impactWidth: 0.02,
    gyro: [0.3, 0.35, 0.4],
    leanDeg: -2,
  },
};

/** Static postures: device pitch (forward tilt) and roll, their per-window jitter, and postural sway. */
interface PostureParams {
  pitchDeg: number;
  rollDeg: number;
  jitterDeg: number;
  /** postural sway amplitude (g) near 0.3 Hz, and breathing amplitude (g) near 0.25 Hz */
  sway: number;
  breathing: number;
}

export const POSTURE: Record<'sitting' | 'standing' | 'laying', PostureParams> = {
  standing: { pitchDeg: 0, rollDeg: 0, jitterDeg: 3, sway: 0.008, breathing: 0.003 },
  sitting: { pitchDeg: 11, rollDeg: 0, jitterDeg: 4, sway: 0.004, breathing: 0.004 },
  laying: { pitchDeg: 85, rollDeg: 0, jitterDeg: 8, sway: 0.002, breathing: 0.006 },
};

/** Subject variation: relative amplitude and step-rate spread, device mounting offset (deg per axis). */
export const SUBJECT_VARIATION = { amplitudeSd: 0.15, frequencySd: 0.06, orientationSd: 6 };
/** Within-subject variation between windows. */
export const WINDOW_VARIATION = { amplitudeSd: 0.08, frequencySd: 0.03, stepJitter: 0.03 };
/** Sensor noise (white) and drift (a slow sinusoid 0.02–0.1 Hz plus a gyro bias). */
export const SENSOR = { accNoise: 0.01, gyroNoise: 0.015, accDrift: 0.01, gyroBiasSd: 0.01 };

interface Subject {
  amplitude: number;
  frequency: number;
  /** device mounting offset: rotation matrix from body frame to device frame */
  mount: Mat3;
}

type Mat3 = number[]; // row-major 3×3
type Vec3 = [number, number, number];

function rotX(a: number): Mat3 {
  const c = Math.cos(a), s = Math.sin(a);
  return [1, 0, 0, 0, c, -s, 0, s, c];
}
function rotY(a: number): Mat3 {
  const c = Math.cos(a), s = Math.sin(a);
  return [c, 0, s, 0, 1, 0, -s, 0, c];
}
function rotZ(a: number): Mat3 {
  const c = Math.cos(a), s = Math.sin(a);
  return [c, -s, 0, s, c, 0, 0, 0, 1];
}
function mul(a: Mat3, b: Mat3): Mat3 {
  const out = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) out[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j];
  return out;
}
function apply(m: Mat3, v: Vec3): Vec3 {
  return [
    m[0] * v[0] + m[1] * v[1] + m[2] * v[2],
    m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
    m[6] * v[0] + m[7] * v[1] + m[8] * v[2],
  ];
}

/**
 * Body-to-device rotation: posture tilt about the lateral axis (pitch: the vertical x axis leans
 * towards forward z), roll about the forward axis, then the subject's mounting offset.
 */
function orientation(pitch: number, roll: number, mount: Mat3): Mat3 {
  return mul(mount, mul(rotZ(roll), rotY(pitch)));
}

function makeSubject(rng: Rng): Subject {
  const sd = SUBJECT_VARIATION.orientationSd * DEG;
  return {
    amplitude: Math.max(0.5, 1 + SUBJECT_VARIATION.amplitudeSd * rng.normal()),
    frequency: 1 + SUBJECT_VARIATION.frequencySd * rng.normal(),
    mount: mul(rotX(sd * rng.normal()), mul(rotY(sd * rng.normal()), rotZ(sd * rng.normal()))),
  };
}

/** One window: fills body acc, gyro and gravity (device frame) per sample. */
function simulateWindow(activity: number, subject: Subject, rng: Rng, T: number, fs: number): { body: Vec3[]; gyro: Vec3[]; gravity: Vec3[] } {
  const name = HAR_ACTIVITIES[activity];
  const body: Vec3[] = [];
  const gyro: Vec3[] = [];
  const gravity: Vec3[] = [];
  const driftHz = 0.02 + 0.08 * rng.next();
  const driftPhase = 2 * Math.PI * rng.next();
  const driftDir: Vec3 = [rng.normal(), rng.normal(), rng.normal()];
  const gyroBias: Vec3 = [rng.normal() * SENSOR.gyroBiasSd, rng.normal() * SENSOR.gyroBiasSd, rng.normal() * SENSOR.gyroBiasSd];

  if (name === 'walking' || name === 'walking_upstairs' || name === 'walking_downstairs') {
    const g = GAIT[name];
    const f = g.stepHz * subject.frequency * (1 + WINDOW_VARIATION.frequencySd * rng.normal());
    const a = subject.amplitude * Math.max(0.5, 1 + WINDOW_VARIATION.amplitudeSd * rng.normal());
    const phase0 = rng.next();
    const harmonicPhase = g.harmonics.map(() => 2 * Math.PI * rng.next());
    const gyroPhase = [0, 1, 2].map(() => 2 * Math.PI * rng.next());
    const R = orientation((g.leanDeg + 2 * rng.normal()) * DEG, 2 * rng.normal() * DEG, subject.mount);
    // heel strikes at jittered step times covering the window
    const strikes: number[] = [];
    for (let t = (phase0 - 1) / f; t < T / fs + 1 / f; ) {
      strikes.push(t);
      t += (1 + WINDOW_VARIATION.stepJitter * rng.normal()) / f;
    }
    const meanImpact = (g.impact * g.impactWidth * Math.sqrt(Math.PI)) * f; // mean of the pulse train
    for (let i = 0; i < T; i++) {
      const t = i / fs;
      const theta = 2 * Math.PI * f * (t + phase0 / f);
      let vertical = 0;
      for (let h = 0; h < 4; h++) vertical += g.harmonics[h] * Math.sin((h + 1) * theta + harmonicPhase[h]);
      let impact = -meanImpact;
      for (const s of strikes) impact += g.impact * Math.exp(-(((t - s) / g.impactWidth) ** 2));
      const bodyFrame: Vec3 = [
        a * (g.amp[0] * vertical + impact),
        a * g.amp[1] * Math.sin(theta / 2 + harmonicPhase[1]), // lateral sway at stride rate
        a * (g.amp[2] * Math.sin(theta + harmonicPhase[2]) - 0.3 * impact), // braking at each heel strike
      ];
      const rates: Vec3 = [
        a * g.gyro[0] * Math.sin(theta / 2 + gyroPhase[0]), // yaw (about vertical x) at stride rate
        a * g.gyro[1] * Math.sin(theta + gyroPhase[1]), // pitch (about lateral y) at step rate
        a * g.gyro[2] * Math.sin(theta / 2 + gyroPhase[2]), // roll (about forward z) at stride rate
      ];
      body.push(apply(R, bodyFrame));
      gyro.push(apply(R, rates));
      // the trunk sways a few degrees with each stride, so gravity wobbles slightly in the device frame
      const wobble = 2 * DEG * Math.sin(theta / 2 + gyroPhase[2]);
      gravity.push(apply(mul(R, rotY(wobble)), [1, 0, 0]));
    }
  } else {
    const p = POSTURE[name];
    const pitch = (p.pitchDeg + p.jitterDeg * rng.normal()) * DEG;
    const roll = (p.rollDeg + p.jitterDeg * rng.normal()) * DEG;
    const R = orientation(pitch, roll, subject.mount);
    const swayHz = 0.2 + 0.2 * rng.next();
    const breathHz = 0.2 + 0.1 * rng.next();
    const ph = [0, 1, 2, 3].map(() => 2 * Math.PI * rng.next());
    for (let i = 0; i < T; i++) {
      const t = i / fs;
      const sway = p.sway * Math.sin(2 * Math.PI * swayHz * t + ph[0]);
      const breath = p.breathing * Math.sin(2 * Math.PI * breathHz * t + ph[1]);
      const bodyFrame: Vec3 = [breath, sway * Math.sin(ph[2]), sway * Math.cos(ph[2]) + breath];
      const rates: Vec3 = [0, 2 * Math.PI * swayHz * sway, 2 * Math.PI * breathHz * breath];
      body.push(apply(R, bodyFrame));
      gyro.push(apply(R, rates));
      gravity.push(apply(R, [1, 0, 0]));
    }
  }
  // sensor imperfections: slow drift, bias, white noise
  for (let i = 0; i < T; i++) {
    const drift = SENSOR.accDrift * Math.sin(2 * Math.PI * driftHz * (i / fs) + driftPhase);
    for (let k = 0; k < 3; k++) {
      body[i][k] += drift * driftDir[k] / 1.7 + SENSOR.accNoise * rng.normal();
      gyro[i][k] += gyroBias[k] + SENSOR.gyroNoise * rng.normal();
    }
  }
  return { body, gyro, gravity };
}

/**
 * Generates windows for every subject × activity × window, subject-major. Deterministic for a seed.
 * x is [N, 128, C] with C = 9 (UCI HAR channel order) or 3 (total_acc xyz).
 */
export function generateSyntheticHar(options: SyntheticHarOptions): ArrayDataset {
  const { subjects, windowsPerActivity, seed } = options;
  const channels = options.channels ?? 9;
  if (!Number.isInteger(subjects) || subjects < 1) throw new Error(`synthetic HAR: subjects must be a positive integer, got ${subjects}`);
  if (!Number.isInteger(windowsPerActivity) || windowsPerActivity < 1)
    throw new Error(`synthetic HAR: windowsPerActivity must be a positive integer, got ${windowsPerActivity}`);
  if (channels !== 9 && channels !== 3) throw new Error(`synthetic HAR: channels must be 9 or 3, got ${String(channels)}`);
  const T = HAR_WINDOW_SAMPLES;
  const fs = HAR_SAMPLE_RATE_HZ;
  const n = subjects * HAR_ACTIVITIES.length * windowsPerActivity;
  const x = new Float32Array(n * T * channels);
  const y = new Int32Array(n);
  const subjectIds = new Int32Array(n);
  const rng = new Rng(seed);
  let w = 0;
  for (let s = 0; s < subjects; s++) {
    const subjectRng = rng.fork();
    const subject = makeSubject(subjectRng);
    for (let a = 0; a < HAR_ACTIVITIES.length; a++) {
      for (let k = 0; k < windowsPerActivity; k++) {
        const { body, gyro, gravity } = simulateWindow(a, subject, subjectRng, T, fs);
        const base = w * T * channels;
        for (let i = 0; i < T; i++) {
          const o = base + i * channels;
          const total: Vec3 = [body[i][0] + gravity[i][0], body[i][1] + gravity[i][1], body[i][2] + gravity[i][2]];
          if (channels === 9) {
            x.set(body[i], o);
            x.set(gyro[i], o + 3);
            x.set(total, o + 6);
          } else {
            x.set(total, o);
          }
        }
        y[w] = a;
        subjectIds[w] = s + 1;
        w++;
      }
    }
  }
  return {
    name: `synthetic HAR (${subjects} subjects, seed ${seed}, ${channels} channels)`,
    x,
    xShape: [n, T, channels],
    y,
    classes: [...HAR_ACTIVITIES],
    subjects: subjectIds,
  };
}
