/**
 * src/cards/template.ts against adaptivecards-templating, the library whose
 * rules it implements: every case here is expanded by both and must come
 * out the same. Random data (fast-check) covers the values a template can
 * meet: missing, null, '', 0, false, arrays of none, one and many.
 * test/cards/templates.test.ts does the same for every real card it renders,
 * through every template in cards/ (so each of them compiles).
 */
import { Template } from 'adaptivecards-templating';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CardTemplate, TemplateSyntaxError } from '../../src/cards/template';

const library = (template: object, data: object) => new Template(template).expand({ $root: data }) as unknown;
const ours = (template: object, data: object) => new CardTemplate(template).expand(data);

/** Both expansions, or both failures. */
function expectSameAsLibrary(template: object, data: object): void {
  let expected: { value: unknown } | { error: true };
  try {
    expected = { value: library(template, data) };
  } catch {
    expected = { error: true };
  }
  if ('error' in expected) expect(() => ours(template, data)).toThrow();
  else expect(ours(template, data)).toEqual(expected.value);
}

const card = (...body: unknown[]) => ({ type: 'AdaptiveCard', version: '1.5', body });

describe('the card template engine, against adaptivecards-templating', () => {
  it.each([
    [
      'a plain value, keeping its type',
      card({ type: 'TextBlock', text: '${text}', isVisible: '${shown}', size: '${n}' }),
      { text: 'hi', shown: false, n: 3 },
    ],
    ['text and values joined', card({ type: 'TextBlock', text: 'Due ${when} (${n} left, ${flag})' }), { when: 'Mon', n: 0, flag: true }],
    ['a missing value, rendered as its own binding', card({ type: 'TextBlock', text: '${missing.deep}', label: 'a ${missing} b' }), {}],
    ['a null value, kept as null', card({ type: 'TextBlock', text: '${nothing}' }), { nothing: null }],
    [
      'user text that looks like a binding, inserted as text',
      card({ type: 'TextBlock', text: '${summary}', label: 'x ${summary}' }),
      { summary: 'Retry ${receiver.name} ${count(x)}' },
    ],
    [
      '$when on true, false, a string and a missing value',
      card({ type: 'A', $when: '${a}' }, { type: 'B', $when: '${b}' }, { type: 'C', $when: '${s}' }, { type: 'D', $when: '${gone}' }),
      { a: true, b: false, s: 'yes' },
    ],
    [
      '$when that is no expression',
      card({ type: 'A', $when: 'true' }, { type: 'B', $when: false }, { type: 'C', $when: true }, { type: 'D', $when: 'x ${a}' }),
      { a: true },
    ],
    [
      "truthiness: '' and 0 are true, null false",
      card(
        { type: 'A', $when: '${!empty}' },
        { type: 'B', $when: '${!zero}' },
        { type: 'C', $when: '${!nil}' },
        { type: 'D', $when: '${empty && zero}' },
      ),
      { empty: '', zero: 0, nil: null },
    ],
    [
      '== and != with strings, numbers, null and missing values',
      card({ type: 'A', v: "${s == 'ready'}", w: '${s != ""}', x: '${n == 2}', y: '${nil == gone}', z: "${gone != ''}" }),
      { s: 'ready', n: 2, nil: null },
    ],
    [
      'comparisons, and comparisons that cannot be made',
      card({ type: 'A', v: '${n > 0}', w: '${n <= 1}', x: '${s > 0}', y: '${gone > 0}', z: "${s >= 'a'}" }),
      { n: 1, s: 'b' },
    ],
    [
      '|| and && with failing operands',
      card({ type: 'A', v: '${count(gone) > 0 || a}', w: '${a && count(gone) > 0}', x: '${(a || b) && !b}' }),
      { a: true, b: false },
    ],
    [
      'count of arrays, strings and objects; of nothing, a failure',
      card({ type: 'A', v: '${count(xs)}', w: '${count(s)}', x: '${count(o)}', y: 'n=${count(gone)}', z: '${count(xs) == 0}' }),
      { xs: [1, 2], s: 'abc', o: { a: 1 } },
    ],
    [
      '$data repeating an element, with $index and $data',
      card({ type: 'T', $data: '${items}', text: '${$index}: ${name} (${$root.title})', raw: '${$data.name}' }),
      { title: 'List', items: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] },
    ],
    [
      '$data over one item and over none',
      card({ type: 'One', $data: '${one}', text: '${name}' }, { type: 'None', $data: '${none}', text: '${name}' }),
      { one: [{ name: 'only' }], none: [] },
    ],
    ['$data over strings', card({ type: 'T', $data: '${tags}', text: '${$data}' }), { tags: ['x', 'y'] }],
    [
      '$data with $when, per item',
      card({ type: 'T', $data: '${items}', $when: '${on}', text: '${name}' }),
      { items: [{ name: 'a', on: true }, { name: 'b', on: false }, { name: 'c' }] },
    ],
    [
      '$data as an object, as the scope of its children',
      card({ type: 'C', $data: '${person}', items: [{ type: 'T', text: '${name} of ${$root.team}' }] }),
      { team: 'Ops', person: { name: 'Ada' } },
    ],
    [
      'nested $data, $index of the inner array',
      card({ type: 'G', $data: '${groups}', items: [{ type: 'T', $data: '${rows}', text: '${$index} ${label}' }] }),
      { groups: [{ rows: [{ label: 'a' }, { label: 'b' }] }, { rows: [] }] },
    ],
    [
      'a dropped object as a property value, kept as null',
      card({ type: 'A', selectAction: { type: 'Action', $when: '${no}' } }),
      { no: false },
    ],
    ['a property name in another case', card({ type: 'T', text: '${Name}' }), { name: 'lower' }],
    [
      'numbers, booleans and nulls in the template kept',
      card({ type: 'T', n: 2, b: false, z: null, nested: [[1], { a: '${x}' }] }),
      { x: 'y' },
    ],
  ])('%s', (_name, template, data) => expectSameAsLibrary(template, data));

  it('matches it on random data of every shape, for a template using every construct', () => {
    const template = card(
      { type: 'A', $when: '${flag}', text: '${text}', label: 'x ${text} y', visible: '${!flag}' },
      { type: 'B', $when: "${text != '' && !flag}", n: '${count(list)}' },
      { type: 'C', $data: '${list}', text: '${$index}: ${name}', root: '${$root.text}', $when: '${count(tags) > 0 || ok}' },
      { type: 'D', $when: "${text == 'x' || n >= 1}" },
    );
    const value = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.constantFrom('', 'x', 'Retry ${a}'),
      fc.constantFrom(0, 1, 2),
      fc.boolean(),
    );
    const item = fc.record(
      { name: value, tags: fc.oneof(value, fc.array(fc.string(), { maxLength: 2 })), ok: value },
      { requiredKeys: [] },
    );
    const data = fc.record(
      { flag: value, text: value, n: value, list: fc.oneof(value, fc.array(item, { maxLength: 3 })) },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(data, (d) => expectSameAsLibrary(template, d)),
      { numRuns: 400 },
    );
  });
});

describe('a template the engine cannot read', () => {
  it.each([
    ['a function it does not implement', '${join(items, ", ")}', /join\(\) is not supported/],
    ['an operator it does not implement', '${a + b}', /Cannot read the template expression \$\{a \+ b\}/],
    ['a binding that never closes', 'text ${a', /never closes/],
    ['a $-name templating does not define here', '${$host.x}', /\$host is not supported/],
  ])('fails when compiled, naming the expression: %s', (_name, text, message) => {
    expect(() => new CardTemplate(card({ type: 'T', text }))).toThrow(TemplateSyntaxError);
    expect(() => new CardTemplate(card({ type: 'T', text }))).toThrow(message);
  });
});
