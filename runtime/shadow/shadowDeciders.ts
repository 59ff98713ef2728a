import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Decider } from '../../actors/index.ts';
import { deciderOf } from '../agents/deciderOf.ts';
import { parseAgentYamlData } from '../agents/loadAgentYaml.ts';

/**
 * The deciders shadow mode replays with: for each agent YAML in `<systemDir>/agents/` whose rules
 * file (by name) is in `rulesDir`, the agent's decider built from the new file — goals and decision
 * settings as the agent declares them. A model beside the rules is left out (a replay never calls a
 * model), and agents whose rules are inline or not in `rulesDir` are not replayed.
 */
export async function shadowDeciders(
  systemDir: string,
  rulesDir: string,
  env: Record<string, string | undefined> = process.env,
): Promise<Map<string, Decider>> {
  const agentsDir = join(systemDir, 'agents');
  const out = new Map<string, Decider>();
  for (const name of (await readdir(agentsDir)).filter((n) => n.endsWith('.yaml')).sort()) {
    const path = join(agentsDir, name);
    const y = parseAgentYamlData(await readFile(path, 'utf8'), path);
    if (typeof y.rules !== 'string') continue;
    const replacement = resolve(rulesDir, basename(y.rules));
    if (!existsSync(replacement)) continue;
    const readRelative = (rel: string) => readFile(rel === y.rules ? replacement : resolve(dirname(path), rel), 'utf8');
    // The replay compares against what was decided: no model, and no live shadow policy beside the new rules.
    const { llm: _model, shadow: _shadow, ...rulesOnly } = y;
    out.set(y.id, await deciderOf({ yaml: rulesOnly, source: path, readRelative, env }));
  }
  return out;
}
