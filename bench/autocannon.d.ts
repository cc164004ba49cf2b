// The part of autocannon's API the serve benches use (the package ships no types and
// @types/autocannon is not a dependency).
declare module 'autocannon' {
  export interface Histogram {
    average: number;
    p50: number;
    p99: number;
  }
  export interface Result {
    errors: number;
    '4xx': number;
    '5xx': number;
    requests: Histogram;
    latency: Histogram;
    throughput: Histogram;
  }
  export interface Options {
    url: string;
    connections?: number;
    duration?: number;
    headers?: Record<string, string>;
  }
  function autocannon(options: Options, done: (error: Error | null, result: Result) => void): void;
  export default autocannon;
}
