// admissionregistration.k8s.io webhook configurations: name, number of webhooks, age (upstream
// printers.go addMutating/ValidatingWebhookConfiguration handlers).
import { at, str } from './access.js';
import { age } from './format.js';
import { ageColumn, column, nameColumn, type TablePrinter } from './table.js';

export const webhookConfigurationPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Webhooks', 'Webhooks indicates the number of webhooks registered in this configuration', { type: 'integer' }),
    ageColumn(),
  ],
  row: (c, now) => {
    const hooks = at(c, 'webhooks');
    return [str(c, 'metadata', 'name'), Array.isArray(hooks) ? hooks.length : 0, age(c, now)];
  },
};
