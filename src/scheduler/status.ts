// The result every plugin returns, as the framework's Status: a code and the reasons shown to
// users (FailedScheduling messages are built from them). Expected outcomes are never thrown.

export type Code = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error' | 'Skip';

export interface Status {
  readonly code: Code;
  readonly reasons: readonly string[];
  /** The plugin that produced a rejection (so the queue knows which events may help). */
  plugin?: string;
}

export const SUCCESS: Status = Object.freeze({ code: 'Success', reasons: Object.freeze([]) as readonly string[] });
export const SKIP: Status = Object.freeze({ code: 'Skip', reasons: Object.freeze([]) as readonly string[] });

export function unschedulable(...reasons: string[]): Status {
  return { code: 'Unschedulable', reasons };
}

export function unresolvable(...reasons: string[]): Status {
  return { code: 'UnschedulableAndUnresolvable', reasons };
}

export function errorStatus(message: string): Status {
  return { code: 'Error', reasons: [message] };
}

export function isSuccess(s: Status | undefined | null): boolean {
  return !s || s.code === 'Success';
}

/** Unschedulable or UnschedulableAndUnresolvable: the pod does not fit (as opposed to an error). */
export function isRejected(s: Status): boolean {
  return s.code === 'Unschedulable' || s.code === 'UnschedulableAndUnresolvable';
}

export function statusMessage(s: Status): string {
  return s.reasons.join(', ');
}
