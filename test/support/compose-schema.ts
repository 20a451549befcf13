/** Validates a compose document against the compose-spec JSON schema (as shipped by dclint). */
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

let validateFn: ((doc: unknown) => boolean) & { errors?: unknown } | undefined;

export function composeSchemaErrors(doc: unknown): string[] {
  if (!validateFn) {
    const file = path.join(path.dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
    // the file's "$schema" URI is not one ajv knows; the schema itself is draft-07
    const { $schema: _ignored, ...schema } = JSON.parse(fs.readFileSync(file, 'utf-8'));
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
    addFormats(ajv);
    validateFn = ajv.compile(schema) as any;
  }
  if (validateFn!(doc)) return [];
  return ((validateFn as any).errors as Array<{ instancePath: string; message: string; params: unknown }>).map(
    (e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`,
  );
}
