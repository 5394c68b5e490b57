// Quantities as the scheduler needs them: plain numbers, malformed or missing values counting as 0
// (validation already rejected them at the API server).
import { milliValue as apiMilli, value as apiValue } from '../../api/quantity.ts';

/** Millicores, rounded up as resource.Quantity.MilliValue() does. */
export function milliValue(q: string | number | undefined | null): number {
  if (q === undefined || q === null) return 0;
  try {
    return apiMilli(q);
  } catch {
    return 0;
  }
}

/** Integer value (bytes, counts), rounded up as resource.Quantity.Value() does. */
export function intValue(q: string | number | undefined | null): number {
  if (q === undefined || q === null) return 0;
  try {
    return apiValue(q);
  } catch {
    return 0;
  }
}
