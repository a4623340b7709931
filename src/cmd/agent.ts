// `kts agent`: runs a node agent. Only simulated nodes exist so far (--simulated).
export async function agentCommand(_args: string[]): Promise<number> {
  process.stderr.write('kts agent: only --simulated nodes are available in this kts version (not implemented yet)\n');
  return 1;
}
