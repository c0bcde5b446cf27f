/**
 * Adaptive Card Templating, the part of it the templates in cards/ use,
 * as typed code: `$data` (one object, or an array the element repeats
 * over), `$when`, `$root`, `$index`, and `${...}` expressions made of
 * property paths, string and number literals, `!`, `&&`, `||`, `==`, `!=`,
 * `<`, `<=`, `>`, `>=`, parentheses and `count()`.
 *
 * Why not adaptivecards-templating itself: it brings adaptive-expressions
 * and the ANTLR runtime, about 700 KB that every cold start parses before
 * the first card (a fifth of Baton's start). The semantics are the
 * library's, rule for rule (truthiness, `==`, what a missing value renders
 * as, what an error does in `$when`), and test/cards/template.test.ts
 * checks them against the library, which the tests keep as the reference,
 * as does every card test/cards/templates.test.ts renders.
 *
 * A template using anything else fails when it is first compiled, with the
 * expression in the message, rather than rendering something else.
 */

type Expr =
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'path'; path: string; root: '$root' | '$data' | '$index'; keys: string[] }
  | { kind: 'not'; operand: Expr }
  | { kind: 'and' | 'or'; operands: Expr[] }
  | { kind: 'compare'; op: '==' | '!=' | '<' | '<=' | '>' | '>='; left: Expr; right: Expr }
  | { kind: 'count'; operand: Expr };

/** A template, compiled: JSON with its strings turned into expressions where they hold `${...}`. */
type Compiled =
  | { kind: 'json'; value: unknown }
  | { kind: 'expr'; expr: Expr; source: string }
  | { kind: 'concat'; parts: (string | { expr: Expr; source: string })[] }
  | { kind: 'array'; items: Compiled[] }
  | { kind: 'object'; entries: [string, Compiled][]; when?: Compiled; data?: Compiled };

/** The fields templating reserves: never copied into the card. */
const RESERVED = new Set(['$data', '$when', '$root', '$index', '$host', '$_acTemplateVersion']);

/** An expression that failed to evaluate, as adaptive-expressions reports one. */
class EvaluationError extends Error {}

// ---------------------------------------------------------------------------
// Compiling

/** Thrown for a template this renderer does not understand: the template is wrong or needs a rule added here. */
export class TemplateSyntaxError extends Error {}

const TOKEN = /\s*(?:(\d+(?:\.\d+)?)|'([^']*)'|"([^"]*)"|([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)|(&&|\|\||==|!=|<=|>=|[!<>(),]))/y;

type Token = { number: number } | { string: string } | { name: string } | { op: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    if (/^\s*$/.test(source.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(source);
    if (!m) throw new TemplateSyntaxError(`Cannot read the template expression \${${source}} at "${source.slice(at).trim()}"`);
    if (m[1] !== undefined) tokens.push({ number: Number(m[1]) });
    else if (m[2] !== undefined || m[3] !== undefined) tokens.push({ string: m[2] ?? m[3] ?? '' });
    else if (m[4] !== undefined) tokens.push({ name: m[4] });
    else tokens.push({ op: m[5] ?? '' });
  }
  return tokens;
}

/** Precedence climbing over the operators above; `!` binds tightest, `||` loosest. */
function parseExpression(source: string): Expr {
  const tokens = tokenize(source);
  let i = 0;
  const fail = (what: string): never => {
    throw new TemplateSyntaxError(`Cannot read the template expression \${${source}}: ${what}`);
  };
  const isOp = (op: string) => {
    const t = tokens[i];
    return t !== undefined && 'op' in t && t.op === op;
  };
  const expect = (op: string) => {
    if (!isOp(op)) fail(`expected "${op}"`);
    i++;
  };

  const primary = (): Expr => {
    const t = tokens[i++];
    if (t === undefined) return fail('it ends too early');
    if ('number' in t) return { kind: 'literal', value: t.number };
    if ('string' in t) return { kind: 'literal', value: t.string };
    if ('op' in t) {
      if (t.op === '!') return { kind: 'not', operand: primary() };
      if (t.op === '(') {
        const inner = or();
        expect(')');
        return inner;
      }
      return fail(`unexpected "${t.op}"`);
    }
    if (isOp('(')) {
      if (t.name !== 'count') fail(`the function ${t.name}() is not supported (only count())`);
      i++;
      const operand = or();
      expect(')');
      return { kind: 'count', operand };
    }
    if (t.name === 'true' || t.name === 'false') return { kind: 'literal', value: t.name === 'true' };
    if (t.name === 'null') return { kind: 'literal', value: null };
    const [first = '', ...rest] = t.name.split('.');
    if (first === '$root' || first === '$data' || first === '$index') return { kind: 'path', path: t.name, root: first, keys: rest };
    if (first.startsWith('$')) fail(`${first} is not supported`);
    return { kind: 'path', path: t.name, root: '$data', keys: [first, ...rest] };
  };
  const comparison = (): Expr => {
    const left = primary();
    const t = tokens[i];
    if (t !== undefined && 'op' in t && ['==', '!=', '<', '<=', '>', '>='].includes(t.op)) {
      i++;
      return { kind: 'compare', op: t.op as '==', left, right: primary() };
    }
    return left;
  };
  const chain = (op: '&&' | '||', next: () => Expr) => (): Expr => {
    const operands = [next()];
    while (isOp(op)) {
      i++;
      operands.push(next());
    }
    return operands.length === 1 ? operands[0]! : { kind: op === '&&' ? 'and' : 'or', operands };
  };
  const and = chain('&&', comparison);
  const or = chain('||', and);

  const expr = or();
  if (i < tokens.length) fail('unexpected text after the expression');
  return expr;
}

/** A string with `${...}` in it: one expression (which keeps its value's type) or text and expressions joined. */
function compileString(text: string): Compiled {
  if (!text.includes('${')) return { kind: 'json', value: text };
  const parts: (string | { expr: Expr; source: string })[] = [];
  let rest = text;
  for (let start = rest.indexOf('${'); start >= 0; start = rest.indexOf('${')) {
    const end = rest.indexOf('}', start);
    if (end < 0) throw new TemplateSyntaxError(`A template string opens \${ and never closes it: ${text}`);
    if (start > 0) parts.push(rest.slice(0, start));
    const source = rest.slice(start + 2, end);
    parts.push({ expr: parseExpression(source), source });
    rest = rest.slice(end + 1);
  }
  if (rest) parts.push(rest);
  const [only] = parts;
  if (parts.length === 1 && typeof only === 'object') return { kind: 'expr', ...only };
  return { kind: 'concat', parts };
}

function compile(node: unknown): Compiled {
  if (typeof node === 'string') return compileString(node);
  if (Array.isArray(node)) return { kind: 'array', items: node.map(compile) };
  if (node === null || typeof node !== 'object') return { kind: 'json', value: node };
  const record = node as Record<string, unknown>;
  const entries = Object.entries(record)
    .filter(([key]) => !RESERVED.has(key))
    .map(([key, value]) => [key, compile(value)] as [string, Compiled]);
  return {
    kind: 'object',
    entries,
    ...('$when' in record ? { when: compile(record.$when) } : {}),
    ...('$data' in record ? { data: compile(record.$data) } : {}),
  };
}

// ---------------------------------------------------------------------------
// Evaluating, with adaptive-expressions' rules

interface Scope {
  root: unknown;
  data: unknown;
  index: number | undefined;
}

/** adaptive-expressions' truthiness: only false, null and undefined are false ('' and 0 are true). */
const isLogicTrue = (value: unknown) => (typeof value === 'boolean' ? value : value != null);

/** A property as adaptive-expressions reads one: nothing of a falsy value, and the first key that matches ignoring case. (Card data is JSON: no Maps.) */
function propertyOf(instance: unknown, key: string): unknown {
  if (!instance) return undefined;
  const match = Object.keys(instance).find((k) => k.toLowerCase() === key.toLowerCase());
  return match === undefined ? undefined : (instance as Record<string, unknown>)[match];
}

function equals(a: unknown, b: unknown): boolean {
  if (a == null || b == null) return a == null && b == null;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => equals(item, b[i]));
  if (typeof a === 'object' && typeof b === 'object') {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => key in b && equals((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
    );
  }
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) < Number.EPSILON;
  return a === b;
}

function compare(op: '<' | '<=' | '>' | '>=', a: unknown, b: unknown): boolean {
  if (a == null || b == null) throw new EvaluationError(`${op} of a missing value`);
  if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) {
    throw new EvaluationError(`${String(a)} and ${String(b)} must be comparable.`);
  }
  return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
}

/** Whether the operand evaluates, and to what; the logical operators and comparisons treat a failure as a value, not an error. */
function attempt(expr: Expr, scope: Scope): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: evaluate(expr, scope, false) };
  } catch (error) {
    if (error instanceof EvaluationError) return { ok: false };
    throw error;
  }
}

/**
 * One expression's value. `substitute` is templating's rule for values put
 * into the card: a path with no value renders as its own `${path}`; in
 * `$when`, and inside `!`, `&&`, `||` and comparisons, it is null.
 */
function evaluate(expr: Expr, scope: Scope, substitute: boolean): unknown {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'path': {
      let value: unknown = expr.root === '$root' ? scope.root : expr.root === '$index' ? scope.index : scope.data;
      for (const key of expr.keys) value = propertyOf(value, key);
      // Only a missing value is substituted: a null one stays null.
      return value === undefined && substitute ? `\${${expr.path}}` : value;
    }
    case 'not': {
      const operand = attempt(expr.operand, scope);
      return operand.ok ? !isLogicTrue(operand.value) : true;
    }
    case 'and':
      return expr.operands.every((operand) => {
        const result = attempt(operand, scope);
        return result.ok && isLogicTrue(result.value);
      });
    case 'or':
      return expr.operands.some((operand) => {
        const result = attempt(operand, scope);
        return result.ok && isLogicTrue(result.value);
      });
    case 'compare': {
      const left = attempt(expr.left, scope);
      const right = attempt(expr.right, scope);
      if (!left.ok || !right.ok) return false;
      if (expr.op === '==') return equals(left.value, right.value);
      if (expr.op === '!=') return !equals(left.value, right.value);
      return compare(expr.op, left.value, right.value);
    }
    case 'count': {
      const value = evaluate(expr.operand, scope, substitute);
      if (typeof value === 'string' || Array.isArray(value)) return value.length;
      if (value !== null && typeof value === 'object') return Object.keys(value).length;
      throw new EvaluationError('count() needs a string, an array or an object');
    }
  }
}

/** `$when`: dropped unless it evaluates to true; a failure, or any value but a boolean, is false. */
function shows(when: Compiled, scope: Scope): boolean {
  if (when.kind === 'expr') {
    const result = attempt(when.expr, scope);
    return result.ok && result.value === true;
  }
  // A $when that is no single expression: templating keeps the object only for a falsy JSON value.
  return when.kind === 'json' && !when.value;
}

/** Expands a compiled node; an object is null when dropped, and an array when its `$data` repeats it. */
function expand(node: Compiled, scope: Scope): unknown {
  switch (node.kind) {
    case 'json':
      return node.value;
    case 'expr':
      return evaluate(node.expr, scope, true);
    case 'concat':
      return node.parts
        .map((part) => {
          if (typeof part === 'string') return part;
          let value: unknown;
          try {
            value = evaluate(part.expr, scope, true);
          } catch (error) {
            if (error instanceof EvaluationError) return `\${${part.source}}`;
            throw error;
          }
          // Templating calls value.toString(), which fails on null.
          if (value == null)
            throw new TypeError(
              `\${${part.source}} is null inside the text "${node.parts.map((p) => (typeof p === 'string' ? p : `\${${p.source}}`)).join('')}"`,
            );
          return String(value);
        })
        .join('');
    case 'array':
      return node.items.flatMap((item) => {
        const value = expand(item, scope);
        return value === null ? [] : Array.isArray(value) ? value : [value];
      });
    case 'object': {
      const data = node.data === undefined ? undefined : expand(node.data, scope);
      const contexts = Array.isArray(data) ? data : [data];
      const objects: Record<string, unknown>[] = [];
      contexts.forEach((context, i) => {
        const inner: Scope = {
          root: scope.root,
          data: context === undefined ? scope.data : context,
          index: Array.isArray(data) ? i : scope.index,
        };
        if (node.when !== undefined && !shows(node.when, inner)) return;
        const object: Record<string, unknown> = {};
        for (const [key, child] of node.entries) {
          const value = expand(child, inner);
          if (value !== undefined) object[key] = value;
        }
        objects.push(object);
      });
      return objects.length === 0 ? null : objects.length === 1 ? objects[0] : objects;
    }
  }
}

/** A template compiled once, expanded with data as many times as needed. */
export class CardTemplate {
  private readonly compiled: Compiled;

  constructor(template: object) {
    this.compiled = compile(template);
  }

  /** The template with `data` as `$root`. Values are inserted as data: `${...}` inside them stays text. */
  expand(data: object): unknown {
    return expand(this.compiled, { root: data, data, index: undefined });
  }
}
