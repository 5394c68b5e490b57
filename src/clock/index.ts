// Time and chance for every layer: the Clock (real or virtual) and the Random source.
export { realClock, ManualClock, sleepOn, type Clock, type Timer } from './clock.ts';
export { VirtualClock, type VirtualClockOptions } from './virtual.ts';
export { SkewedClock, parseSkew, formatSkew, CLOCK_SKEW_ENV, type SkewOptions } from './skewed.ts';
export { cryptoRandom, mulberry32, seededRandom, type Random } from './random.ts';
