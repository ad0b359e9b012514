/** Plain-language formatting for people who are not ML engineers. */

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (Math.abs(n) >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  return String(Math.round(n));
}

/** Metrics by name: accuracies as percentages, PSNR in dB, anything else with 4 significant digits. */
export function formatMetric(name: string, value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  const key = name.toLowerCase();
  if (key.includes('accuracy') || key === 'acc' || key.includes('f1')) return `${(value * 100).toFixed(1)} %`;
  if (key.includes('psnr')) return `${value.toFixed(2)} dB`;
  return Number(value.toPrecision(4)).toString();
}

export function metricLabel(name: string): string {
  const labels: Record<string, string> = {
    accuracy: 'Accuracy',
    macro_f1: 'Macro F1',
    psnr: 'PSNR',
    ssim: 'SSIM',
    psnr_noisy: 'PSNR of the noisy input',
    psnr_baseline: 'PSNR of the fixed baseline',
    ssim_baseline: 'SSIM of the fixed baseline',
    loss: 'Loss',
  };
  return labels[name] ?? name;
}

/** What a metric means for the user, in one line (beside each metric in the results). */
export function metricHelp(name: string): string {
  const help: Record<string, string> = {
    accuracy: 'Share of the held-out test images the model labels correctly. Higher is better.',
    macro_f1: 'Accuracy that counts every class equally, so a rare class done badly pulls it down. Higher is better; 1 is perfect.',
    psnr: 'How close the cleaned images are to the originals, in decibels. Higher is better; +3 dB is about half the error.',
    ssim: 'How alike the cleaned and original images look in structure, from 0 to 1. Higher is better.',
    psnr_noisy: 'PSNR of the noisy input itself: the starting point the model improves on.',
    psnr_baseline: 'PSNR of the fixed, hand-designed model trained the same way: what the search is compared with.',
    ssim_baseline: 'SSIM of the fixed, hand-designed model trained the same way.',
    loss: 'The training objective measured on the test data. Lower is better; useful to compare runs of the same task only.',
  };
  return help[name] ?? '';
}

/** The genotype text, in a line. */
export const GENOTYPE_HELP =
  "The architecture found, written as research papers write it: each entry is an operation and the node it reads from (0 and 1 are the cell's inputs). Paste it to rebuild or compare the model.";

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}

export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 16)} UTC`;
}

/** The message of anything thrown, never "[object Object]". */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}

/** The host answers "not available here: …" for what this mode cannot do (a native folder picker in serve mode). */
export function isNotAvailable(error: unknown): boolean {
  const message = errorMessage(error);
  return /\bnot available\b/i.test(message) || (error as { name?: string })?.name === 'NotAvailableError';
}
