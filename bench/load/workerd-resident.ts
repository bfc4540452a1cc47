/**
 * Holds workerd's resident memory under load to the bare-Worker control: the gateway may grow per
 * call at most a margin above what workerd grows per request with a Worker that does nothing,
 * since workerd's own growth is not ours to fix.
 */
import type { SettledGrowth } from './memory-growth.ts';

/** The control: the resident memory of every workerd process under `wrangler dev` running a Worker that only answers "ok". */
export interface BareWorkerControl {
  /** Requests counted (after the control's own warm-up requests). */
  requests: number;
  /** Concurrent clients sending them. */
  clients: number;
  /** Summed resident memory of the workerd processes before and after the counted requests. */
  beforeMiB: number;
  afterMiB: number;
  /** `(after - before) / requests`, at least 0. */
  kibPerRequest: number;
}

/** The local stack's workerd resident memory per call, against the control's per request. */
export interface WorkerdResidentGrowth extends SettledGrowth {
  /** `growth / callsToSettle`. */
  kibPerCall: number;
  control: BareWorkerControl;
  /** The most per call allowed, as a multiple of the control's growth per request. */
  margin: number;
  /** `control.kibPerRequest * margin`. */
  boundKiBPerCall: number;
  withinBound: boolean;
}

const tenth = (value: number) => Math.round(value * 10) / 10;

/**
 * The control's growth per request, from the summed workerd resident memory (KiB) before and
 * after `requests` requests. Pure.
 *
 * @example
 * ```ts
 * bareWorkerControl(4_000, 16, 240 * 1024, 482 * 1024).kibPerRequest; // 62
 * ```
 */
export function bareWorkerControl(
  requests: number,
  clients: number,
  beforeKiB: number,
  afterKiB: number,
): BareWorkerControl {
  if (requests <= 0) throw new Error('the control needs at least one request to tell growth per request');
  return {
    requests,
    clients,
    beforeMiB: tenth(beforeKiB / 1024),
    afterMiB: tenth(afterKiB / 1024),
    kibPerRequest: tenth(Math.max(0, afterKiB - beforeKiB) / requests),
  };
}

/**
 * Spreads the stack's settled workerd growth over the calls it happened over (from the end of
 * the warm-up to the settled sample) and compares it with the control's growth per request
 * times `margin`: what `wrangler dev` costs any Worker per request is not ours, only what
 * exceeds it. Pure.
 *
 * @example
 * ```ts
 * const verdict = workerdResidentGrowth(settledGrowth(series, 30), control, 1.5);
 * verdict.kibPerCall; // e.g. 21.9
 * ```
 */
export function workerdResidentGrowth(
  growth: SettledGrowth,
  control: BareWorkerControl,
  margin: number,
): WorkerdResidentGrowth {
  if (growth.callsToSettle <= 0)
    throw new Error('no calls between the warm-up and the settled sample: nothing to spread the growth over');
  const kibPerCall = tenth((growth.growthMiB * 1024) / growth.callsToSettle);
  const boundKiBPerCall = tenth(control.kibPerRequest * margin);
  return { ...growth, kibPerCall, control, margin, boundKiBPerCall, withinBound: kibPerCall <= boundKiBPerCall };
}
