/** A uPlot chart as a Preact component: created once per mount, fed new data on every render. */
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartProps {
  readonly title: string;
  readonly data: uPlot.AlignedData;
  readonly series: uPlot.Series[];
  readonly axes?: uPlot.Axis[];
  readonly scales?: uPlot.Scales;
  readonly width?: number;
  readonly height?: number;
}

export function Chart(p: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  useEffect(() => {
    if (box.current === null) return;
    plot.current = new uPlot(
      {
        title: p.title,
        width: p.width ?? 560,
        height: p.height ?? 220,
        series: [{}, ...p.series],
        axes: p.axes,
        scales: p.scales ?? { x: { time: true } },
      },
      p.data,
      box.current,
    );
    return () => plot.current?.destroy();
  }, []);
  useEffect(() => {
    plot.current?.setData(p.data);
  }, [p.data]);
  // The canvas is not readable by screen readers: the figure's caption says what it shows.
  return html`<figure ref=${box} aria-label=${p.title} role="img"></figure>`;
}

/** Merges series sampled at different times onto one x axis (nulls where a series has no point). */
export function align(...parts: { t: number[]; v: (number | null)[] }[]): uPlot.AlignedData {
  const xs = [...new Set(parts.flatMap((p) => p.t))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const ys = parts.map((p) => {
    const y: (number | null)[] = new Array(xs.length).fill(null);
    p.t.forEach((t, i) => {
      y[at.get(t)!] = p.v[i] ?? null;
    });
    return y;
  });
  return [xs, ...ys] as uPlot.AlignedData;
}
