/**
 * The Adaptive Cards 1.5 schema (cards/schema, a copy with its source and
 * licence), compiled once, and a check of a rendered card against it.
 */
import { readFileSync } from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json';
import { expect } from 'vitest';
import type { AdaptiveCard } from '../../src/cards/render';
import { ASSETS } from '../../src/project';

const SCHEMA_PATH = ASSETS.cardSchema;
let validateCard: ValidateFunction | undefined;

/** RFC 3986 characters: unreserved, reserved, and percent-escapes. */
const URI_CHARACTERS = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;

/** RFC 3986 URI: a scheme, then URI characters only. */
function isUri(value: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) && URI_CHARACTERS.test(value);
}

/** RFC 3986 URI-reference: URI characters only. */
function isUriReference(value: string): boolean {
  return URI_CHARACTERS.test(value);
}

function compile(): ValidateFunction {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  // The schema declares draft-06 but names itself with draft-04's "id"; Ajv 8 only reads "$id".
  const { id, ...rest } = schema;
  expect(id).toBe('http://adaptivecards.io/schemas/adaptive-card.json');
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(draft06);
  // The schema's two formats, checked for real (ajv-formats is not installed).
  ajv.addFormat('uri', isUri);
  ajv.addFormat('uri-reference', isUriReference);
  return ajv.compile({ $id: id as string, ...rest });
}

/** Teams' people picker: the one value `choices.data` may take (msteams-docs, people-picker.md). */
const PEOPLE_PICKER = { type: 'Data.Query', dataset: 'graph.microsoft.com/users' };

/** Removes `choices.data` from every Input.ChoiceSet, checking it is exactly the people picker. */
function withoutPeoplePickers(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutPeoplePickers);
  if (!node || typeof node !== 'object') return node;
  const { 'choices.data': picker, ...rest } = node as Record<string, unknown>;
  if (picker !== undefined) {
    expect(rest.type).toBe('Input.ChoiceSet');
    expect(picker).toEqual(PEOPLE_PICKER);
  }
  return Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, withoutPeoplePickers(v)]));
}

/**
 * Validates a rendered card. `msteams` (width, mention entities) and
 * `choices.data` (the people picker) are Teams' documented extensions; the
 * core schema does not know them, so they are checked separately and left out here.
 */
/** Whether the card is valid against the core schema (no Teams extensions stripped). */
export function isValidCard(card: unknown): boolean {
  validateCard ??= compile();
  return validateCard(card) as boolean;
}

export function expectValidCard(card: AdaptiveCard, version = '1.5'): void {
  validateCard ??= compile();
  const { msteams: _msteams, ...rest } = card;
  const core = withoutPeoplePickers(rest);
  const valid = validateCard(core);
  expect(validateCard.errors ?? [], JSON.stringify(validateCard.errors, null, 1)).toEqual([]);
  expect(valid).toBe(true);
  expect(card.version).toBe(version);
  expect(card.type).toBe('AdaptiveCard');
}
