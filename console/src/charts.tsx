// Charts (ECharts, only the parts used, drawn on canvas) and the lineage graph (dagre layout, SVG).
import dagre from '@dagrejs/dagre';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

/**
 * An ECharts instance on a div, rebuilt when the option changes and disposed with the component.
 * Options are plain data, so their JSON is the effect's dependency. Tooltips are plain text: the
 * console's policy forbids inline styles, which ECharts' HTML markers use.
 */
function useChart(option: echarts.EChartsCoreOption) {
  const ref = useRef<HTMLDivElement>(null);
  const optionJson = JSON.stringify(option);
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current, undefined, { renderer: 'canvas' });
    chart.setOption({ animation: false, tooltip: { trigger: 'axis', renderMode: 'richText' }, ...(JSON.parse(optionJson) as echarts.EChartsCoreOption) });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [optionJson]);
  return ref;
}

/** A chart with its figure described in text for screen readers. */
function ChartFigure({ chartRef, title, summary }: { chartRef: React.RefObject<HTMLDivElement | null>; title: string; summary: string }) {
  return (
    <figure className="chart">
      <div ref={chartRef} className="chart-canvas" role="img" aria-label={`${title}. ${summary}`} />
      <figcaption>{title}</figcaption>
    </figure>
  );
}

/** Metric curves per round. */
export function LineChartView({ series, title, xLabel }: { series: readonly Series[]; title: string; xLabel: string }) {
  const ref = useChart({
    legend: { top: 0 },
    grid: { left: 50, right: 20, top: 40, bottom: 40 },
    xAxis: { type: 'value', name: xLabel, nameLocation: 'middle', nameGap: 25 },
    yAxis: { type: 'value', scale: true },
    series: series.map((s) => ({ name: s.name, type: 'line', showSymbol: false, data: s.points.map((p) => [p[0], p[1]]) })),
  });
  const summary = series.map((s) => `${s.name}: ${s.points.length} points, last ${s.points.at(-1)?.[1]?.toFixed(4) ?? '—'}`).join('; ');
  return <ChartFigure chartRef={ref} title={title} summary={summary} />;
}

/** One bar per label (a column's quantiles or its most frequent values). */
export function BarChartView({ labels, values, title, xLabel }: { labels: readonly string[]; values: readonly number[]; title: string; xLabel: string }) {
  const ref = useChart({
    grid: { left: 70, right: 20, top: 20, bottom: 50 },
    xAxis: { type: 'category', data: [...labels], name: xLabel, nameLocation: 'middle', nameGap: 32 },
    yAxis: { type: 'value' },
    series: [{ type: 'bar', data: [...values], itemStyle: { color: '#2d4f7c' } }],
  });
  const summary = labels.map((l, i) => `${l}: ${values[i]}`).join('; ');
  return <ChartFigure chartRef={ref} title={title} summary={summary} />;
}

export interface GraphNode {
  readonly id: string;
  readonly label: string;
  readonly kind: string;
  readonly focus?: boolean;
}
export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
}

const NODE_W = 200;
const NODE_H = 44;

/** A left-to-right lineage graph; each node is a focusable button that opens it. */
export function LineageGraph({ nodes, edges, onOpen }: { nodes: readonly GraphNode[]; edges: readonly GraphEdge[]; onOpen: (id: string) => void }) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 20, ranksep: 60, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: NODE_W, height: NODE_H });
  const known = new Set(nodes.map((n) => n.id));
  const shown = edges.filter((e) => known.has(e.from) && known.has(e.to));
  for (const e of shown) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const size = g.graph();
  const width = Math.max(size.width ?? 0, NODE_W + 20);
  const height = Math.max(size.height ?? 0, NODE_H + 20);
  return (
    // biome-ignore lint/a11y/useSemanticElements: the SVG itself groups the node buttons; a <fieldset> cannot hold SVG
    <svg className="lineage" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="group" aria-label="Lineage graph">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" className="arrow" />
        </marker>
      </defs>
      {shown.map((e) => {
        const pts: { x: number; y: number }[] = g.edge(e.from, e.to)?.points ?? [];
        const d = pts.map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x} ${p.y}`).join(' ');
        return (
          <path key={`${e.from}-${e.to}`} d={d} className="edge" markerEnd="url(#arrow)">
            <title>{e.label}</title>
          </path>
        );
      })}
      {nodes.map((n) => {
        const p = g.node(n.id);
        if (!p) return null;
        const x = p.x - NODE_W / 2;
        const y = p.y - NODE_H / 2;
        const open = () => onOpen(n.id);
        return (
          // biome-ignore lint/a11y/useSemanticElements: an SVG node cannot be a <button>; it takes focus and Enter like one
          <g
            key={n.id}
            className={`node ${n.kind}${n.focus ? ' focus' : ''}`}
            transform={`translate(${x} ${y})`}
            role="button"
            tabIndex={0}
            aria-label={`${n.kind} ${n.label}: open its lineage`}
            onClick={open}
            onKeyDown={(ev) => {
              if (ev.key === 'Enter' || ev.key === ' ') {
                ev.preventDefault();
                open();
              }
            }}
          >
            <rect width={NODE_W} height={NODE_H} rx={6} />
            <text x={8} y={17} className="kind">
              {n.kind}
            </text>
            <text x={8} y={34}>
              {n.label.length > 30 ? `${n.label.slice(0, 29)}…` : n.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
