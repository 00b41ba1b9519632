// Refresh schemas/buildkitd.schema.json from `bklint schema`, the single source of the
// schema, whenever bklint is installed; otherwise keep the committed copy so packaging
// works on machines without Python. Set BKLINT=/path/to/bklint to choose the executable.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas', 'buildkitd.schema.json');
const generators = process.env.BKLINT
  ? [[process.env.BKLINT, ['schema']]]
  : [
      ['bklint', ['schema']],
      ['python3', ['-m', 'bklint.linter', 'schema']],
    ];

const failures = [];
for (const [command, args] of generators) {
  const shown = [command, ...args].join(' ');
  const run = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (run.error || run.status !== 0) {
    const reason = run.error ? run.error.message : (run.stderr.trim().split('\n').pop() ?? `exit ${run.status}`);
    failures.push(`${shown}: ${reason}`);
    continue;
  }
  let schema;
  try {
    schema = JSON.parse(run.stdout);
  } catch (error) {
    failures.push(`${shown}: output is not JSON (${error.message})`);
    continue;
  }
  if (schema === null || typeof schema !== 'object' || typeof schema.properties !== 'object') {
    failures.push(`${shown}: output is not a JSON Schema with top-level properties`);
    continue;
  }
  // Keep bklint's own text: a JSON round trip through JavaScript numbers would turn the
  // 64-bit bounds (9223372036854775807) into 9223372036854776000.
  const text = run.stdout.endsWith('\n') ? run.stdout : `${run.stdout}\n`;
  if (existsSync(target) && readFileSync(target, 'utf8') === text) {
    console.log(`schema: ${target} is up to date with \`${shown}\``);
  } else {
    writeFileSync(target, text);
    console.log(`schema: wrote ${target} from \`${shown}\``);
  }
  process.exit(0);
}

if (existsSync(target)) {
  console.log(`schema: bklint could not generate the schema; keeping the committed ${target}`);
  for (const failure of failures) {
    console.log(`  ${failure}`);
  }
  process.exit(0);
}
console.error(`schema: no committed ${target} and bklint could not generate one:`);
for (const failure of failures) {
  console.error(`  ${failure}`);
}
process.exit(1);
