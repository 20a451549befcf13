/**
 * The env-file writer and parser: unit cases, and a property test that every value the writer
 * accepts is read back exactly by the real Docker Compose, with the dotenv readers agreeing
 * wherever the writer claims they do.
 */
import * as fc from 'fast-check';
import { composeReads, npmDotenvReads, pythonDotenv, pythonDotenvReads } from './support/dotenv-readers';
import { composeV2, describeWithTools } from './support/tools';
import { dotenvReadersAgree, EnvVariableSpec, formatEnvAssignment, mergeEnvFile, parseEnvFile } from '../src/env/env-file';

describe('formatEnvAssignment', () => {
  test.each([
    ['abc123', 'K=abc123'],
    ['postgresql://db:5432/shop', 'K=postgresql://db:5432/shop'],
    ['abc$def', "K='abc$def'"],
    ['p#ss word', "K='p#ss word'"],
    ["it's", 'K="it\'s"'],
    ["it's $HOME \"x\" \\", 'K="it\'s \\$HOME \\"x\\" \\\\"'],
    ['ends with \\', 'K="ends with \\\\"'],
    ['', 'K='],
  ])('%j is written as %s', (value, line) => {
    expect(formatEnvAssignment('K', value)).toBe(line);
  });

  test.each(['a\nb', 'a\rb', 'a\0b'])('%j is rejected with an error naming the variable', (value) => {
    expect(() => formatEnvAssignment('MY_VAR', value)).toThrow(/MY_VAR: values with line breaks or NUL characters cannot be written/);
  });
});

describe('parseEnvFile', () => {
  test('keeps every line verbatim and reads values as compose does', () => {
    const text = "# c\n\nexport A=1\nB='x $y' \nC=\"q \\\" \\$z\"\nD=v # comment\nE=\"multi\nline\"\n";
    const lines = parseEnvFile(text);
    expect(lines.map((l) => l.raw).join('\n') + '\n').toBe(text);
    const values = Object.fromEntries(lines.filter((l) => l.key).map((l) => [l.key, l.value]));
    expect(values).toEqual({ A: '1', B: 'x $y', C: 'q " $z', D: 'v', E: 'multi\nline' });
  });

  test('reports the line of an unparsable entry', () => {
    expect(() => parseEnvFile('A=1\n\nnot valid\n')).toThrow(/line 3: expected KEY=value/);
    expect(() => parseEnvFile("A='open\nB=2\n")).toThrow(/line 1: the single quote of A is never closed/);
  });
});

describe('mergeEnvFile', () => {
  const spec = (name: string, value = 'v'): EnvVariableSpec => ({
    name,
    description: `about ${name}`,
    initialValue: () => value,
    exampleValue: value,
    secret: false,
    usedBy: 'test',
  });

  test('appends missing keys, keeps the rest byte for byte, reports unused keys', () => {
    const existing = '# mine\nA=1\r\nOLD=x';
    const r = mergeEnvFile(existing, [spec('A'), spec('B', 'it is')], '.env');
    expect(r.text).toBe("# mine\nA=1\r\nOLD=x\n\n# about B\nB='it is'\n");
    expect(r.added).toEqual(['B']);
    expect(r.unused).toEqual(['OLD']);
  });

  test('warns about a value compose would interpolate, naming the line', () => {
    const r = mergeEnvFile('A=1\nPASS=abc$def\nQ="x$y"\nS=\'ok$\'\n', [spec('A')], '.env');
    expect(r.warnings).toEqual([
      expect.stringMatching(/^\.env:2: PASS contains "\$".*unquoted.*single quotes/),
      expect.stringMatching(/^\.env:3: Q contains "\$".*double-quoted/),
    ]);
    expect(r.text).toBe('A=1\nPASS=abc$def\nQ="x$y"\nS=\'ok$\'\n');
  });
});

describeWithTools('env values read back by Docker Compose and the dotenv readers', [composeV2(), pythonDotenv()], () => {
  const seed = Number(process.env.ENV_PROPERTY_SEED ?? 20261203);
  const runs = Number(process.env.ENV_PROPERTY_RUNS ?? 10_000);
  // the characters that break hand-written env files, plus unicode beyond the BMP
  const tricky = ['$', '#', '"', "'", '\\', ' ', '=', '{', '}', '`', '\t', '!', '*', '~', ':', '@', 'a', 'Z', '0', 'é', '✓', '😀', '\u00a0'];
  const values = fc
    .sample(
      fc.oneof(
        fc.string({ maxLength: 40 }), // printable ASCII
        fc.stringOf(fc.constantFrom(...tricky), { maxLength: 24 }),
        fc.fullUnicodeString({ maxLength: 24 }), // every code point, control characters included
        fc.tuple(fc.constantFrom('$', '${', '$$', '\\', "'", '"'), fc.string({ maxLength: 12 })).map(([a, b]) => a + b),
      ),
      { numRuns: runs, seed },
    )
    .filter((v) => !/[\n\r\0]/.test(v)); // rejected by the writer (unit-tested above)

  test(`${runs} generated values (seed ${seed}): compose reads every accepted value exactly`, () => {
    expect(values.length).toBeGreaterThan(runs * 0.9);
    const keys = values.map((_, i) => `V${i}`);
    const lines = values.map((v, i) => formatEnvAssignment(keys[i], v));
    const mismatches: Array<{ value: string; line: string; read: string }> = [];
    for (let start = 0; start < values.length; start += 2500) {
      const batch = keys.slice(start, start + 2500);
      const read = composeReads(lines.slice(start, start + 2500).join('\n') + '\n', batch);
      batch.forEach((k, j) => {
        const value = values[start + j];
        if (read[k] !== value) mismatches.push({ value, line: lines[start + j], read: read[k] });
      });
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });

  test('python-dotenv and npm dotenv read the value wherever the writer claims they agree', () => {
    const lines = values.map((v, i) => formatEnvAssignment(`V${i}`, v));
    const npm = npmDotenvReads(lines);
    const py = pythonDotenvReads(lines);
    let claimed = 0;
    let agree = 0;
    const wrongClaims: Array<{ value: string; line: string; npm?: string; python?: string | null }> = [];
    values.forEach((value, i) => {
      const same = npm[i] === value && py[i] === value;
      if (same) agree++;
      if (dotenvReadersAgree(value)) {
        claimed++;
        if (!same) wrongClaims.push({ value, line: lines[i], npm: npm[i], python: py[i] });
      }
    });
    // eslint-disable-next-line no-console
    console.log(
      `env values: ${values.length}; all three readers agree on ${((100 * agree) / values.length).toFixed(1)}%; ` +
        `the writer claims agreement for ${((100 * claimed) / values.length).toFixed(1)}%`,
    );
    expect(wrongClaims.slice(0, 10)).toEqual([]);
    expect(claimed / values.length).toBeGreaterThan(0.5);
  });
});
