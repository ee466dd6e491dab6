/**
 * The `timeout` of `execute?wait=true`: seconds (`30`, `2.5`) or an ISO-8601 duration with days,
 * hours, minutes and seconds (`PT30S`, `PT5M`, `P1DT2H`). Undefined when it is neither.
 */
const ISO = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;
const UNITS_MS = [86_400_000, 3_600_000, 60_000, 1000];

export function parseTimeout(text: string): number | undefined {
  const s = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const m = ISO.exec(s);
  if (!m || m.slice(1).every((g) => g === undefined) || /T$/i.test(s)) return undefined;
  let ms = 0;
  m.slice(1).forEach((g, i) => {
    if (g !== undefined) ms += Number(g) * UNITS_MS[i]!;
  });
  return Math.round(ms);
}
