import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { GovernancePolicy, RulesDecider } from '../actors/index.ts';
import { MandateError } from '../kernel/index.ts';
import { AgentDefinitionError, agentYamlSchema } from '../runtime/index.ts';
import { UsageError } from './errors.ts';

/**
 * `mandate validate <files>`: checks agent, rule and governance YAML files
 * (kind guessed from the top-level keys) and prints one line per file.
 */
export async function validateCommand(files: string[]): Promise<number> {
  if (files.length === 0) throw new UsageError('Name at least one YAML file to validate.');
  let failed = 0;
  for (const file of files) {
    try {
      const text = await readFile(file, 'utf8');
      const raw = parseYaml(text) as Record<string, unknown> | null;
      if (raw !== null && typeof raw === 'object' && 'id' in raw) {
        const r = agentYamlSchema.safeParse(raw);
        if (!r.success) {
          const issue = r.error.issues[0]!;
          throw new AgentDefinitionError(`"${issue.path.join('.')}" ${issue.message}; fix that field of ${file}.`, {
            field: issue.path.join('.'),
          });
        }
      } else if (raw !== null && typeof raw === 'object' && ('approvalTimeout' in raw || 'groupBudgets' in raw))
        GovernancePolicy.fromYaml(text, () => undefined, file);
      else RulesDecider.fromYaml(text, file);
      console.log(`ok    ${file}`);
    } catch (error) {
      failed++;
      console.log(
        `error ${file}: ${error instanceof MandateError ? `${error.code}: ${error.message}` : (error as Error).message}`,
      );
    }
  }
  return failed === 0 ? 0 : 1;
}
