import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../util/atomic-write.js';
import type { BenchUnit, MachineProfile } from './hardware.types.js';

/** NAS_STUDIO_HOME, else ~/.nas-studio: where NAS Studio keeps everything that outlives a run. */
export function userDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.NAS_STUDIO_HOME?.trim();
  return home ? path.resolve(home) : path.join(os.homedir(), '.nas-studio');
}

/** <userDataDir>/profiles/<machineId> */
export function profilesDirFor(machineId: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(userDataDir(env), 'profiles', machineId);
}

export interface ProfileStoreOptions {
  /** Folder of this machine's profiles; default profilesDirFor(machineId). */
  dir?: string;
}

export interface StoredProfile {
  file: string;
  profile: MachineProfile;
}

/** An ISO time that is also a valid file name on Windows (no colons) and sorts in time order. */
function fileStamp(iso: string): string {
  return iso.replace(/:/g, '-').replace(/\./g, '-');
}

/** Writes the profile as JSON (temp file, then rename) and returns its path. */
export function saveProfile(profile: MachineProfile, options: ProfileStoreOptions = {}): string {
  const dir = options.dir ?? profilesDirFor(profile.machineId);
  const file = path.join(dir, `${fileStamp(profile.createdAt)}.json`);
  writeJsonAtomic(file, profile);
  return file;
}

/** Enough shape to trust a file as a profile; unknown extra fields pass, so newer files still load. */
const StoredProfileSchema = z.looseObject({
  schemaVersion: z.literal(1),
  machineId: z.string().min(1),
  createdAt: z.string().min(1),
  hardware: z.looseObject({ cpu: z.looseObject({}), memory: z.looseObject({}), os: z.looseObject({}) }),
  backend: z.looseObject({ name: z.string(), tried: z.array(z.looseObject({})) }),
  summary: z.string(),
  bench: z
    .looseObject({
      measures: z.array(z.looseObject({ id: z.string(), value: z.number(), unit: z.string() })),
    })
    .optional(),
});

/** Reads one profile; a bad file throws an Error naming the file and the problem. */
export async function loadProfile(file: string): Promise<MachineProfile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${file}: cannot read the profile (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message}).`, { cause: error });
  }
  const parsed = StoredProfileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: not a NAS Studio machine profile (${issue.path.join('.') || 'top level'}: ${issue.message}).`);
  }
  return value as MachineProfile;
}

export interface ProfileListing {
  /** Oldest first. */
  profiles: StoredProfile[];
  /** Files in the folder that could not be read as profiles, and why; they are left untouched. */
  skipped: { file: string; problem: string }[];
}

/** Earlier profiles of this machine, oldest first. A missing folder means none yet. */
export async function listProfiles(machineId: string, options: ProfileStoreOptions = {}): Promise<ProfileListing> {
  const dir = options.dir ?? profilesDirFor(machineId);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: [], skipped: [] };
    throw new Error(`${dir}: cannot list profiles (${(error as Error).message}).`, { cause: error });
  }
  const listing: ProfileListing = { profiles: [], skipped: [] };
  // Dot files are temporaries of a write in progress (or one that crashed): never profiles.
  for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
    const file = path.join(dir, name);
    try {
      const profile = await loadProfile(file);
      if (profile.machineId === machineId) listing.profiles.push({ file, profile });
    } catch (error) {
      listing.skipped.push({ file, problem: (error as Error).message });
    }
  }
  listing.profiles.sort((a, b) => a.profile.createdAt.localeCompare(b.profile.createdAt));
  return listing;
}

export interface MetricComparison {
  id: string;
  label: string;
  unit: BenchUnit;
  before: number;
  after: number;
  /** after / before: above 1 means b is faster than a. */
  ratio: number;
}

export interface ProfileComparison {
  sameMachine: boolean;
  sameBackend: boolean;
  metrics: MetricComparison[];
  /** Benchmarks present in only one of the two profiles (different sizes or versions). */
  onlyInA: string[];
  onlyInB: string[];
}

/** Per-metric ratios b / a over the benchmarks both profiles ran. */
export function compareProfiles(a: MachineProfile, b: MachineProfile): ProfileComparison {
  const measuresA = new Map((a.bench?.measures ?? []).map((m) => [m.id, m]));
  const measuresB = new Map((b.bench?.measures ?? []).map((m) => [m.id, m]));
  const metrics: MetricComparison[] = [];
  for (const [id, before] of measuresA) {
    const after = measuresB.get(id);
    if (!after) continue;
    metrics.push({ id, label: before.label, unit: before.unit, before: before.value, after: after.value, ratio: before.value > 0 ? after.value / before.value : Number.NaN });
  }
  return {
    sameMachine: a.machineId === b.machineId,
    sameBackend: a.backend.name === b.backend.name,
    metrics,
    onlyInA: [...measuresA.keys()].filter((id) => !measuresB.has(id)),
    onlyInB: [...measuresB.keys()].filter((id) => !measuresA.has(id)),
  };
}
