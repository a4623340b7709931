// Static bearer tokens from `--token-auth-file`, upstream's format: a CSV file with at least three
// columns — token, user name, user uid — and an optional fourth, a quoted comma-separated list of
// groups (`31ada4fd-adec-460c-809a-9e56ceb75269,alice,1001,"dev,ops"`). Lines starting with `#`
// and blank lines are skipped. Read once at start, as upstream does.
import type { TokenEntry } from './authn.js';

export class TokenFileError extends Error {}

/** One CSV record: fields split on commas outside double quotes; `""` inside quotes is a quote. */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let start = true;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"' && start) {
      quoted = true;
      start = false;
    } else if (ch === ',') {
      out.push(cur);
      cur = '';
      start = true;
    } else if ((ch === ' ' || ch === '\t') && start) {
      // leading space of a field is trimmed, as Go's csv.Reader with TrimLeadingSpace
    } else {
      cur += ch;
      start = false;
    }
  }
  if (quoted) throw new TokenFileError('unterminated quoted field');
  out.push(cur);
  return out;
}

/** The token table of a token file's text; `path` names the file in errors and warnings. */
export function parseTokenFile(text: string, path: string, warn: (m: string) => void = () => undefined): TokenEntry[] {
  const byToken = new Map<string, TokenEntry>();
  let record = 0;
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    let fields: string[];
    try {
      fields = csvFields(line);
    } catch (e) {
      throw new TokenFileError(`token file '${path}' line ${i + 1}: ${(e as Error).message}`);
    }
    if (fields.length < 3) throw new TokenFileError(`token file '${path}' must have at least 3 columns (token, user name, user uid), found ${fields.length}`);
    record++;
    const [token, name] = fields as [string, string];
    if (!token) {
      warn(`empty token has been found in token file '${path}', record number '${record}'`);
      continue;
    }
    if (byToken.has(token)) warn(`duplicate token has been found in token file '${path}', record number '${record}'`);
    const groups = fields.length >= 4 && fields[3] !== '' ? fields[3]!.split(',') : [];
    byToken.set(token, { token, user: { name, groups } });
  }
  return [...byToken.values()];
}
