// batch/v1: jobs (STATUS from conditions, COMPLETIONS "1/3" or "0/1 of 2", DURATION) and
// cron jobs (SCHEDULE, TIMEZONE, SUSPEND, ACTIVE, LAST SCHEDULE).

import { formatLabelSelector, type LabelSelectorSpec } from '../selectors/label-selector.js';
import { at, has, int, list, record, str } from './access.js';
import { age, containerCells, humanDuration, parseTime, printBoolPtr, since } from './format.js';
import { ageColumn, column, nameColumn, templateColumns, type TablePrinter } from './table.js';

const name = (obj: unknown): string => str(obj, 'metadata', 'name');
const selector = (obj: unknown, ...path: string[]): string => {
  const s = at(obj, ...path);
  return formatLabelSelector(s !== null && typeof s === 'object' ? (s as LabelSelectorSpec) : undefined);
};

/** hasJobCondition: the first condition of that type decides. */
function jobCondition(job: unknown, type: string): boolean {
  const c = list(job, 'status', 'conditions').find((x) => str(x, 'type') === type);
  return c !== undefined && str(c, 'status') === 'True';
}

export function jobStatus(job: unknown): string {
  if (jobCondition(job, 'Complete')) return 'Complete';
  if (jobCondition(job, 'Failed')) return 'Failed';
  if (str(job, 'metadata', 'deletionTimestamp') !== '') return 'Terminating';
  if (jobCondition(job, 'Suspended')) return 'Suspended';
  if (jobCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export function jobCompletions(job: unknown): string {
  const succeeded = int(job, 'status', 'succeeded');
  if (has(job, 'spec', 'completions')) return `${succeeded}/${int(job, 'spec', 'completions')}`;
  const parallelism = int(job, 'spec', 'parallelism');
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

export function jobDuration(job: unknown, now: number): string {
  const start = parseTime(at(job, 'status', 'startTime'));
  if (start === undefined) return '';
  const end = parseTime(at(job, 'status', 'completionTime'));
  return end === undefined ? humanDuration(now - start) : humanDuration(end - start);
}

export const jobPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Status', 'Status of the job.'),
    column('Completions', 'The number of pods which reached phase Succeeded.'),
    column('Duration', 'Time required to complete the job.'),
    ageColumn(),
    ...templateColumns('A label query over pods that should match the pod count.'),
  ],
  row(job, now) {
    const [names, images] = containerCells(record(job, 'spec', 'template', 'spec'));
    return [name(job), jobStatus(job), jobCompletions(job), jobDuration(job, now), age(job, now), names, images, selector(job, 'spec', 'selector')];
  },
};

export const cronJobPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Schedule', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    column('Timezone', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.'),
    column('Suspend', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.', { type: 'boolean' }),
    column('Active', 'A list of pointers to currently running jobs.', { type: 'integer' }),
    column('Last Schedule', 'Information when was the last time the job was successfully scheduled.'),
    ageColumn(),
    ...templateColumns('A label query over pods that should match the pod count.'),
  ],
  row(cj, now) {
    const lastSchedule = has(cj, 'status', 'lastScheduleTime') ? since(at(cj, 'status', 'lastScheduleTime'), now) : '<none>';
    const timeZone = at(cj, 'spec', 'timeZone');
    const [names, images] = containerCells(record(cj, 'spec', 'jobTemplate', 'spec', 'template', 'spec'));
    return [
      name(cj),
      str(cj, 'spec', 'schedule'),
      typeof timeZone === 'string' ? timeZone : '<none>',
      printBoolPtr(at(cj, 'spec', 'suspend')),
      list(cj, 'status', 'active').length,
      lastSchedule,
      age(cj, now),
      names,
      images,
      selector(cj, 'spec', 'jobTemplate', 'spec', 'selector'),
    ];
  },
};
