/** Chart colours per theme: series colours that stay apart in both themes and for common colour blindness (Okabe–Ito). */
export interface ChartPalette {
  text: string;
  grid: string;
  series: string[];
}

const SERIES = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#999999'];

export function chartPalette(dark: boolean): ChartPalette {
  return dark
    ? { text: '#e6e8eb', grid: 'rgba(230,232,235,0.15)', series: SERIES.map((c) => (c === '#0072B2' ? '#4da3e0' : c)) }
    : { text: '#1d2330', grid: 'rgba(29,35,48,0.12)', series: SERIES };
}
