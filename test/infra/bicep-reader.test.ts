/**
 * The tests' Bicep reader (test/infra/bicep.ts) on small templates: what it
 * reads, how it evaluates, and that it refuses, with the line, what it does
 * not know rather than reading it wrong.
 */
import { describe, expect, it } from 'vitest';
import { BicepSyntaxError, Evaluator, literalString, parseBicep, property } from './bicep';

const SAMPLE = `
// a comment
targetScope = 'resourceGroup'

@minLength(3)
@description('It\\'s the base')
param base string
param count int = 2
param flags array = [
  'a'
  'b'
]
param secret string = ''

var placeholderStart = '\\\${{'
var roles = {
  owner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
}
var name = '\${base}-\${toLower('X')}'
var picked = empty(secret) && count > 1 ? 'none' : 'some'
var guarded = startsWith(secret, placeholderStart) ? '' : secret

/* a block
   comment */
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: resourceGroup().location
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = if (!empty(guarded)) {
  name: 'kv\${uniqueString(resourceGroup().id, base)}'
  properties: { tenantId: tenant().tenantId, items: [1, 2] }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: base
  identity: {
    userAssignedIdentities: {
      '\${identity.id}': {}
    }
  }
  properties: {
    hostName: site.properties.defaultHostName
    clientId: identity.properties.clientId
    role: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.owner)
  }
}

output NAME string = name
`;

describe('the Bicep reader', () => {
  const file = parseBicep(SAMPLE);

  it('reads the scope, parameters with their decorators and defaults, vars, resources and outputs', () => {
    expect(file.targetScope).toBe('resourceGroup');
    expect([...file.params.keys()]).toEqual(['base', 'count', 'flags', 'secret']);
    const base = file.params.get('base')!;
    expect(base.type).toBe('string');
    expect(base.defaultValue).toBeUndefined();
    expect(base.decorators.map((d) => d.name)).toEqual(['minLength', 'description']);
    expect(literalString(base.decorators[1]!.args[0])).toBe("It's the base");
    expect([...file.vars.keys()]).toEqual(['placeholderStart', 'roles', 'name', 'picked', 'guarded']);
    expect([...file.resources.values()].map((r) => [r.symbol, r.type, r.apiVersion, r.condition !== undefined])).toEqual([
      ['identity', 'Microsoft.ManagedIdentity/userAssignedIdentities', '2023-01-31', false],
      ['vault', 'Microsoft.KeyVault/vaults', '2023-07-01', true],
      ['site', 'Microsoft.Web/sites', '2024-04-01', false],
    ]);
    expect([...file.outputs.keys()]).toEqual(['NAME']);
  });

  it('evaluates strings, escapes, interpolation, operators, calls and conditions', () => {
    const d = new Evaluator(file, { params: { base: 'baton' } });
    expect(d.evaluate(file.vars.get('placeholderStart'))).toBe('${{');
    expect(d.evaluate(file.outputs.get('NAME')!.value)).toBe('baton-x');
    expect(d.evaluate(file.vars.get('picked'))).toBe('none');
    expect(d.evaluate(file.params.get('flags')!.defaultValue)).toEqual(['a', 'b']);
    expect(d.deployed('vault')).toBe(false);
    expect(new Evaluator(file, { params: { base: 'baton', secret: 's' } }).deployed('vault')).toBe(true);
    expect(new Evaluator(file, { params: { base: 'baton', secret: '${{SECRET_X}}' } }).deployed('vault')).toBe(false);
    expect(d.resourceName('vault')).toMatch(/^kv[a-z2-7]{13}$/);
    expect(d.resourceName('vault')).toBe(new Evaluator(file, { params: { base: 'baton' } }).resourceName('vault'));
    expect(d.evaluate(property(d.resource('vault').body, 'properties.items'))).toEqual([1, 2]);
  });

  it('gives a resource its id, its declared properties, and made-up values for what Azure assigns', () => {
    const d = new Evaluator(file, { params: { base: 'baton' }, subscriptionId: 'sub', resourceGroup: 'rg' });
    const identityId = '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/baton-x';
    expect(d.resourceId('identity')).toBe(identityId);
    const site = d.evaluate(d.resource('site').body) as {
      identity: { userAssignedIdentities: Record<string, unknown> };
      properties: Record<string, string>;
    };
    expect(Object.keys(site.identity.userAssignedIdentities)).toEqual([identityId]);
    expect(site.properties.hostName).toBe('baton.azurewebsites.net');
    expect(site.properties.clientId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(site.properties.role).toBe(
      '/subscriptions/sub/providers/Microsoft.Authorization/roleDefinitions/b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
    );
  });

  it('refuses what Azure would assign but the tests were never told about', () => {
    const f = parseBicep(
      `resource a 'Microsoft.Web/sites@2024-04-01' = {\n  name: 'a'\n}\noutput X string = a.properties.outboundIpAddresses\n`,
    );
    expect(() => new Evaluator(f, { params: {} }).evaluate(f.outputs.get('X')!.value)).toThrow(
      /do not know what Azure sets as a\.properties\.outboundIpAddresses/,
    );
  });

  it('refuses, with the line, what it does not read', () => {
    const cases: Array<[string, RegExp]> = [
      ["param a string\nmodule m './m.bicep' = {\n}\n", /line 2: .*"module"/],
      ['var a = [for i in range(0, 2): i]\n', /line 1: .*for-expressions/],
      ["resource a 'Microsoft.Web/sites@2024-04-01' = [for i in range(0, 2): {\n}]\n", /line 1: .*no loops/],
      ['var a = b::c\n', /line 1: .*::/],
      ['var a = b.?c\n', /line 1: .*\.\?/],
      ['var a = 1\nvar a = 2\n', /line 2: a is declared twice/],
      ['var a = {\n  x: 1\n  x: 2\n}\n', /line 3: property x is given twice/],
      ["var a = 'x\n", /line 1: .*span lines/],
      ['param a foo\n', /type foo/],
      ["var a = 'x' 'y'\n", /line 1: expected the end of the line/],
    ];
    for (const [source, message] of cases) {
      expect(() => parseBicep(source), source).toThrow(BicepSyntaxError);
      expect(() => parseBicep(source), source).toThrow(message);
    }
    const f = parseBicep("var a = reference('x')\n");
    expect(() => new Evaluator(f, { params: {} }).evaluate(f.vars.get('a'))).toThrow(/does not know the function reference\(\)/);
  });
});
