// Each tenant's virtual clock: real time plus an offset that only grows. Time keeps flowing, so a
// sandbox left running redelivers and expires as Antom would; `advance` jumps a tenant forward.
import type { Store } from "./store.js";

interface ClockRecord {
  offsetMs: number;
}

const DURATION = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds in an ISO 8601 duration of weeks, days, hours, minutes and seconds (`P7D`, `PT2M`, `PT1H30M`); undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m) return undefined;
  const [, w, d, h, min, s] = m;
  return (((Number(w ?? 0) * 7 + Number(d ?? 0)) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Math.round(Number(s ?? 0) * 1000);
}

export class Clocks {
  constructor(
    private readonly store: Store,
    private readonly realNow: () => number = Date.now,
  ) {}

  /** The tenant's current time, epoch milliseconds. */
  async now(tenant: string): Promise<number> {
    const clock = await this.store.get<ClockRecord>(tenant, "clock", "offset");
    return this.realNow() + (clock?.offsetMs ?? 0);
  }

  /** Moves the tenant's clock forward; returns the new time. */
  async advance(tenant: string, ms: number): Promise<number> {
    const clock = await this.store.update<ClockRecord>(tenant, "clock", "offset", (current) => ({ offsetMs: (current?.offsetMs ?? 0) + ms }));
    return this.realNow() + clock!.offsetMs;
  }
}

let lastSecond = NaN;
let lastText = "";
/** ISO 8601 with the UTC offset, as Antom writes times (`2024-05-01T10:00:00+00:00`). */
export function isoTime(ms: number): string {
  // Remembered for the second: a pay writes the same second several times.
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastText = `${new Date(second * 1000).toISOString().slice(0, 19)}+00:00`;
  }
  return lastText;
}
