// The part of autocannon's API bench/api-external.ts uses (the package ships no types).
declare module 'autocannon' {
  const autocannon: (opts: Record<string, unknown>) => Promise<Record<string, any>>;
  export default autocannon;
}
