/**
 * A small Bicep reader for the deployment's tests: enough of the language
 * to hold infra/azure.bicep against the parameters file, the Toolkit files
 * and src/config.ts where the real compiler cannot be installed.
 *
 * It reads the subset the template uses (https://learn.microsoft.com/azure/azure-resource-manager/bicep/file):
 * `targetScope`, decorated `param`s with a type and an optional default,
 * `var`s, `resource`s (`existing`, `if (...)`), `output`s; expressions with
 * strings (escapes, `${...}` interpolation), numbers, booleans, `null`,
 * objects and arrays (one item per line, or comma-separated), member and
 * index access, calls, `!`, `-`, `&&`, `||`, comparisons, `+`, and `? :`.
 * Anything else (modules, loops, `::`, `.?`, user types and functions) is
 * refused with its line, never skipped: a template that outgrows the reader
 * fails the tests instead of being half read.
 *
 * {@link evaluate} computes an expression the way a deployment would, with
 * parameter values given by the test, the values Azure assigns at deployment
 * time (an identity's client id, a site's host name) made up consistently by
 * {@link runtimeValue}, and the few template functions the file calls.
 */
import { createHash } from 'node:crypto';

export type Expr =
  | { kind: 'string'; parts: Array<string | Expr> }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  | { kind: 'ident'; name: string }
  | { kind: 'member'; object: Expr; name: string }
  | { kind: 'index'; object: Expr; index: Expr }
  | { kind: 'call'; callee: string; args: Expr[] }
  | { kind: 'unary'; op: '!' | '-'; operand: Expr }
  | { kind: 'binary'; op: string; left: Expr; right: Expr }
  | { kind: 'ternary'; test: Expr; whenTrue: Expr; whenFalse: Expr }
  | { kind: 'object'; entries: Array<{ key: Expr; value: Expr }> }
  | { kind: 'array'; items: Expr[] };

export interface Decorator {
  name: string;
  args: Expr[];
}

export interface Param {
  name: string;
  type: string;
  defaultValue: Expr | undefined;
  decorators: Decorator[];
  line: number;
}

export interface Resource {
  symbol: string;
  /** e.g. Microsoft.Web/sites */
  type: string;
  apiVersion: string;
  existing: boolean;
  condition: Expr | undefined;
  body: Extract<Expr, { kind: 'object' }>;
  line: number;
}

export interface BicepFile {
  targetScope: string | undefined;
  params: Map<string, Param>;
  vars: Map<string, Expr>;
  resources: Map<string, Resource>;
  outputs: Map<string, { type: string; value: Expr }>;
}

export class BicepSyntaxError extends Error {
  constructor(message: string, line: number) {
    super(`line ${line}: ${message}`);
    this.name = 'BicepSyntaxError';
  }
}

// ---------------------------------------------------------------- tokens

type Token =
  | { t: 'nl'; line: number }
  | { t: 'ident'; v: string; line: number }
  | { t: 'num'; v: number; line: number }
  | { t: 'str'; parts: Array<string | Token[]>; line: number }
  | { t: 'punct'; v: string; line: number }
  | { t: 'eof'; line: number };

const PUNCTS = [
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '??',
  '::',
  '.?',
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  ',',
  ':',
  '.',
  '?',
  '!',
  '@',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
];
const UNSUPPORTED_PUNCTS = new Set(['??', '::', '.?', '*', '/', '%']);

function tokenize(source: string, startLine = 1): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = startLine;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\n') {
      tokens.push({ t: 'nl', line });
      line += 1;
      i += 1;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i += 1;
    } else if (source.startsWith('//', i)) {
      while (i < source.length && source[i] !== '\n') i += 1;
    } else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) throw new BicepSyntaxError('unterminated /* comment', line);
      line += source.slice(i, end).split('\n').length - 1;
      i = end + 2;
    } else if (source.startsWith("'''", i)) {
      const end = source.indexOf("'''", i + 3);
      if (end < 0) throw new BicepSyntaxError("unterminated ''' string", line);
      const text = source.slice(i + 3, end).replace(/^\r?\n/, '');
      tokens.push({ t: 'str', parts: [text], line });
      line += source.slice(i, end).split('\n').length - 1;
      i = end + 3;
    } else if (c === "'") {
      const [token, next] = readString(source, i, line);
      tokens.push(token);
      i = next;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < source.length && /[A-Za-z0-9_]/.test(source[j]!)) j += 1;
      tokens.push({ t: 'ident', v: source.slice(i, j), line });
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < source.length && /[0-9]/.test(source[j]!)) j += 1;
      tokens.push({ t: 'num', v: Number(source.slice(i, j)), line });
      i = j;
    } else {
      const punct = PUNCTS.find((p) => source.startsWith(p, i));
      if (!punct) throw new BicepSyntaxError(`unexpected character ${JSON.stringify(c)}`, line);
      if (UNSUPPORTED_PUNCTS.has(punct)) throw new BicepSyntaxError(`this reader does not know ${punct}`, line);
      tokens.push({ t: 'punct', v: punct, line });
      i += punct.length;
    }
  }
  tokens.push({ t: 'eof', line });
  return tokens;
}

const ESCAPES: Record<string, string> = { "'": "'", '\\': '\\', n: '\n', r: '\r', t: '\t', $: '$' };

/** A '...' string from `start` (one line): its literal parts and the tokens of each `${...}`, and where it ends. */
function readString(source: string, start: number, line: number): [Token, number] {
  const parts: Array<string | Token[]> = [];
  let text = '';
  let i = start + 1;
  while (i < source.length) {
    const c = source[i]!;
    if (c === "'") {
      if (text !== '' || parts.length === 0) parts.push(text);
      return [{ t: 'str', parts, line }, i + 1];
    }
    if (c === '\n') throw new BicepSyntaxError("a '...' string cannot span lines", line);
    if (c === '\\') {
      const escaped = ESCAPES[source[i + 1] ?? ''];
      if (escaped === undefined) throw new BicepSyntaxError(`unknown escape \\${source[i + 1] ?? ''}`, line);
      text += escaped;
      i += 2;
    } else if (source.startsWith('${', i)) {
      if (text !== '') parts.push(text);
      text = '';
      const end = interpolationEnd(source, i + 2, line);
      parts.push(tokenize(source.slice(i + 2, end), line).filter((t) => t.t !== 'nl'));
      i = end + 1;
    } else {
      text += c;
      i += 1;
    }
  }
  throw new BicepSyntaxError('unterminated string', line);
}

/** The index of the `}` that closes the interpolation whose expression starts at `from`. */
function interpolationEnd(source: string, from: number, line: number): number {
  let depth = 0;
  let i = from;
  while (i < source.length) {
    const c = source[i]!;
    if (c === "'") {
      // Skip a nested string, interpolations and all.
      i = readString(source, i, line)[1];
      continue;
    }
    if (c === '{') depth += 1;
    if (c === '}') {
      if (depth === 0) return i;
      depth -= 1;
    }
    i += 1;
  }
  throw new BicepSyntaxError('unterminated ${ interpolation', line);
}

// ---------------------------------------------------------------- parser

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }
  private next(): Token {
    const token = this.peek();
    this.pos += 1;
    return token;
  }
  private isPunct(v: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.t === 'punct' && token.v === v;
  }
  private isIdent(v?: string): boolean {
    const token = this.peek();
    return token.t === 'ident' && (v === undefined || token.v === v);
  }
  private expectPunct(v: string): void {
    const token = this.next();
    if (token.t !== 'punct' || token.v !== v) throw new BicepSyntaxError(`expected ${v}, found ${tokenText(token)}`, token.line);
  }
  private expectIdent(v?: string): string {
    const token = this.next();
    if (token.t !== 'ident' || (v !== undefined && token.v !== v))
      throw new BicepSyntaxError(`expected ${v ?? 'a name'}, found ${tokenText(token)}`, token.line);
    return token.v;
  }
  private skipNewlines(): void {
    while (this.peek().t === 'nl') this.pos += 1;
  }
  private endOfStatement(): void {
    const token = this.next();
    if (token.t !== 'nl' && token.t !== 'eof')
      throw new BicepSyntaxError(`expected the end of the line, found ${tokenText(token)}`, token.line);
  }

  file(): BicepFile {
    const file: BicepFile = { targetScope: undefined, params: new Map(), vars: new Map(), resources: new Map(), outputs: new Map() };
    const unique = (map: Map<string, unknown>, name: string, line: number) => {
      if (map.has(name) || file.params.has(name) || file.vars.has(name) || file.resources.has(name))
        throw new BicepSyntaxError(`${name} is declared twice`, line);
    };
    for (;;) {
      this.skipNewlines();
      const start = this.peek();
      if (start.t === 'eof') return file;
      const decorators: Decorator[] = [];
      while (this.isPunct('@')) {
        this.next();
        const name = this.expectIdent();
        this.expectPunct('(');
        decorators.push({ name, args: this.args() });
        this.skipNewlines();
      }
      const keyword = this.peek();
      if (keyword.t !== 'ident') throw new BicepSyntaxError(`expected a declaration, found ${tokenText(keyword)}`, keyword.line);
      this.next();
      switch (keyword.v) {
        case 'targetScope': {
          this.expectPunct('=');
          const scope = this.expression();
          if (scope.kind !== 'string' || scope.parts.some((p) => typeof p !== 'string'))
            throw new BicepSyntaxError('targetScope must be a plain string', keyword.line);
          file.targetScope = scope.parts.join('');
          break;
        }
        case 'param': {
          const name = this.expectIdent();
          unique(file.params, name, keyword.line);
          const type = this.type();
          let defaultValue: Expr | undefined;
          if (this.isPunct('=')) {
            this.next();
            defaultValue = this.expression();
          }
          file.params.set(name, { name, type, defaultValue, decorators, line: keyword.line });
          break;
        }
        case 'var': {
          const name = this.expectIdent();
          unique(file.vars, name, keyword.line);
          this.expectPunct('=');
          file.vars.set(name, this.expression());
          break;
        }
        case 'resource': {
          const symbol = this.expectIdent();
          unique(file.resources, symbol, keyword.line);
          const typeToken = this.next();
          const typeText =
            typeToken.t === 'str' && typeToken.parts.length === 1 && typeof typeToken.parts[0] === 'string'
              ? typeToken.parts[0]
              : undefined;
          const match = typeText?.match(/^([A-Za-z0-9.]+\/[A-Za-z0-9/]+)@([0-9a-z-]+)$/);
          if (!match) throw new BicepSyntaxError("expected a resource type such as 'Microsoft.Web/sites@2024-04-01'", typeToken.line);
          const existing = this.isIdent('existing');
          if (existing) this.next();
          this.expectPunct('=');
          let condition: Expr | undefined;
          if (this.isIdent('if')) {
            this.next();
            this.expectPunct('(');
            this.skipNewlines();
            condition = this.expression();
            this.skipNewlines();
            this.expectPunct(')');
          }
          if (!this.isPunct('{'))
            throw new BicepSyntaxError('this reader knows a resource body only as { ... } (no loops)', this.peek().line);
          const body = this.primary();
          if (body.kind !== 'object') throw new BicepSyntaxError('expected the resource body', keyword.line);
          file.resources.set(symbol, { symbol, type: match[1]!, apiVersion: match[2]!, existing, condition, body, line: keyword.line });
          break;
        }
        case 'output': {
          const name = this.expectIdent();
          if (file.outputs.has(name)) throw new BicepSyntaxError(`output ${name} is declared twice`, keyword.line);
          const type = this.type();
          this.expectPunct('=');
          file.outputs.set(name, { type, value: this.expression() });
          break;
        }
        default:
          throw new BicepSyntaxError(`this reader does not know declarations of kind "${keyword.v}"`, keyword.line);
      }
      this.endOfStatement();
    }
  }

  private type(): string {
    const name = this.expectIdent();
    if (!['string', 'int', 'bool', 'object', 'array'].includes(name))
      throw new BicepSyntaxError(`this reader does not know the type ${name}`, this.peek().line);
    return name;
  }

  /** Call arguments after the `(`, up to and including the `)`. */
  private args(): Expr[] {
    const args: Expr[] = [];
    this.skipNewlines();
    while (!this.isPunct(')')) {
      args.push(this.expression());
      this.skipNewlines();
      if (this.isPunct(',')) {
        this.next();
        this.skipNewlines();
      } else if (!this.isPunct(')')) {
        throw new BicepSyntaxError(`expected , or ) in a call, found ${tokenText(this.peek())}`, this.peek().line);
      }
    }
    this.expectPunct(')');
    return args;
  }

  expression(): Expr {
    const test = this.binary(0);
    if (!this.isPunct('?')) return test;
    this.next();
    const whenTrue = this.expression();
    this.expectPunct(':');
    return { kind: 'ternary', test, whenTrue, whenFalse: this.expression() };
  }

  private static readonly LEVELS: string[][] = [['||'], ['&&'], ['==', '!='], ['<', '<=', '>', '>='], ['+', '-']];

  private binary(level: number): Expr {
    if (level >= Parser.LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const token = this.peek();
      if (token.t !== 'punct' || !Parser.LEVELS[level]!.includes(token.v)) return left;
      this.next();
      left = { kind: 'binary', op: token.v, left, right: this.binary(level + 1) };
    }
  }

  private unary(): Expr {
    for (const op of ['!', '-'] as const) {
      if (this.isPunct(op)) {
        this.next();
        return { kind: 'unary', op, operand: this.unary() };
      }
    }
    return this.postfix();
  }

  private postfix(): Expr {
    let expr = this.primary();
    for (;;) {
      if (this.isPunct('.')) {
        this.next();
        expr = { kind: 'member', object: expr, name: this.expectIdent() };
      } else if (this.isPunct('[')) {
        this.next();
        const index = this.expression();
        this.expectPunct(']');
        expr = { kind: 'index', object: expr, index };
      } else if (this.isPunct('(')) {
        if (expr.kind !== 'ident') throw new BicepSyntaxError('this reader calls only functions named directly', this.peek().line);
        this.next();
        expr = { kind: 'call', callee: expr.name, args: this.args() };
      } else {
        return expr;
      }
    }
  }

  primary(): Expr {
    const token = this.next();
    switch (token.t) {
      case 'str':
        return { kind: 'string', parts: token.parts.map((part) => (typeof part === 'string' ? part : parseExpression(part))) };
      case 'num':
        return { kind: 'number', value: token.v };
      case 'ident':
        if (token.v === 'true' || token.v === 'false') return { kind: 'bool', value: token.v === 'true' };
        if (token.v === 'null') return { kind: 'null' };
        if (token.v === 'for') throw new BicepSyntaxError('this reader does not know for-expressions', token.line);
        return { kind: 'ident', name: token.v };
      case 'punct':
        if (token.v === '(') {
          this.skipNewlines();
          const inner = this.expression();
          this.skipNewlines();
          this.expectPunct(')');
          return inner;
        }
        if (token.v === '{') return this.object();
        if (token.v === '[') return this.array();
        break;
      default:
        break;
    }
    throw new BicepSyntaxError(`expected an expression, found ${tokenText(token)}`, token.line);
  }

  /** An object after its `{`: one `key: value` per line (or comma-separated). */
  private object(): Expr {
    const entries: Array<{ key: Expr; value: Expr }> = [];
    const keys = new Set<string>();
    for (;;) {
      this.skipNewlines();
      if (this.isPunct('}')) {
        this.next();
        return { kind: 'object', entries };
      }
      const keyToken = this.next();
      let key: Expr;
      if (keyToken.t === 'ident') key = { kind: 'string', parts: [keyToken.v] };
      else if (keyToken.t === 'str')
        key = { kind: 'string', parts: keyToken.parts.map((part) => (typeof part === 'string' ? part : parseExpression(part))) };
      else throw new BicepSyntaxError(`expected a property name, found ${tokenText(keyToken)}`, keyToken.line);
      const literal = key.kind === 'string' && key.parts.every((p) => typeof p === 'string') ? key.parts.join('') : undefined;
      if (literal !== undefined) {
        if (keys.has(literal)) throw new BicepSyntaxError(`property ${literal} is given twice`, keyToken.line);
        keys.add(literal);
      }
      this.expectPunct(':');
      entries.push({ key, value: this.expression() });
      if (this.isPunct(',')) this.next();
      else if (!this.isPunct('}') && this.peek().t !== 'nl')
        throw new BicepSyntaxError(`expected a new line after a property, found ${tokenText(this.peek())}`, this.peek().line);
    }
  }

  /** An array after its `[`: one item per line, or comma-separated. */
  private array(): Expr {
    const items: Expr[] = [];
    for (;;) {
      this.skipNewlines();
      if (this.isPunct(']')) {
        this.next();
        return { kind: 'array', items };
      }
      if (this.isIdent('for')) throw new BicepSyntaxError('this reader does not know for-expressions', this.peek().line);
      items.push(this.expression());
      if (this.isPunct(',')) this.next();
      else if (!this.isPunct(']') && this.peek().t !== 'nl')
        throw new BicepSyntaxError(`expected a new line after an item, found ${tokenText(this.peek())}`, this.peek().line);
    }
  }
}

function tokenText(token: Token): string {
  switch (token.t) {
    case 'nl':
      return 'the end of the line';
    case 'eof':
      return 'the end of the file';
    case 'str':
      return 'a string';
    case 'num':
      return String(token.v);
    default:
      return JSON.stringify(token.v);
  }
}

function parseExpression(tokens: Token[]): Expr {
  const parser = new Parser([...tokens, { t: 'eof', line: tokens[0]?.line ?? 0 }]);
  const expr = parser.expression();
  return expr;
}

/** Reads a Bicep file. @throws BicepSyntaxError, with its line, for anything outside the subset */
export function parseBicep(source: string): BicepFile {
  return new Parser(tokenize(source)).file();
}

// ---------------------------------------------------------------- helpers on the tree

/** The value of a property of an object expression, by a path of names (`properties.siteConfig`). */
export function property(object: Expr | undefined, path: string): Expr | undefined {
  let current = object;
  for (const name of path.split('.')) {
    if (current?.kind !== 'object') return undefined;
    current = current.entries.find((e) => e.key.kind === 'string' && e.key.parts.length === 1 && e.key.parts[0] === name)?.value;
  }
  return current;
}

/** The literal text of a string expression without interpolation, else undefined. */
export function literalString(expr: Expr | undefined): string | undefined {
  if (expr?.kind !== 'string' || expr.parts.some((p) => typeof p !== 'string')) return undefined;
  return expr.parts.join('');
}

/** The value of a decorator's single argument, e.g. @minValue(40) -> 40. */
export function decoratorArgument(param: Param, name: string): Expr | undefined {
  return param.decorators.find((d) => d.name === name)?.args[0];
}

// ---------------------------------------------------------------- evaluation

/** A resource, where an expression names one (`scope: storage`, `dependsOn: [...]`). */
export interface ResourceRef {
  resource: string;
}

export function isResourceRef(value: unknown): value is ResourceRef {
  return typeof value === 'object' && value !== null && 'resource' in value && typeof (value as ResourceRef).resource === 'string';
}

/** The deployment being pictured: its parameter values and where it runs. */
export interface Deployment {
  params: Readonly<Record<string, unknown>>;
  subscriptionId?: string;
  resourceGroup?: string;
  location?: string;
  tenantId?: string;
}

/** A made-up GUID that is the same for the same seed. */
export function sampleGuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** ARM's uniqueString: 13 lowercase letters and digits, stable for the same arguments. */
function uniqueString(...args: string[]): string {
  const digest = createHash('sha256').update(args.join('|')).digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return [...digest.subarray(0, 13)].map((b) => alphabet[b % 32]).join('');
}

export class Evaluator {
  private readonly varCache = new Map<string, unknown>();
  private readonly evaluating = new Set<string>();
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly tenantId: string;

  constructor(
    readonly file: BicepFile,
    readonly deployment: Deployment,
  ) {
    this.subscriptionId = deployment.subscriptionId ?? sampleGuid('subscription');
    this.resourceGroup = deployment.resourceGroup ?? 'rg-baton-test';
    this.location = deployment.location ?? 'swedencentral';
    this.tenantId = deployment.tenantId ?? sampleGuid('tenant');
  }

  /** A parameter's value: the deployment's, else its default. @throws when it has neither */
  param(name: string): unknown {
    if (Object.hasOwn(this.deployment.params, name)) return this.deployment.params[name];
    const param = this.file.params.get(name);
    if (!param) throw new Error(`no parameter ${name}`);
    if (!param.defaultValue) throw new Error(`parameter ${name} has no value and no default`);
    return this.evaluate(param.defaultValue);
  }

  /** The name a resource gets in this deployment. */
  resourceName(symbol: string): string {
    const resource = this.resource(symbol);
    const name = this.evaluate(property(resource.body, 'name'));
    if (typeof name !== 'string') throw new Error(`resource ${symbol} has no name`);
    return name;
  }

  /** A resource's id, as ARM forms it (children under their parent). */
  resourceId(symbol: string): string {
    const resource = this.resource(symbol);
    const parent = property(resource.body, 'parent');
    const name = this.resourceName(symbol);
    if (parent) {
      const parentRef = this.evaluate(parent);
      if (!isResourceRef(parentRef)) throw new Error(`resource ${symbol}'s parent is not a resource`);
      const childType = resource.type.split('/').pop()!;
      return `${this.resourceId(parentRef.resource)}/${childType}/${name}`;
    }
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroup}/providers/${resource.type}/${name}`;
  }

  /** Whether a resource is deployed with these parameters (its `if`). */
  deployed(symbol: string): boolean {
    const condition = this.resource(symbol).condition;
    return condition === undefined || this.evaluate(condition) === true;
  }

  resource(symbol: string): Resource {
    const resource = this.file.resources.get(symbol);
    if (!resource) throw new Error(`no resource ${symbol}`);
    return resource;
  }

  evaluate(expr: Expr | undefined): unknown {
    if (!expr) return undefined;
    switch (expr.kind) {
      case 'string':
        return expr.parts.map((part) => (typeof part === 'string' ? part : this.text(this.evaluate(part)))).join('');
      case 'number':
      case 'bool':
        return expr.value;
      case 'null':
        return null;
      case 'ident':
        return this.identifier(expr.name);
      case 'member':
        return this.member(expr);
      case 'index': {
        const object = this.evaluate(expr.object);
        const index = this.evaluate(expr.index);
        if (Array.isArray(object) && typeof index === 'number') return object[index];
        if (typeof object === 'object' && object !== null && typeof index === 'string') return (object as Record<string, unknown>)[index];
        throw new Error('cannot index that value');
      }
      case 'call':
        return this.call(
          expr.callee,
          expr.args.map((a) => this.evaluate(a)),
        );
      case 'unary': {
        const operand = this.evaluate(expr.operand);
        if (expr.op === '!') return !this.bool(operand);
        if (typeof operand !== 'number') throw new Error('- needs a number');
        return -operand;
      }
      case 'binary':
        return this.binary(expr);
      case 'ternary':
        return this.bool(this.evaluate(expr.test)) ? this.evaluate(expr.whenTrue) : this.evaluate(expr.whenFalse);
      case 'object': {
        const out: Record<string, unknown> = {};
        for (const entry of expr.entries) out[this.text(this.evaluate(entry.key))] = this.evaluate(entry.value);
        return out;
      }
      case 'array':
        return expr.items.map((item) => this.evaluate(item));
      default:
        throw new Error('unknown expression');
    }
  }

  private text(value: unknown): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new Error(`cannot put ${JSON.stringify(value)} in a string`);
  }

  private bool(value: unknown): boolean {
    if (typeof value !== 'boolean') throw new Error(`expected true or false, got ${JSON.stringify(value)}`);
    return value;
  }

  private identifier(name: string): unknown {
    if (this.file.params.has(name)) return this.param(name);
    if (this.file.vars.has(name)) {
      if (this.varCache.has(name)) return this.varCache.get(name);
      if (this.evaluating.has(name)) throw new Error(`variable ${name} refers to itself`);
      this.evaluating.add(name);
      const value = this.evaluate(this.file.vars.get(name));
      this.evaluating.delete(name);
      this.varCache.set(name, value);
      return value;
    }
    if (this.file.resources.has(name)) return { resource: name } satisfies ResourceRef;
    throw new Error(`unknown name ${name}`);
  }

  private member(expr: Extract<Expr, { kind: 'member' }>): unknown {
    // A path into a resource: symbol.name, symbol.id, symbol.properties.x.y...
    const path: string[] = [];
    let base: Expr = expr;
    while (base.kind === 'member') {
      path.unshift(base.name);
      base = base.object;
    }
    const baseValue = this.evaluate(base);
    if (isResourceRef(baseValue)) return this.resourceMember(baseValue.resource, path);
    let value = baseValue;
    for (const name of path) {
      if (typeof value !== 'object' || value === null || !(name in value))
        throw new Error(`no property ${name} in ${JSON.stringify(value)}`);
      value = (value as Record<string, unknown>)[name];
    }
    return value;
  }

  private resourceMember(symbol: string, path: string[]): unknown {
    const [first, ...rest] = path;
    if (first === 'id' && rest.length === 0) return this.resourceId(symbol);
    if (first === 'name' && rest.length === 0) return this.resourceName(symbol);
    // What the template itself sets is what the resource has...
    const declared = property(this.resource(symbol).body, path.join('.'));
    if (declared) return this.evaluate(declared);
    // ...the rest Azure assigns when it deploys.
    return runtimeValue(this, symbol, path.join('.'));
  }

  private binary(expr: Extract<Expr, { kind: 'binary' }>): unknown {
    if (expr.op === '&&') return this.bool(this.evaluate(expr.left)) && this.bool(this.evaluate(expr.right));
    if (expr.op === '||') return this.bool(this.evaluate(expr.left)) || this.bool(this.evaluate(expr.right));
    const left = this.evaluate(expr.left);
    const right = this.evaluate(expr.right);
    switch (expr.op) {
      case '==':
        return JSON.stringify(left) === JSON.stringify(right);
      case '!=':
        return JSON.stringify(left) !== JSON.stringify(right);
      case '+':
      case '-':
      case '<':
      case '<=':
      case '>':
      case '>=':
        if (typeof left !== 'number' || typeof right !== 'number') throw new Error(`${expr.op} needs numbers`);
        return { '+': left + right, '-': left - right, '<': left < right, '<=': left <= right, '>': left > right, '>=': left >= right }[
          expr.op
        ];
      default:
        throw new Error(`unknown operator ${expr.op}`);
    }
  }

  private call(name: string, args: unknown[]): unknown {
    const strings = () => args.map((a) => this.text(a));
    switch (name) {
      case 'resourceGroup':
        return {
          id: `/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroup}`,
          name: this.resourceGroup,
          location: this.location,
        };
      case 'subscription':
        return { id: `/subscriptions/${this.subscriptionId}`, subscriptionId: this.subscriptionId, tenantId: this.tenantId };
      case 'tenant':
        return { tenantId: this.tenantId };
      case 'uniqueString':
        return uniqueString(...strings());
      case 'guid':
        return sampleGuid(strings().join('|'));
      case 'subscriptionResourceId': {
        const [type, ...names] = strings();
        return `/subscriptions/${this.subscriptionId}/providers/${type}/${names.join('/')}`;
      }
      case 'empty': {
        const [value] = args;
        if (typeof value === 'string' || Array.isArray(value)) return value.length === 0;
        if (value === null || value === undefined) return true;
        if (typeof value === 'object') return Object.keys(value).length === 0;
        throw new Error('empty() of that value');
      }
      case 'startsWith':
      case 'endsWith': {
        const [text, prefix] = strings();
        return name === 'startsWith'
          ? text!.toLowerCase().startsWith(prefix!.toLowerCase())
          : text!.toLowerCase().endsWith(prefix!.toLowerCase());
      }
      case 'toLower':
        return strings()[0]!.toLowerCase();
      case 'string':
        return typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0]);
      default:
        throw new Error(`this reader does not know the function ${name}()`);
    }
  }
}

/**
 * What Azure sets on a resource at deployment time, made up the same way
 * every time: the test's picture of "after the deployment". An expression
 * reaching for anything else fails, so a new reference gets a deliberate
 * answer here instead of a silent `undefined`.
 */
export function runtimeValue(evaluator: Evaluator, symbol: string, path: string): unknown {
  const resource = evaluator.resource(symbol);
  const name = evaluator.resourceName(symbol);
  const key = `${resource.type}#${path}`;
  switch (key) {
    case 'Microsoft.ManagedIdentity/userAssignedIdentities#properties.clientId':
    case 'Microsoft.ManagedIdentity/userAssignedIdentities#properties.principalId':
      return sampleGuid(`${symbol}:${path}`);
    case 'Microsoft.ManagedIdentity/userAssignedIdentities#properties.tenantId':
      return evaluator.tenantId;
    case 'Microsoft.Web/sites#properties.defaultHostName':
      return `${name}.azurewebsites.net`;
    case 'Microsoft.Insights/components#properties.ConnectionString':
      return `InstrumentationKey=${sampleGuid(`${symbol}:ikey`)};IngestionEndpoint=https://${evaluator.location}-1.in.applicationinsights.azure.com/;ApplicationId=${sampleGuid(`${symbol}:app`)}`;
    case 'Microsoft.Storage/storageAccounts#properties.primaryEndpoints.blob':
      return `https://${name}.blob.core.windows.net/`;
    case 'Microsoft.Storage/storageAccounts#properties.primaryEndpoints.queue':
      return `https://${name}.queue.core.windows.net/`;
    case 'Microsoft.Storage/storageAccounts#properties.primaryEndpoints.table':
      return `https://${name}.table.core.windows.net/`;
    default:
      throw new Error(
        `the tests do not know what Azure sets as ${symbol}.${path} (${resource.type}); add it to runtimeValue in test/infra/bicep.ts`,
      );
  }
}
