export const BUDGET: { uploadBytes: number; gzipBytes: number; startupCpuMs: number };
export const TRIMMED: RegExp[];
export interface Measurement {
  modules: Record<string, number>;
  uploadBytes: number;
  gzipBytes: number;
  inputs: string[];
  carried: string[];
  startupMs: number[];
}
export function startupCpuMs(outDir: string): Promise<number>;
export function measure(options?: { runs?: number }): Promise<Measurement>;
export function overBudget(measurement: Omit<Measurement, "modules" | "inputs">, budget?: typeof BUDGET): string[];
