// ECharts, with only what the panels draw registered (tree-shaken: bars, heat map, lines on a
// cartesian grid, canvas renderer), and the wall's dark palette.
import { BarChart, HeatmapChart, LineChart } from "echarts/charts";
import {
  GridComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapComponent,
} from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  BarChart,
  HeatmapChart,
  LineChart,
  GridComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export { echarts };
export type Chart = echarts.ECharts;
export type Option = echarts.EChartsCoreOption;

// Text on the wall's background (#0b1220-ish): both clear WCAG AA (4.5:1) by a wide margin
// (#e6edf3 ≈ 15:1, #a9b4c2 ≈ 8:1 on #0b1220).
export const TEXT = "#e6edf3";
export const MUTED = "#a9b4c2";
export const GRID_LINE = "#2a3546";
export const NO_DATA = "#3a4456";

// Group colours distinguishable on dark ground and for common colour-vision deficiencies
// (Okabe–Ito); a period is told apart by a hatch pattern, not by shade alone.
export const GROUP_COLOURS = ["#56b4e9", "#e69f00", "#009e73", "#f0e442", "#cc79a7", "#d55e00", "#a9b4c2"];

// Sequential, perceptually even and colour-blind safe (viridis).
export const HEAT = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];

export const HATCH = {
  symbol: "rect",
  dashArrayX: [1, 0],
  dashArrayY: [3, 3],
  rotation: -Math.PI / 4,
  color: "rgba(11, 18, 32, 0.55)",
};

export const FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif';

export function baseOption(): Option {
  return {
    backgroundColor: "transparent",
    textStyle: { color: TEXT, fontFamily: FONT, fontSize: 13 },
    animation: false,
    tooltip: {
      backgroundColor: "#152033",
      borderColor: GRID_LINE,
      textStyle: { color: TEXT, fontFamily: FONT },
    },
  };
}

export function axisStyle(): Record<string, unknown> {
  return {
    axisLine: { lineStyle: { color: GRID_LINE } },
    axisTick: { lineStyle: { color: GRID_LINE } },
    axisLabel: { color: MUTED, fontFamily: FONT, fontSize: 12 },
    splitLine: { lineStyle: { color: GRID_LINE } },
    nameTextStyle: { color: MUTED, fontFamily: FONT },
  };
}
