// `$(VAR)` references in command, args and env values, with upstream's rules: `$$` is an escaped
// `$`, a reference to an unknown name stays as written, an unclosed `$(` and a lone `$` are kept.
import type { KeyValue } from '../cri/types.js';

export type Mapping = (name: string) => string;

/** A mapping over the given maps (first wins) that leaves unknown names as `$(name)`. */
export function mappingFor(...maps: (Map<string, string> | Record<string, string>)[]): Mapping {
  return (name) => {
    for (const m of maps) {
      const v = m instanceof Map ? m.get(name) : Object.hasOwn(m, name) ? m[name] : undefined;
      if (v !== undefined) return v;
    }
    return `$(${name})`;
  };
}

export function expand(input: string, mapping: Mapping): string {
  let out = '';
  let checkpoint = 0;
  for (let i = 0; i < input.length; i++) {
    if (input[i] !== '$' || i + 1 >= input.length) continue;
    out += input.slice(checkpoint, i);
    const next = input[i + 1];
    let advance = 1;
    if (next === '$') {
      out += '$';
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close === -1) {
        out += '$(';
      } else {
        out += mapping(input.slice(i + 2, close));
        advance = close - i;
      }
    } else {
      out += '$' + next;
    }
    i += advance;
    checkpoint = i + 1;
  }
  return out + input.slice(checkpoint);
}

/** Command and args with references to the container's final environment expanded. */
export function expandCommandAndArgs(container: { command?: string[]; args?: string[] }, env: KeyValue[]): { command: string[]; args: string[] } {
  const mapping = mappingFor(new Map(env.map((e) => [e.key, e.value])));
  return {
    command: (container.command ?? []).map((s) => expand(s, mapping)),
    args: (container.args ?? []).map((s) => expand(s, mapping)),
  };
}

/** Exec probe commands see only the container's literal `env` values, as upstream's prober. */
export function expandStatic(command: string[], env: { name: string; value?: string }[] | undefined): string[] {
  const literal = new Map<string, string>();
  for (const e of env ?? []) if (e.value !== undefined && e.value !== '') literal.set(e.name, e.value);
  const mapping = mappingFor(literal);
  return command.map((s) => expand(s, mapping));
}
